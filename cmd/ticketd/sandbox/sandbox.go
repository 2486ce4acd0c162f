package sandbox

import (
	"errors"
	"fmt"
	"log/slog"
	"net"
	"sync"

	"github.com/emersion/go-smtp"

	"github.com/ticketd/ticketd/connpolicy"
)

// DefaultPassword is the sandbox password when Options.Password is empty.
const DefaultPassword = "dev"

// Options configures Start. The zero value is usable.
type Options struct {
	// IMAPAddr and SMTPAddr are the listen addresses; "" means
	// "127.0.0.1:0" (a free port). Only loopback hosts are allowed.
	IMAPAddr, SMTPAddr string
	// Password is the one IMAP password of every address; "" means
	// DefaultPassword.
	Password string
	// Logger receives deliveries and server errors; nil discards them.
	Logger *slog.Logger
}

// Sandbox is a running pair of IMAP and SMTP servers sharing one in-memory
// mail store. Its methods are safe for concurrent use.
type Sandbox struct {
	log      *slog.Logger
	password string
	store    *store

	imap *listening
	smtp *listening

	closeOnce sync.Once
	closeErr  error
}

// Start listens on the IMAP and SMTP addresses and serves both until Close.
func Start(opts Options) (*Sandbox, error) {
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	password := opts.Password
	if password == "" {
		password = DefaultPassword
	}
	imapLn, err := listenLoopback(opts.IMAPAddr)
	if err != nil {
		return nil, fmt.Errorf("sandbox imap: %w", err)
	}
	smtpLn, err := listenLoopback(opts.SMTPAddr)
	if err != nil {
		imapLn.Close()
		return nil, fmt.Errorf("sandbox smtp: %w", err)
	}
	s := &Sandbox{log: log, password: password, store: newStore()}
	s.imap = startIMAP(s, imapLn)
	s.smtp = startSMTP(s, smtpLn)
	log.Info("mail sandbox started", "imap", s.IMAPAddr(), "smtp", s.SMTPAddr())
	return s, nil
}

// IMAPAddr returns the IMAP server's address, e.g. "127.0.0.1:1143".
func (s *Sandbox) IMAPAddr() string { return s.imap.ln.Addr().String() }

// SMTPAddr returns the SMTP server's address, e.g. "127.0.0.1:1025".
func (s *Sandbox) SMTPAddr() string { return s.smtp.ln.Addr().String() }

// Close stops both servers, closing open connections, and waits for them.
// Later calls return the first call's result.
func (s *Sandbox) Close() error {
	s.closeOnce.Do(func() {
		s.closeErr = errors.Join(s.smtp.close(), s.imap.close())
		s.log.Info("mail sandbox stopped")
	})
	return s.closeErr
}

// listenLoopback listens on addr ("" → 127.0.0.1:0), refusing any host that
// is not loopback: the sandbox has no TLS and lets anyone log in.
func listenLoopback(addr string) (net.Listener, error) {
	if addr == "" {
		addr = "127.0.0.1:0"
	}
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, fmt.Errorf("listen address %q: %w", addr, err)
	}
	if !connpolicy.IsLoopback(host) {
		return nil, fmt.Errorf("listen address %q: only loopback is allowed (e.g. 127.0.0.1:1143)", addr)
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("listen: %w", err)
	}
	return ln, nil
}

// server is what the IMAP and SMTP servers have in common.
type server interface {
	Serve(net.Listener) error
	Close() error
}

// listening is one running server of the sandbox.
type listening struct {
	srv  server
	ln   net.Listener
	done chan struct{} // closed when Serve has returned
}

func serve(srv server, ln net.Listener, log *slog.Logger) *listening {
	l := &listening{srv: srv, ln: ln, done: make(chan struct{})}
	go func() {
		defer close(l.done)
		if err := srv.Serve(ln); err != nil && !closedErr(err) {
			log.Error("sandbox server stopped", "err", err)
		}
	}()
	return l
}

func (l *listening) close() error {
	err := l.srv.Close()
	// Serve may not have registered the listener yet when Close runs.
	_ = l.ln.Close()
	<-l.done
	if err != nil && !closedErr(err) {
		return err
	}
	return nil
}

func closedErr(err error) bool {
	return errors.Is(err, net.ErrClosed) || errors.Is(err, smtp.ErrServerClosed)
}
