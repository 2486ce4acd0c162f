package mailin

import (
	"context"
	"errors"
	"fmt"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"
	"github.com/emersion/go-sasl"

	"github.com/ticketd/ticketd/mailauth"
)

// login authenticates c as PollerOptions.Auth says. A refusal by the
// server, or a token that cannot be obtained, is a *mailauth.Error.
func (p *Poller) login(ctx context.Context, c *imapclient.Client) error {
	o := p.opts
	var err error
	if mailauth.IsOAuth(o.Auth) {
		client, cerr := mailauth.OAuthClient(ctx, o.Auth, o.Username, o.Token)
		if cerr != nil {
			return fmt.Errorf("imap login as %q: %w", o.Username, cerr)
		}
		err = c.Authenticate(client)
	} else {
		err = c.Login(o.Username, o.Password).Wait()
	}
	if err == nil {
		return nil
	}
	// The error text is the server's; it never contains the password or
	// the token.
	err = fmt.Errorf("imap login as %q (%s): %w", o.Username, mailauth.Name(o.Auth), err)
	var ierr *imap.Error
	var oerr *sasl.OAuthBearerError
	if errors.As(err, &ierr) || errors.As(err, &oerr) {
		return &mailauth.Error{Err: err} // NO/BAD, or a token error: the credentials were refused
	}
	return err
}

// authFailed starts or continues a failure streak; the first failure of a
// streak is reported to OnAuthFailure.
func (p *Poller) authFailed(err error) {
	if p.logins.Failed(err) {
		p.log.Error("imap login refused; will retry, an admin must act", "mailbox", p.opts.Mailbox, "err", err)
	}
}

// authOK ends a failure streak.
func (p *Poller) authOK() {
	if p.logins.Succeeded() {
		p.log.Info("imap login works again", "mailbox", p.opts.Mailbox)
	}
}
