package dovecottest

import (
	"bufio"
	"context"
	"crypto/tls"
	"fmt"
	"net"
	"strings"
	"time"
)

// greeted reports whether an IMAP server on addr sends our unique greeting.
func greeted(addr, greeting string) bool {
	c, err := net.DialTimeout("tcp", addr, 500*time.Millisecond)
	if err != nil {
		return false
	}
	defer c.Close()
	_ = c.SetReadDeadline(time.Now().Add(2 * time.Second))
	line, err := bufio.NewReader(c).ReadString('\n')
	return err == nil && strings.HasPrefix(line, "* OK") && strings.Contains(line, greeting)
}

// tlsGreeted checks that an implicit-TLS IMAP server on addr completes a
// verified handshake and sends our unique greeting.
func tlsGreeted(addr, greeting string, cfg *tls.Config) error {
	d := &tls.Dialer{NetDialer: &net.Dialer{Timeout: 2 * time.Second}, Config: cfg}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	c, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return err
	}
	defer c.Close()
	_ = c.SetReadDeadline(time.Now().Add(2 * time.Second))
	line, err := bufio.NewReader(c).ReadString('\n')
	if err != nil {
		return err
	}
	if !strings.HasPrefix(line, "* OK") || !strings.Contains(line, greeting) {
		return fmt.Errorf("unexpected greeting %q", line)
	}
	return nil
}

// clientTLS is a client configuration that trusts only the server's CA.
func (s *Server) clientTLS() *tls.Config {
	cfg := s.opts.Cert.ClientConfig()
	cfg.ServerName = "127.0.0.1"
	return cfg
}

// freePort returns a port that was free on 127.0.0.1 a moment ago. Another
// process may take it before Dovecot binds it; Start retries on that clash.
func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("pick a free port: %w", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}
