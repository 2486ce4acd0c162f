package mailin

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"strings"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"

	"github.com/ticketd/ticketd/connpolicy"
	"github.com/ticketd/ticketd/mailauth"
)

// Validate reports every problem with the options at once; Poll and Run
// call it first. It refuses Security "none" unless the host is a loopback
// host (connpolicy.IsLoopback), so a password never crosses a network in
// plaintext.
func (o PollerOptions) Validate() error {
	var errs []error
	host, _, err := net.SplitHostPort(o.Address)
	if err != nil {
		errs = append(errs, fmt.Errorf("imap address %q: %w", o.Address, err))
	}
	if err == nil || o.Security != connpolicy.None {
		if serr := o.Security.Check(host); serr != nil {
			errs = append(errs, fmt.Errorf("imap security: %w", serr))
		}
	}
	if o.Username == "" {
		errs = append(errs, errors.New("imap username is empty"))
	}
	if o.Mailbox == "" {
		errs = append(errs, errors.New("imap mailbox is empty"))
	}
	if o.ProcessedMailbox == "" {
		errs = append(errs, errors.New("imap processed mailbox is empty"))
	}
	if o.FailedMailbox == "" {
		errs = append(errs, errors.New("imap failed mailbox is empty"))
	}
	for _, m := range []string{o.ProcessedMailbox, o.FailedMailbox, o.SpamMailbox} {
		if m != "" && sameMailbox(m, o.Mailbox) {
			errs = append(errs, fmt.Errorf("imap mailbox %q cannot also be the processed, failed or spam mailbox", m))
		}
	}
	if !mailauth.Valid(o.Auth) {
		errs = append(errs, fmt.Errorf("imap auth %q: want password, xoauth2 or oauthbearer", o.Auth))
	} else if mailauth.IsOAuth(o.Auth) && o.Token == nil {
		errs = append(errs, fmt.Errorf("imap auth %q needs a token command", o.Auth))
	}
	if o.BatchSize < 0 || o.MaxBatchBytes < 0 || o.MaxMessageSize < 0 || o.DialTimeout < 0 {
		errs = append(errs, errors.New("imap batch size, max batch bytes, max message size and dial timeout cannot be negative"))
	}
	return errors.Join(errs...)
}

// sameMailbox compares mailbox names; INBOX is case-insensitive (RFC 3501
// §5.1).
func sameMailbox(a, b string) bool {
	if strings.EqualFold(a, "INBOX") || strings.EqualFold(b, "INBOX") {
		return strings.EqualFold(a, b)
	}
	return a == b
}

// dial connects, waits for the greeting and logs in. The returned client
// is closed by closing ctx or by the caller.
func (p *Poller) dial(ctx context.Context, handler *imapclient.UnilateralDataHandler) (*imapclient.Client, error) {
	o := p.opts
	host, _, _ := net.SplitHostPort(o.Address)
	tlsConfig := connpolicy.ClientTLS(o.TLSConfig, host)
	copts := &imapclient.Options{
		TLSConfig:             tlsConfig,
		UnilateralDataHandler: handler,
		// Never a DebugWriter: it would print the password.
	}

	dctx, cancel := context.WithTimeout(ctx, o.DialTimeout)
	defer cancel()
	d := net.Dialer{}
	conn, err := d.DialContext(dctx, "tcp", o.Address)
	if err != nil {
		return nil, fmt.Errorf("dial imap %s: %w", o.Address, err)
	}
	if err := o.Security.CheckPeer(conn.RemoteAddr()); err != nil {
		conn.Close()
		return nil, fmt.Errorf("connect imap %s: %w", o.Address, err)
	}
	// The handshake, greeting and STARTTLS must also finish within the
	// dial timeout; closing the connection unblocks them.
	stop := context.AfterFunc(dctx, func() { conn.Close() })

	var c *imapclient.Client
	switch o.Security {
	case connpolicy.TLS:
		if tlsConfig.NextProtos == nil {
			tlsConfig.NextProtos = []string{"imap"}
		}
		tc := tls.Client(conn, tlsConfig)
		if err = tc.HandshakeContext(dctx); err == nil {
			c = imapclient.New(tc, copts)
		}
	case connpolicy.STARTTLS:
		c, err = imapclient.NewStartTLS(conn, copts)
	default:
		c = imapclient.New(conn, copts)
	}
	if err == nil {
		err = c.WaitGreeting()
	}
	if !stop() {
		// The timeout or ctx fired: the connection is closed.
		if err == nil {
			err = dctx.Err()
		}
	}
	if err != nil {
		if c != nil {
			c.Close()
		}
		conn.Close()
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, fmt.Errorf("connect imap %s (%s): %w", o.Address, o.Security, err)
	}

	// From here on, ctx cancellation closes the client (go-imap has no
	// contexts); the caller's own watcher takes over after login.
	stopLogin := context.AfterFunc(ctx, func() { c.Close() })
	defer stopLogin()
	if err := p.login(ctx, c); err != nil {
		c.Close()
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		p.authFailed(err)
		return nil, err
	}
	p.authOK()
	return c, nil
}

// connect is dial for a session that lasts until release. go-imap v2 has
// no contexts: cancelling ctx closes the client, which is what aborts a
// blocked command. release stops that watch and closes the client.
func (p *Poller) connect(ctx context.Context, handler *imapclient.UnilateralDataHandler) (c *imapclient.Client, release func(), err error) {
	c, err = p.dial(ctx, handler)
	if err != nil {
		return nil, nil, err
	}
	stop := context.AfterFunc(ctx, func() { c.Close() })
	return c, func() { stop(); c.Close() }, nil
}

// ensureMailbox creates name unless it exists.
func ensureMailbox(c *imapclient.Client, name string) error {
	err := c.Create(name, nil).Wait()
	if err == nil {
		return nil
	}
	var ierr *imap.Error
	if errors.As(err, &ierr) && ierr.Code == imap.ResponseCodeAlreadyExists {
		return nil
	}
	// Servers without the ALREADYEXISTS code (RFC 5530) answer a plain
	// NO: the mailbox is fine if STATUS can see it.
	if _, serr := c.Status(name, &imap.StatusOptions{NumMessages: true}).Wait(); serr == nil {
		return nil
	}
	return fmt.Errorf("create mailbox %q: %w", name, err)
}

// Check connects, logs in and selects the mailbox read-only, then logs
// out: what an admin wants to know before the first run. It changes
// nothing on the server.
func (p *Poller) Check(ctx context.Context) error {
	if err := p.opts.Validate(); err != nil {
		return err
	}
	c, release, err := p.connect(ctx, nil)
	if err != nil {
		return err
	}
	defer release()
	if _, err := c.Select(p.opts.Mailbox, &imap.SelectOptions{ReadOnly: true}).Wait(); err != nil {
		return fmt.Errorf("examine %q: %w", p.opts.Mailbox, err)
	}
	return c.Logout().Wait()
}
