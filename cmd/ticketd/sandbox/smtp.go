package sandbox

import (
	"bytes"
	"fmt"
	"io"
	"log/slog"
	"net"
	"strings"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

// maxMessageBytes bounds one message, as any real server does.
const maxMessageBytes = 64 << 20

func startSMTP(sb *Sandbox, ln net.Listener) *listening {
	log := sb.log.With("server", "smtp")
	srv := smtp.NewServer(smtp.BackendFunc(func(c *smtp.Conn) (smtp.Session, error) {
		return &smtpSession{sb: sb, conn: c}, nil
	}))
	srv.Domain = "sandbox.localhost"
	srv.MaxMessageBytes = maxMessageBytes
	srv.MaxRecipients = 100
	srv.AllowInsecureAuth = true // AUTH is offered (and anything accepted) without TLS
	srv.ReadTimeout = 5 * time.Minute
	srv.WriteTimeout = time.Minute
	srv.ErrorLog = printfLogger{log}
	return serve(srv, ln, log)
}

// smtpSession accepts mail from anyone to anyone. go-smtp runs one session
// per connection on one goroutine, so its fields need no lock; the store it
// delivers into has its own.
type smtpSession struct {
	sb   *Sandbox
	conn *smtp.Conn

	from  string
	rcpts []string
}

var _ smtp.AuthSession = (*smtpSession)(nil)

// AuthMechanisms implements smtp.AuthSession: AUTH is optional and any
// credentials are accepted, so clients configured with a login work too.
func (s *smtpSession) AuthMechanisms() []string { return []string{sasl.Plain} }

// Auth implements smtp.AuthSession.
func (s *smtpSession) Auth(mech string) (sasl.Server, error) {
	return sasl.NewPlainServer(func(identity, username, password string) error { return nil }), nil
}

// Mail implements smtp.Session.
func (s *smtpSession) Mail(from string, opts *smtp.MailOptions) error {
	s.from = from
	s.rcpts = s.rcpts[:0]
	return nil
}

// Rcpt implements smtp.Session; any syntactically usable address is local.
func (s *smtpSession) Rcpt(to string, opts *smtp.RcptOptions) error {
	if _, err := normalize(to); err != nil {
		return &smtp.SMTPError{Code: 501, EnhancedCode: smtp.EnhancedCode{5, 1, 3}, Message: "Bad recipient address"}
	}
	s.rcpts = append(s.rcpts, to)
	return nil
}

// Data implements smtp.Session: it reads the whole message, then delivers a
// copy with trace header fields to every recipient's INBOX.
func (s *smtpSession) Data(r io.Reader) error {
	body, err := io.ReadAll(r)
	if err != nil {
		return err // go-smtp maps a too-large message to 552 itself
	}
	now := time.Now()
	for _, rcpt := range s.rcpts {
		var msg bytes.Buffer
		msg.Grow(len(body) + 256)
		writeTrace(&msg, s.from, rcpt, s.conn.Hostname(), s.conn.Conn().RemoteAddr(), now)
		msg.Write(body)
		if err := s.sb.Deliver(rcpt, msg.Bytes()); err != nil {
			s.sb.log.Warn("sandbox delivery failed", "rcpt", rcpt, "err", err)
			return &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "Delivery failed, try again"}
		}
	}
	return nil
}

// writeTrace writes what a final delivery adds on top of a message:
// Return-Path with the envelope sender (RFC 5321 §4.4; "<>" for bounces) and
// a Received field.
func writeTrace(w *bytes.Buffer, from, rcpt, helo string, remote net.Addr, now time.Time) {
	fmt.Fprintf(w, "Return-Path: <%s>\r\n", from)
	fmt.Fprintf(w, "Received: from %s (%s)\r\n\tby sandbox.localhost (ticketd dev sandbox) with ESMTP\r\n\tfor <%s>; %s\r\n",
		helo, remote, rcpt, now.Format(time.RFC1123Z))
}

// Reset implements smtp.Session.
func (s *smtpSession) Reset() {
	s.from = ""
	s.rcpts = nil
}

// Logout implements smtp.Session.
func (s *smtpSession) Logout() error { return nil }

// printfLogger adapts the servers' Printf-style error logs to slog. They
// report connection-level errors, never message bodies or credentials.
type printfLogger struct{ log *slog.Logger }

func (l printfLogger) Printf(format string, v ...any) {
	l.log.Warn(fmt.Sprintf(format, v...))
}

func (l printfLogger) Println(v ...any) {
	l.log.Warn(strings.TrimSpace(fmt.Sprintln(v...)))
}
