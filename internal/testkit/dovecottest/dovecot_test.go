package dovecottest

import (
	"bytes"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"os"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2/imapclient"

	"github.com/ticketd/ticketd/internal/testkit/testcert"
)

func msg(i int) []byte {
	return fmt.Appendf(nil, "From: a@example.com\r\nTo: soporte@example.com\r\nSubject: test %d\r\nMessage-ID: <m%d@example.com>\r\n\r\nbody %d\r\n", i, i, i)
}

func TestServer(t *testing.T) {
	start := time.Now()
	const user = "Soporte@Example.com"
	s := Start(t, User{Name: user, Password: "s3cret"}, User{Name: "other", Password: "x"})
	t.Logf("dovecot ready on %s (pid %d) in %v", s.Addr(), s.PID(), time.Since(start))

	if s.PID() <= 0 || processGone(s.PID()) {
		t.Fatalf("PID() = %d, want a running process", s.PID())
	}

	if n := s.Count(t, user, "Procesados"); n != 0 {
		t.Fatalf("Count(missing mailbox) = %d, want 0", n)
	}
	if got := s.Fetch(t, user, "Procesados"); got != nil {
		t.Fatalf("Fetch(missing mailbox) = %d messages, want none", len(got))
	}

	s.Append(t, user, "INBOX", msg(1))
	s.AppendMany(t, user, "INBOX", [][]byte{msg(2), msg(3)})
	if n := s.Count(t, user, "INBOX"); n != 3 {
		t.Fatalf("Count(INBOX) = %d, want 3", n)
	}
	got := s.Fetch(t, user, "INBOX")
	if len(got) != 3 {
		t.Fatalf("Fetch(INBOX) = %d messages, want 3", len(got))
	}
	for i, raw := range got {
		if !bytes.Equal(raw, msg(i+1)) {
			t.Errorf("message %d = %q, want %q", i+1, raw, msg(i+1))
		}
	}

	// Append creates a missing mailbox; users are separate.
	s.Append(t, user, "Procesados", msg(4))
	if n := s.Count(t, user, "Procesados"); n != 1 {
		t.Fatalf("Count(Procesados) = %d, want 1", n)
	}
	if n := s.Count(t, "other", "INBOX"); n != 0 {
		t.Fatalf("Count(other INBOX) = %d, want 0", n)
	}

	caps := s.Caps(t, user)
	for _, want := range []string{"MOVE", "IDLE", "UIDPLUS"} {
		if !slices.Contains(caps, want) {
			t.Errorf("Caps() = %v, missing %s", caps, want)
		}
	}

	pid, addr := s.PID(), s.Addr()
	stop := time.Now()
	s.Stop()
	t.Logf("stopped in %v", time.Since(stop))
	if err := syscall.Kill(pid, 0); !errors.Is(err, syscall.ESRCH) {
		t.Fatalf("after Stop, kill(%d, 0) = %v, want ESRCH", pid, err)
	}
	if c, err := net.DialTimeout("tcp", addr, time.Second); err == nil {
		c.Close()
		t.Fatalf("after Stop, %s still accepts connections", addr)
	}
	s.Stop() // idempotent
}

func TestStartTwice(t *testing.T) {
	// Two servers side by side get different ports and directories.
	t.Parallel()
	a := Start(t, User{Name: "a", Password: "a"})
	b := Start(t, User{Name: "b", Password: "b"})
	if a.Addr() == b.Addr() || a.dir == b.dir {
		t.Fatalf("servers share %s / %s", a.Addr(), a.dir)
	}
	a.Append(t, "a", "INBOX", msg(1))
	if n := b.Count(t, "b", "INBOX"); n != 0 {
		t.Fatalf("second server sees %d messages", n)
	}
}

func TestWrongPasswordIsFast(t *testing.T) {
	// auth_failure_delay = 0 and no anvil penalty: failed logins answer at once.
	t.Parallel()
	s := Start(t, User{Name: "u", Password: "right"})
	s.users["u"] = "wrong"
	for i := 0; i < 3; i++ {
		c := dialRaw(t, s.Addr())
		begin := time.Now()
		fmt.Fprintf(c, "a LOGIN u wrong\r\n")
		buf := make([]byte, 512)
		n, _ := c.Read(buf)
		c.Close()
		if d := time.Since(begin); d > time.Second {
			t.Fatalf("failed login %d took %v (%q)", i, d, buf[:n])
		}
		if !bytes.Contains(buf[:n], []byte("a NO")) {
			t.Fatalf("failed login %d answered %q", i, buf[:n])
		}
	}
}

func dialRaw(t *testing.T, addr string) net.Conn {
	t.Helper()
	c, err := net.DialTimeout("tcp", addr, 2*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	_ = c.SetDeadline(time.Now().Add(5 * time.Second))
	buf := make([]byte, 512)
	if _, err := c.Read(buf); err != nil { // greeting
		t.Fatal(err)
	}
	return c
}

func TestProcessGone(t *testing.T) {
	if processGone(syscall.Getpid()) {
		t.Fatal("processGone(self) = true")
	}
}

func TestTLS(t *testing.T) {
	t.Parallel()
	start := time.Now()
	const user = "soporte@example.com"
	s := StartWith(t, Options{TLS: true}, User{Name: user, Password: "pw"})
	t.Logf("dovecot with TLS ready on %s and %s in %v", s.Addr(), s.TLSAddr(), time.Since(start))
	if s.TLSAddr() == "" || s.TLSAddr() == s.Addr() || s.CAFile() == "" || s.Cert() == nil {
		t.Fatalf("TLSAddr %q, Addr %q, CAFile %q", s.TLSAddr(), s.Addr(), s.CAFile())
	}
	if pem, err := os.ReadFile(s.CAFile()); err != nil || !bytes.Contains(pem, []byte("BEGIN CERTIFICATE")) {
		t.Fatalf("CAFile: %v", err)
	}

	// The helpers use STARTTLS on Addr.
	s.Append(t, user, "INBOX", msg(1))
	if n := s.Count(t, user, "INBOX"); n != 1 {
		t.Fatalf("Count = %d, want 1", n)
	}

	// Plain text on Addr offers STARTTLS.
	c := dialRaw(t, s.Addr())
	fmt.Fprintf(c, "a CAPABILITY\r\n")
	buf := make([]byte, 1024)
	n, _ := c.Read(buf)
	c.Close()
	if !bytes.Contains(buf[:n], []byte("STARTTLS")) {
		t.Errorf("CAPABILITY before TLS = %q, want STARTTLS", buf[:n])
	}

	// Implicit TLS on TLSAddr, verified against the CA alone.
	cfg := s.Cert().ClientConfig()
	cfg.ServerName = "127.0.0.1"
	ic, err := imapclient.DialTLS(s.TLSAddr(), &imapclient.Options{TLSConfig: cfg, Dialer: &net.Dialer{Timeout: 5 * time.Second}})
	if err != nil {
		t.Fatalf("imaps: %v", err)
	}
	if err := ic.Login(user, "pw").Wait(); err != nil {
		t.Fatalf("imaps login: %v", err)
	}
	_ = ic.Logout().Wait()
	ic.Close()

	// Another CA does not trust the server: the handshake fails.
	other := testcert.New(t).ClientConfig()
	other.ServerName = "127.0.0.1"
	d := &tls.Dialer{NetDialer: &net.Dialer{Timeout: 5 * time.Second}, Config: other}
	if tc, err := d.Dial("tcp", s.TLSAddr()); err == nil || !strings.Contains(err.Error(), "certificate") {
		if tc != nil {
			tc.Close()
		}
		t.Fatalf("handshake trusting another CA: %v, want a certificate error", err)
	}

	// Every login so far was over TLS; the log says so.
	deadline := time.Now().Add(5 * time.Second)
	for {
		overTLS, plain := s.LoginsOverTLS(t, user)
		if overTLS >= 3 && plain == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("logins over TLS %d, plain %d; want 3 and 0", overTLS, plain)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestPlainServerHasNoTLS(t *testing.T) {
	t.Parallel()
	s := Start(t, User{Name: "u", Password: "p"})
	if s.TLSAddr() != "" || s.CAFile() != "" || s.Cert() != nil {
		t.Fatalf("plain server: TLSAddr %q CAFile %q", s.TLSAddr(), s.CAFile())
	}
	c := dialRaw(t, s.Addr())
	fmt.Fprintf(c, "a CAPABILITY\r\n")
	buf := make([]byte, 1024)
	n, _ := c.Read(buf)
	c.Close()
	if bytes.Contains(buf[:n], []byte("STARTTLS")) {
		t.Errorf("ssl = no but CAPABILITY = %q", buf[:n])
	}
	s.Append(t, "u", "INBOX", msg(1))
	deadline := time.Now().Add(5 * time.Second)
	for {
		overTLS, plain := s.LoginsOverTLS(t, "u")
		if overTLS == 0 && plain == 1 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("logins over TLS %d, plain %d; want 0 and 1", overTLS, plain)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
