package main

// End-to-end tests over TLS: the real ticketd binary against Dovecot with
// STARTTLS and a capturing SMTP server with implicit TLS and required AUTH,
// each with its own throw-away CA given to ticketd as ca_file.

import (
	"context"
	"errors"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ticketd/ticketd/internal/testkit/dovecottest"
	"github.com/ticketd/ticketd/internal/testkit/smtptest"
	"github.com/ticketd/ticketd/internal/testkit/testcert"
	"github.com/ticketd/ticketd/tickets"
)

const (
	smtpUser = "mesa-envios"
	smtpPass = "s3cret-smtp"
)

// newTLSE2E starts Dovecot with TLS and an implicit-TLS SMTP sink that
// requires AUTH PLAIN as smtpUser, each with its own CA, and returns the
// fixture (the e2e type of e2e_test.go) without a configuration yet, and
// the SMTP server's CA file.
func newTLSE2E(t *testing.T) (e *e2e, smtpCA string) {
	t.Helper()
	e = &e2e{t: t, dir: t.TempDir()}
	e.dataDir = filepath.Join(e.dir, "data")
	e.imap = dovecottest.StartWith(t, dovecottest.Options{TLS: true}, dovecottest.User{Name: deskAddr, Password: deskPass})
	cert := testcert.New(t)
	e.smtp = smtptest.StartWith(t, smtptest.Options{
		TLSConfig:   cert.ServerConfig(),
		ImplicitTLS: true,
		RequireAuth: true,
		Username:    smtpUser,
		Password:    smtpPass,
	})
	return e, cert.CAFile
}

const tlsRequest = `From: Pedro Pérez <pedro@cliente.test>
To: soporte@ticketd.test
Subject: La VPN no conecta
Message-ID: <tls-first@cliente.test>
Date: Mon, 02 Mar 2026 09:00:00 -0500
Content-Type: text/plain; charset=UTF-8

Desde esta mañana la VPN rechaza mi usuario.
`

// waitLogins waits until Dovecot's log shows at least one login of user
// and returns the counts over TLS and in plain text.
func waitLogins(t *testing.T, s *dovecottest.Server, user string) (overTLS, plain int) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		overTLS, plain = s.LoginsOverTLS(t, user)
		if overTLS+plain > 0 || time.Now().After(deadline) {
			return overTLS, plain
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestTLSLoop: IMAP with STARTTLS and SMTP with implicit TLS and AUTH
// PLAIN, each server's CA trusted through ca_file. A requester's mail
// becomes ticket 1 and the acknowledgement is delivered over TLS.
func TestTLSLoop(t *testing.T) {
	e, smtpCA := newTLSE2E(t)
	e.writeConfig(
		server{addr: e.imap.Addr(), security: "starttls", caFile: e.imap.CAFile()},
		server{addr: e.smtp.Addr(), security: "tls", caFile: smtpCA, user: smtpUser, password: smtpPass},
	)
	e.deliver(tlsRequest)
	// The helper's APPEND logged in over STARTTLS too; count from here.
	tlsBefore, plainBefore := waitLogins(t, e.imap, deskAddr)

	start := time.Now()
	out := e.ticketd("once")
	t.Logf("ticketd once over TLS: %v", time.Since(start))

	// ticketd's logins (before the helpers below log in again) went over
	// TLS; the helpers only ever use STARTTLS, so any plain-text login
	// would be ticketd's.
	deadline := time.Now().Add(5 * time.Second)
	for {
		overTLS, plain := e.imap.LoginsOverTLS(t, deskAddr)
		if plain != plainBefore {
			t.Fatalf("ticketd logged in to Dovecot without TLS (%d plain-text logins)\n%s", plain-plainBefore, out)
		}
		if overTLS > tlsBefore {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no login by ticketd in Dovecot's log (%d over TLS before, %d after)\n%s", tlsBefore, overTLS, out)
		}
		time.Sleep(20 * time.Millisecond)
	}

	if n := e.imap.Count(t, deskAddr, "INBOX"); n != 0 {
		t.Fatalf("INBOX still holds %d messages\n%s", n, out)
	}
	if n := e.imap.Count(t, deskAddr, "Procesados"); n != 1 {
		t.Fatalf("Procesados holds %d messages, want 1\n%s", n, out)
	}
	e.withStore(func(s *tickets.Store) {
		tk, err := s.Ticket(1)
		if err != nil {
			t.Fatalf("ticket 1: %v\n%s", err, out)
		}
		if tk.Requester.Email != requester {
			t.Errorf("ticket 1 requester %q, want %s", tk.Requester.Email, requester)
		}
		if left, _ := s.Outbox(); len(left) != 0 {
			t.Errorf("%d mails left in the outbox; first error %q", len(left), left[0].LastError)
		}
	})

	msgs := e.smtp.WaitFor(2, 10*time.Second)
	var ack *sent
	for _, m := range msgs {
		if !m.TLS || m.Username != smtpUser {
			t.Errorf("mail to %v: over TLS %v, AUTH user %q; want TLS and %q", m.To, m.TLS, m.Username, smtpUser)
		}
		if s := parseSent(t, m); strings.Join(s.to, ",") == requester {
			ack = &s
		}
	}
	if ack == nil {
		t.Fatalf("no acknowledgement to %s among %d mails", requester, len(msgs))
	}
	if !strings.Contains(ack.subject, "[Soporte #1]") {
		t.Errorf("acknowledgement subject %q lacks [Soporte #1]", ack.subject)
	}
}

// TestTLSRefusesUntrustedIMAP: when ticketd cannot verify the IMAP server,
// "ticketd once" fails, says why, and leaves the mail where it is.
func TestTLSRefusesUntrustedIMAP(t *testing.T) {
	e, smtpCA := newTLSE2E(t)
	e.deliver(tlsRequest)
	for _, tc := range []struct {
		name string
		imap server
		want []string // each must appear in the output
	}{
		{
			// The system's CAs do not know the test CA.
			name: "starttls without ca_file",
			imap: server{addr: e.imap.Addr(), security: "starttls"},
			want: []string{"certificate", "unknown authority"},
		},
		{
			// A ca_file naming a different CA (the SMTP server's).
			name: "starttls with another CA",
			imap: server{addr: e.imap.Addr(), security: "starttls", caFile: smtpCA},
			want: []string{"certificate", "unknown authority"},
		},
		{
			name: "implicit tls without ca_file",
			imap: server{addr: e.imap.TLSAddr(), security: "tls"},
			want: []string{"certificate", "unknown authority"},
		},
		{
			// Implicit TLS to the port that greets in plain text first.
			name: "tls to the starttls port",
			imap: server{addr: e.imap.Addr(), security: "tls", caFile: e.imap.CAFile()},
			want: []string{"(tls)", "does not look like a TLS handshake"},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			// The servers are shared; each case gets its own config and
			// data directory.
			e.t = t
			e.dir = t.TempDir()
			e.dataDir = filepath.Join(e.dir, "data")
			e.writeConfig(tc.imap, server{addr: e.smtp.Addr(), security: "tls", caFile: smtpCA, user: smtpUser, password: smtpPass})

			ctx, cancel := context.WithTimeout(context.Background(), e2eTimeout)
			defer cancel()
			out, err := exec.CommandContext(ctx, binary, "once", "--config", e.config).CombinedOutput()
			var exit *exec.ExitError
			if !errors.As(err, &exit) || exit.ExitCode() == 0 {
				t.Fatalf("ticketd once = %v, want a non-zero exit\n%s", err, out)
			}
			if ctx.Err() != nil {
				t.Fatalf("ticketd once hung until the test's timeout\n%s", out)
			}
			for _, w := range tc.want {
				if !strings.Contains(string(out), w) {
					t.Errorf("output lacks %q:\n%s", w, out)
				}
			}
			t.Logf("ticketd once: %v; last line: %s", err, lastLine(string(out)))
			if n := e.imap.Count(t, deskAddr, "INBOX"); n != 1 {
				t.Errorf("INBOX holds %d messages, want the 1 untouched", n)
			}
			if n := e.imap.Count(t, deskAddr, "Procesados"); n != 0 {
				t.Errorf("Procesados holds %d messages, want 0", n)
			}
			if n := len(e.smtp.Messages()); n != 0 {
				t.Errorf("%d mails sent", n)
			}
		})
	}
}

// TestTLSUntrustedSMTPDefersMail: when ticketd cannot verify the SMTP
// server, the ticket is still created and its mails wait in the outbox
// with the certificate error, sent to nobody.
func TestTLSUntrustedSMTPDefersMail(t *testing.T) {
	e, _ := newTLSE2E(t)
	e.writeConfig(
		server{addr: e.imap.Addr(), security: "starttls", caFile: e.imap.CAFile()},
		server{addr: e.smtp.Addr(), security: "tls", user: smtpUser, password: smtpPass}, // no ca_file
	)
	e.deliver(tlsRequest)
	out := e.ticketd("once")
	if n := e.imap.Count(t, deskAddr, "Procesados"); n != 1 {
		t.Fatalf("Procesados holds %d messages, want 1\n%s", n, out)
	}
	e.withStore(func(s *tickets.Store) {
		if _, err := s.Ticket(1); err != nil {
			t.Fatalf("ticket 1: %v", err)
		}
		left, err := s.Outbox()
		if err != nil {
			t.Fatal(err)
		}
		if len(left) == 0 {
			t.Fatal("outbox empty: the mails were sent or dropped")
		}
		for _, m := range left {
			if m.Attempts != 1 || !strings.Contains(m.LastError, "certificate") {
				t.Errorf("mail %d: attempts %d, last error %q; want 1 and a certificate error", m.ID, m.Attempts, m.LastError)
			}
		}
	})
	if n := len(e.smtp.Messages()); n != 0 {
		t.Errorf("%d mails reached the untrusted server", n)
	}
	if !strings.Contains(out, "certificate") {
		t.Errorf("the log does not name the certificate problem:\n%s", out)
	}
}

func lastLine(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return lines[len(lines)-1]
}
