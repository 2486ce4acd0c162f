package mailout

import (
	"context"
	"errors"
	"fmt"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"

	"github.com/ticketd/ticketd/mailauth"
)

// auth authenticates c as Options.Auth says. A refusal by the server (an
// SMTP error reply), or a token that cannot be obtained, is a
// *mailauth.Error.
func (s *Sender) auth(ctx context.Context, c *session) error {
	o := s.opts
	var client sasl.Client
	if mailauth.IsOAuth(o.Auth) {
		var err error
		if client, err = mailauth.OAuthClient(ctx, o.Auth, o.Username, o.Token); err != nil {
			return err
		}
	} else {
		client = sasl.NewPlainClient("", o.Username, o.Password)
	}
	err := c.auth(client)
	if err == nil {
		return nil
	}
	var se *smtp.SMTPError
	var oe *sasl.OAuthBearerError
	if errors.As(err, &se) || errors.As(err, &oe) {
		// The server's reply; it never contains the password or token.
		return &mailauth.Error{Err: fmt.Errorf("%s as %q: %w", mailauth.Name(o.Auth), o.Username, err)}
	}
	return err
}

// authOK ends a failure streak.
func (s *Sender) authOK() {
	if s.logins.Succeeded() {
		s.log.Info("mailout: smtp login works again", "smtp", s.opts.Address)
	}
}
