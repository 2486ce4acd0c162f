package smtptest

import (
	"bytes"
	"crypto/tls"
	"fmt"
	"io"
	"log"
	"net"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

// Message is one message the server accepted.
type Message struct {
	From     string   // envelope sender (MAIL FROM)
	To       []string // envelope recipients the server accepted (RCPT TO)
	Data     []byte   // the message as received, headers and body
	Username string   // the AUTH PLAIN user, "" without AUTH
	TLS      bool     // the message came over TLS (implicit or STARTTLS)
	// RcptOptions are the ESMTP parameters each RCPT TO carried
	// (NOTIFY, ORCPT with Options.EnableDSN), in the order of To.
	RcptOptions []smtp.RcptOptions
}

// Options configure a Server started with StartWith. The zero value is
// what Start uses: plain text, AUTH PLAIN offered and optional, any
// credentials accepted.
type Options struct {
	// TLSConfig, when not nil, secures the server. Without ImplicitTLS the
	// server offers STARTTLS (RFC 3207); with it, the listener speaks TLS
	// from the first byte (RFC 8314 §3.3, port 465). Either way AUTH is
	// offered only over TLS.
	TLSConfig   *tls.Config
	ImplicitTLS bool
	// RequireAuth makes MAIL before a successful AUTH fail with 530 5.7.0
	// (RFC 4954 §6), so a delivered message proves the client logged in.
	RequireAuth bool
	// Username and Password, when Username is not "", are the only
	// credentials AUTH PLAIN accepts; others fail with 535 5.7.8.
	Username, Password string
	// OAuthToken, when set, makes the server offer XOAUTH2 and
	// OAUTHBEARER besides PLAIN: they accept Username (when set) with the
	// token it returns at the time (oauth.go).
	OAuthToken func() string
	// EnableDSN makes the server offer DSN (RFC 3461) and accept the
	// NOTIFY and ORCPT parameters of RCPT TO, recording them in
	// Message.RcptOptions; without it they are refused with 504.
	EnableDSN bool
	// OnData, when set, is called with each message after its data was
	// read and before the server accepts it (the reply to the final
	// dot), from the connection's goroutine: a test can stall a DATA
	// there, or check what the client recorded before its next mail is
	// accepted.
	OnData func(Message)
}

// Server is a capturing SMTP server. Create it with Start or StartWith.
type Server struct {
	t    testing.TB
	opts Options
	srv  *smtp.Server
	ln   net.Listener // the TCP listener, counting connections

	mu       sync.Mutex
	changed  chan struct{} // closed and replaced whenever msgs grows
	msgs     []Message
	conns    int
	failRcpt map[string]int // lower-case address → reply code
	dataCode int            // reply code for the next dataLeft DATA commands
	dataLeft int
}

// Start starts a plain-text server on 127.0.0.1 on a free port. It is
// closed when the test ends.
func Start(t testing.TB) *Server {
	t.Helper()
	return StartWith(t, Options{})
}

// StartWith starts a server configured by opts on 127.0.0.1 on a free port.
// It is closed when the test ends.
func StartWith(t testing.TB, opts Options) *Server {
	t.Helper()
	if opts.ImplicitTLS && opts.TLSConfig == nil {
		t.Fatalf("smtptest: ImplicitTLS needs a TLSConfig")
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("smtptest: listen: %v", err)
	}
	s := &Server{
		t:        t,
		opts:     opts,
		changed:  make(chan struct{}),
		failRcpt: make(map[string]int),
	}
	s.ln = &countingListener{Listener: ln, s: s}
	serve := s.ln
	srv := smtp.NewServer(smtp.BackendFunc(s.newSession))
	srv.Domain = "localhost"
	// Without TLS, AUTH over plain text is how the existing tests log in;
	// with TLS, a password must never travel before the handshake.
	srv.AllowInsecureAuth = opts.TLSConfig == nil
	if opts.TLSConfig != nil {
		if opts.ImplicitTLS {
			serve = tls.NewListener(s.ln, opts.TLSConfig)
		} else {
			srv.TLSConfig = opts.TLSConfig
		}
	}
	srv.EnableDSN = opts.EnableDSN
	srv.MaxMessageBytes = 32 << 20
	srv.ReadTimeout = time.Minute
	srv.WriteTimeout = time.Minute
	// go-smtp logs to stderr by default; a test's output is no place for
	// the server's complaints about clients hanging up.
	srv.ErrorLog = log.New(io.Discard, "", 0)
	s.srv = srv
	go srv.Serve(serve)
	t.Cleanup(s.Close)
	return s
}

// Addr returns the host:port the server listens on.
func (s *Server) Addr() string { return s.ln.Addr().String() }

// Close stops the server and closes every connection. It is safe to call
// more than once.
func (s *Server) Close() {
	s.srv.Close()
	s.ln.Close() // in case Close ran before Serve registered the listener
}

// Messages returns a copy of every message accepted so far, in order.
func (s *Server) Messages() []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	return copyMessages(s.msgs)
}

// Connections returns how many connections the server has accepted.
func (s *Server) Connections() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.conns
}

// WaitFor waits until at least n messages were accepted and returns them.
// It fails the test (t.Fatalf: call it from the test's goroutine) when
// timeout passes first.
func (s *Server) WaitFor(n int, timeout time.Duration) []Message {
	s.t.Helper()
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	for {
		s.mu.Lock()
		if len(s.msgs) >= n {
			msgs := copyMessages(s.msgs)
			s.mu.Unlock()
			return msgs
		}
		changed, got := s.changed, len(s.msgs)
		s.mu.Unlock()
		select {
		case <-changed:
		case <-deadline.C:
			s.t.Fatalf("smtptest: waited %v for %d messages, got %d", timeout, n, got)
			return nil
		}
	}
}

// Reset forgets every message, the connection count and every failure set
// with FailRcpt or FailData.
func (s *Server) Reset() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.msgs = nil
	s.conns = 0
	clear(s.failRcpt)
	s.dataCode, s.dataLeft = 0, 0
}

// FailRcpt makes every RCPT TO addr (case-insensitive) fail with code (e.g.
// 451 temporary, 550 permanent) until Reset or FailRcpt(addr, 0).
func (s *Server) FailRcpt(addr string, code int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	addr = strings.ToLower(addr)
	if code == 0 {
		delete(s.failRcpt, addr)
		return
	}
	s.failRcpt[addr] = code
}

// FailData makes the next times messages fail with code after their data
// was received (the reply to the final dot).
func (s *Server) FailData(code int, times int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.dataCode, s.dataLeft = code, times
}

func copyMessages(msgs []Message) []Message {
	out := make([]Message, len(msgs))
	for i, m := range msgs {
		out[i] = m
		out[i].To, out[i].Data, out[i].RcptOptions = slices.Clone(m.To), bytes.Clone(m.Data), slices.Clone(m.RcptOptions)
	}
	return out
}

// replyError is the SMTP reply for an injected failure.
func replyError(code int, what string) *smtp.SMTPError {
	class := code / 100
	return &smtp.SMTPError{
		Code:         code,
		EnhancedCode: smtp.EnhancedCode{class, 0, 0},
		Message:      fmt.Sprintf("smtptest: injected failure for %s", what),
	}
}

type countingListener struct {
	net.Listener
	s *Server
}

func (l *countingListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err == nil {
		l.s.mu.Lock()
		l.s.conns++
		l.s.mu.Unlock()
	}
	return c, err
}

func (s *Server) newSession(c *smtp.Conn) (smtp.Session, error) {
	return &session{s: s, c: c}, nil
}

// session is one SMTP session; go-smtp calls it from the connection's
// goroutine only, so its own fields need no lock. go-smtp starts a new
// session after STARTTLS, so nothing said in plain text carries over.
type session struct {
	s        *Server
	c        *smtp.Conn
	username string
	from     string
	to       []string
	rcptOpts []smtp.RcptOptions
}

var _ smtp.AuthSession = (*session)(nil)

func (ss *session) AuthMechanisms() []string {
	if ss.s.opts.OAuthToken != nil {
		return []string{sasl.Plain, "XOAUTH2", sasl.OAuthBearer}
	}
	return []string{sasl.Plain}
}

func (ss *session) Auth(mech string) (sasl.Server, error) {
	if mech != sasl.Plain {
		return ss.oauth(mech)
	}
	want := ss.s.opts
	return sasl.NewPlainServer(func(identity, username, password string) error {
		if want.Username != "" && (username != want.Username || password != want.Password) {
			return smtp.ErrAuthFailed
		}
		ss.username = username
		return nil
	}), nil
}

// errAuthRequired is RFC 4954 §6's reply to MAIL before AUTH. (go-smtp's
// own ErrAuthRequired uses 502.)
var errAuthRequired = &smtp.SMTPError{
	Code:         530,
	EnhancedCode: smtp.EnhancedCode{5, 7, 0},
	Message:      "Authentication required",
}

func (ss *session) Mail(from string, _ *smtp.MailOptions) error {
	if ss.s.opts.RequireAuth && ss.username == "" {
		return errAuthRequired
	}
	ss.from = from
	return nil
}

func (ss *session) Rcpt(to string, opts *smtp.RcptOptions) error {
	ss.s.mu.Lock()
	code := ss.s.failRcpt[strings.ToLower(to)]
	ss.s.mu.Unlock()
	if code != 0 {
		return replyError(code, "<"+to+">")
	}
	ss.to = append(ss.to, to)
	var o smtp.RcptOptions
	if opts != nil {
		o = *opts
	}
	ss.rcptOpts = append(ss.rcptOpts, o)
	return nil
}

func (ss *session) Data(r io.Reader) error {
	// Read everything first: go-smtp requires it, and a client must see
	// the failure only after the final dot, as with a real server.
	data, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	s := ss.s
	if s.opts.OnData != nil {
		s.opts.OnData(Message{From: ss.from, To: slices.Clone(ss.to), Data: bytes.Clone(data), Username: ss.username,
			RcptOptions: slices.Clone(ss.rcptOpts)})
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.dataLeft > 0 {
		s.dataLeft--
		return replyError(s.dataCode, "message data")
	}
	_, overTLS := ss.c.TLSConnectionState()
	s.msgs = append(s.msgs, Message{From: ss.from, To: slices.Clone(ss.to), Data: data, Username: ss.username, TLS: overTLS,
		RcptOptions: slices.Clone(ss.rcptOpts)})
	close(s.changed)
	s.changed = make(chan struct{})
	return nil
}

func (ss *session) Reset() {
	ss.from = ""
	ss.to = nil
	ss.rcptOpts = nil
}

func (ss *session) Logout() error { return nil }
