package smtptest

import (
	"net"

	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"

	"github.com/ticketd/ticketd/internal/testkit/testcert"
)

func send(t *testing.T, addr, from string, to []string, body string) error {
	t.Helper()
	c, err := smtp.Dial(addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := c.Auth(sasl.NewPlainClient("", "user", "pass")); err != nil {
		t.Fatalf("auth: %v", err)
	}
	if err := c.SendMail(from, to, strings.NewReader(body)); err != nil {
		return err
	}
	return c.Quit()
}

func TestCapturesMessages(t *testing.T) {
	s := Start(t)
	body := "Subject: hi\r\n\r\nhello\r\n"
	if err := send(t, s.Addr(), "a@example.com", []string{"b@example.com", "c@example.com"}, body); err != nil {
		t.Fatal(err)
	}
	msgs := s.WaitFor(1, 5*time.Second)
	m := msgs[0]
	if m.From != "a@example.com" || strings.Join(m.To, ",") != "b@example.com,c@example.com" || string(m.Data) != body || m.Username != "user" {
		t.Fatalf("message = %+v", m)
	}
	// Messages returns copies.
	msgs[0].Data[0] = 'X'
	msgs[0].To[0] = "changed"
	if again := s.Messages(); again[0].Data[0] != 'S' || again[0].To[0] != "b@example.com" {
		t.Error("Messages shares memory with the server")
	}
	if s.Connections() != 1 {
		t.Errorf("connections = %d", s.Connections())
	}
	s.Reset()
	if len(s.Messages()) != 0 || s.Connections() != 0 {
		t.Error("Reset kept state")
	}
}

func TestInjectedFailures(t *testing.T) {
	s := Start(t)
	s.FailRcpt("Bad@Example.com", 550)
	err := send(t, s.Addr(), "a@example.com", []string{"bad@example.com"}, "x\r\n")
	var se *smtp.SMTPError
	if !errors.As(err, &se) || se.Code != 550 {
		t.Fatalf("RCPT: err = %v, want 550", err)
	}

	s.FailData(451, 2)
	for i := range 2 {
		err := send(t, s.Addr(), "a@example.com", []string{"ok@example.com"}, "x\r\n")
		if !errors.As(err, &se) || se.Code != 451 || !se.Temporary() {
			t.Fatalf("DATA %d: err = %v, want 451", i, err)
		}
	}
	if err := send(t, s.Addr(), "a@example.com", []string{"ok@example.com"}, "x\r\n"); err != nil {
		t.Fatalf("third DATA: %v", err)
	}
	s.FailRcpt("bad@example.com", 0)
	if err := send(t, s.Addr(), "a@example.com", []string{"bad@example.com"}, "x\r\n"); err != nil {
		t.Fatalf("after clearing FailRcpt: %v", err)
	}
	if n := len(s.Messages()); n != 2 {
		t.Errorf("messages = %d, want 2", n)
	}
}

func TestWaitForWakesConcurrently(t *testing.T) {
	s := Start(t)
	var wg sync.WaitGroup
	for i := range 5 {
		wg.Go(func() {
			c, err := smtp.Dial(s.Addr())
			if err != nil {
				t.Error(err)
				return
			}
			defer c.Close()
			to := []string{fmt.Sprintf("r%d@example.com", i)}
			if err := c.SendMail("a@example.com", to, strings.NewReader("x\r\n")); err != nil {
				t.Error(err)
			}
		})
	}
	if got := len(s.WaitFor(5, 10*time.Second)); got < 5 {
		t.Fatalf("WaitFor returned %d messages", got)
	}
	wg.Wait()
}

// fatalRecorder records Fatalf instead of stopping the test.
type fatalRecorder struct {
	testing.TB
	mu     sync.Mutex
	fatals []string
}

func (r *fatalRecorder) Fatalf(format string, args ...any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.fatals = append(r.fatals, fmt.Sprintf(format, args...))
}

func TestWaitForTimeoutFailsTheTest(t *testing.T) {
	rec := &fatalRecorder{TB: t}
	s := Start(rec)
	start := time.Now()
	if msgs := s.WaitFor(1, 50*time.Millisecond); msgs != nil {
		t.Errorf("WaitFor returned %v", msgs)
	}
	if time.Since(start) < 50*time.Millisecond {
		t.Error("WaitFor returned before its timeout")
	}
	if len(rec.fatals) != 1 || !strings.Contains(rec.fatals[0], "got 0") {
		t.Errorf("fatals = %q", rec.fatals)
	}
}

// dialTLS opens a client to s over implicit TLS or STARTTLS, trusting cert.
func dialTLS(t *testing.T, addr string, implicit bool, cert *testcert.Cert) *smtp.Client {
	t.Helper()
	cfg := cert.ClientConfig()
	cfg.ServerName = "127.0.0.1"
	var (
		c   *smtp.Client
		err error
	)
	if implicit {
		c, err = smtp.DialTLS(addr, cfg)
	} else {
		c, err = smtp.DialStartTLS(addr, cfg)
	}
	if err != nil {
		t.Fatalf("dial %s: %v", addr, err)
	}
	t.Cleanup(func() { c.Close() })
	if err := c.Hello("client.test"); err != nil {
		t.Fatalf("hello: %v", err)
	}
	if _, ok := c.TLSConnectionState(); !ok {
		t.Fatal("client not on TLS")
	}
	return c
}

func TestTLSModes(t *testing.T) {
	cert := testcert.New(t)
	for _, implicit := range []bool{true, false} {
		t.Run(fmt.Sprintf("implicit=%v", implicit), func(t *testing.T) {
			s := StartWith(t, Options{TLSConfig: cert.ServerConfig(), ImplicitTLS: implicit, RequireAuth: true, Username: "desk", Password: "pw"})
			c := dialTLS(t, s.Addr(), implicit, cert)
			if ok, _ := c.Extension("STARTTLS"); ok {
				t.Error("STARTTLS offered on a TLS connection")
			}
			// MAIL before AUTH: 530.
			var se *smtp.SMTPError
			if err := c.Mail("a@example.com", nil); !errors.As(err, &se) || se.Code != 530 {
				t.Fatalf("MAIL before AUTH = %v, want 530", err)
			}
			if err := c.Auth(sasl.NewPlainClient("", "desk", "wrong")); !errors.As(err, &se) || se.Code != 535 {
				t.Fatalf("AUTH with a wrong password = %v, want 535", err)
			}
			if err := c.Auth(sasl.NewPlainClient("", "desk", "pw")); err != nil {
				t.Fatalf("AUTH: %v", err)
			}
			if err := c.SendMail("a@example.com", []string{"b@example.com"}, strings.NewReader("Subject: tls\r\n\r\nx\r\n")); err != nil {
				t.Fatal(err)
			}
			if err := c.Quit(); err != nil {
				t.Fatal(err)
			}
			m := s.WaitFor(1, 5*time.Second)[0]
			if !m.TLS || m.Username != "desk" || m.From != "a@example.com" {
				t.Fatalf("message = %+v", m)
			}
		})
	}
}

func TestStartTLSServerRefusesPlainAuth(t *testing.T) {
	// Before STARTTLS the server offers STARTTLS but not AUTH, and a
	// message sent in plain text is recorded as such.
	s := StartWith(t, Options{TLSConfig: testcert.New(t).ServerConfig()})
	c, err := smtp.Dial(s.Addr())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := c.Hello("client.test"); err != nil {
		t.Fatal(err)
	}
	if ok, _ := c.Extension("STARTTLS"); !ok {
		t.Error("STARTTLS not offered")
	}
	if ok, _ := c.Extension("AUTH"); ok {
		t.Error("AUTH offered before TLS")
	}
	if err := c.SendMail("a@example.com", []string{"b@example.com"}, strings.NewReader("x\r\n")); err != nil {
		t.Fatal(err)
	}
	if m := s.WaitFor(1, 5*time.Second)[0]; m.TLS || m.Username != "" {
		t.Fatalf("plain-text message recorded as %+v", m)
	}
}

func TestImplicitTLSRefusesPlainText(t *testing.T) {
	s := StartWith(t, Options{TLSConfig: testcert.New(t).ServerConfig(), ImplicitTLS: true})
	conn, err := net.DialTimeout("tcp", s.Addr(), 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(5 * time.Second))
	fmt.Fprintf(conn, "EHLO client.test\r\n")
	buf := make([]byte, 512)
	n, _ := conn.Read(buf)
	if strings.HasPrefix(string(buf[:n]), "220") || strings.Contains(string(buf[:n]), "250") {
		t.Fatalf("implicit TLS listener answered plain text: %q", buf[:n])
	}
}
