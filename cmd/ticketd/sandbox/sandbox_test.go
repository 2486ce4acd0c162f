package sandbox

import (
	"bytes"
	"fmt"
	"log/slog"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"
	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

func start(t *testing.T) *Sandbox {
	t.Helper()
	sb, err := Start(Options{Logger: slog.New(slog.NewTextHandler(testWriter{t}, nil))})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := sb.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return sb
}

type testWriter struct{ t *testing.T }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Helper()
	w.t.Log(strings.TrimSpace(string(p)))
	return len(p), nil
}

// login dials the sandbox's IMAP server like ticketd does: plain text on
// loopback.
func login(t *testing.T, sb *Sandbox, user, password string) *imapclient.Client {
	t.Helper()
	c, err := imapclient.DialInsecure(sb.IMAPAddr(), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	if err := c.Login(user, password).Wait(); err != nil {
		t.Fatalf("login as %s: %v", user, err)
	}
	return c
}

// fetchAll returns every message of mailbox, raw.
func fetchAll(t *testing.T, c *imapclient.Client, mailbox string) [][]byte {
	t.Helper()
	sel, err := c.Select(mailbox, nil).Wait()
	if err != nil {
		t.Fatalf("select %s: %v", mailbox, err)
	}
	if sel.NumMessages == 0 {
		return nil
	}
	section := &imap.FetchItemBodySection{Peek: true}
	var all imap.SeqSet
	all.AddRange(1, 0) // 1:*
	msgs, err := c.Fetch(all, &imap.FetchOptions{BodySection: []*imap.FetchItemBodySection{section}}).Collect()
	if err != nil {
		t.Fatalf("fetch %s: %v", mailbox, err)
	}
	out := make([][]byte, len(msgs))
	for i, m := range msgs {
		out[i] = m.FindBodySection(section)
	}
	return out
}

func sendSMTP(t *testing.T, addr, from string, to []string, body string) {
	t.Helper()
	c, err := smtp.Dial(addr) // a Client: package-level SendMail insists on STARTTLS
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := c.SendMail(from, to, strings.NewReader(body)); err != nil {
		t.Fatalf("send: %v", err)
	}
	if err := c.Quit(); err != nil {
		t.Fatalf("quit: %v", err)
	}
}

const mail = "From: pedro@ticketd.test\r\nTo: soporte@ticketd.test, ana@ticketd.test\r\nSubject: No puedo imprimir\r\nMessage-ID: <p1@ticketd.test>\r\n\r\nLa impresora no responde.\r\n"

func TestSMTPToTwoRecipientsThenIMAP(t *testing.T) {
	sb := start(t)
	sendSMTP(t, sb.SMTPAddr(), "pedro@ticketd.test", []string{"soporte@ticketd.test", "Ana@Ticketd.test"}, mail)

	for _, rcpt := range []string{"soporte@ticketd.test", "ana@ticketd.test"} {
		c := login(t, sb, rcpt, DefaultPassword)
		msgs := fetchAll(t, c, "INBOX")
		if len(msgs) != 1 {
			t.Fatalf("%s: INBOX has %d messages, want 1", rcpt, len(msgs))
		}
		raw := string(msgs[0])
		if !strings.HasSuffix(raw, mail) {
			t.Errorf("%s: message does not end with the sent mail:\n%s", rcpt, raw)
		}
		if !strings.HasPrefix(raw, "Return-Path: <pedro@ticketd.test>\r\nReceived: from ") {
			t.Errorf("%s: no trace header fields:\n%s", rcpt, raw)
		}
	}
}

func TestFreshLoginSeesEmptyInbox(t *testing.T) {
	sb := start(t)
	c := login(t, sb, "nadie@ticketd.test", DefaultPassword)
	if msgs := fetchAll(t, c, "INBOX"); len(msgs) != 0 {
		t.Fatalf("fresh INBOX has %d messages", len(msgs))
	}
	list, err := c.List("", "*", nil).Collect()
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 1 || list[0].Mailbox != "INBOX" {
		t.Fatalf("LIST = %+v, want just INBOX", list)
	}
}

func TestWrongPasswordFails(t *testing.T) {
	sb := start(t)
	c, err := imapclient.DialInsecure(sb.IMAPAddr(), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := c.Login("ana@ticketd.test", "nope").Wait(); err == nil {
		t.Fatal("login with a wrong password succeeded")
	}
}

func TestCreateAndMove(t *testing.T) {
	sb := start(t)
	const user = "soporte@ticketd.test"
	for i := 1; i <= 3; i++ {
		if err := sb.Deliver(user, fmt.Appendf(nil, "Subject: %d\r\n\r\nbody %d\r\n", i, i)); err != nil {
			t.Fatal(err)
		}
	}
	c := login(t, sb, user, DefaultPassword)
	if !c.Caps().Has(imap.CapMove) || !c.Caps().Has(imap.CapIdle) {
		t.Fatalf("caps %v lack MOVE or IDLE", c.Caps())
	}
	if err := c.Create("Procesados", nil).Wait(); err != nil {
		t.Fatalf("create: %v", err)
	}
	if _, err := c.Select("INBOX", nil).Wait(); err != nil {
		t.Fatal(err)
	}
	data, err := c.UIDSearch(&imap.SearchCriteria{}, nil).Wait()
	if err != nil {
		t.Fatal(err)
	}
	uids := data.AllUIDs()
	if len(uids) != 3 {
		t.Fatalf("INBOX UIDs = %v, want 3", uids)
	}
	moved, err := c.Move(imap.UIDSetNum(uids[0], uids[2]), "Procesados").Wait()
	if err != nil {
		t.Fatalf("move: %v", err)
	}
	if moved.DestUIDs.String() == "" {
		t.Errorf("MOVE returned no COPYUID data")
	}
	if msgs := fetchAll(t, c, "Procesados"); len(msgs) != 2 || !bytes.HasPrefix(msgs[0], []byte("Subject: 1")) || !bytes.HasPrefix(msgs[1], []byte("Subject: 3")) {
		t.Fatalf("Procesados = %q", msgs)
	}
	if msgs := fetchAll(t, c, "INBOX"); len(msgs) != 1 || !bytes.HasPrefix(msgs[0], []byte("Subject: 2")) {
		t.Fatalf("INBOX after move = %q", msgs)
	}
}

func TestIdleSeesDelivery(t *testing.T) {
	sb := start(t)
	const user = "soporte@ticketd.test"
	exists := make(chan uint32, 4)
	c, err := imapclient.DialInsecure(sb.IMAPAddr(), &imapclient.Options{
		UnilateralDataHandler: &imapclient.UnilateralDataHandler{
			Mailbox: func(d *imapclient.UnilateralDataMailbox) {
				if d.NumMessages != nil {
					exists <- *d.NumMessages
				}
			},
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := c.Login(user, DefaultPassword).Wait(); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Select("INBOX", nil).Wait(); err != nil {
		t.Fatal(err)
	}
	idle, err := c.Idle()
	if err != nil {
		t.Fatal(err)
	}
	sendSMTP(t, sb.SMTPAddr(), "pedro@ticketd.test", []string{user}, mail)
	select {
	case n := <-exists:
		if n != 1 {
			t.Errorf("EXISTS %d, want 1", n)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("no EXISTS during IDLE after a delivery")
	}
	if err := idle.Close(); err != nil {
		t.Fatal(err)
	}
	if err := idle.Wait(); err != nil {
		t.Fatal(err)
	}
}

func TestSMTPAuthIsOptional(t *testing.T) {
	sb := start(t)
	c, err := smtp.Dial(sb.SMTPAddr())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := c.Auth(sasl.NewPlainClient("", "whoever", "whatever")); err != nil {
		t.Fatalf("auth: %v", err)
	}
	if err := c.SendMail("", []string{"ana@ticketd.test"}, strings.NewReader("Subject: bounce\n\nbare LF\n")); err != nil {
		t.Fatal(err)
	}
	c.Quit()
	msgs := fetchAll(t, login(t, sb, "ana@ticketd.test", DefaultPassword), "INBOX")
	if len(msgs) != 1 {
		t.Fatalf("got %d messages", len(msgs))
	}
	if !bytes.HasPrefix(msgs[0], []byte("Return-Path: <>\r\n")) || !bytes.HasSuffix(msgs[0], []byte("Subject: bounce\r\n\r\nbare LF\r\n")) {
		t.Fatalf("message = %q", msgs[0])
	}
}

func TestConcurrentSenders(t *testing.T) {
	sb := start(t)
	const senders, each = 8, 5
	var wg sync.WaitGroup
	errs := make(chan error, senders)
	for i := range senders {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c, err := smtp.Dial(sb.SMTPAddr())
			if err != nil {
				errs <- err
				return
			}
			defer c.Close()
			for j := range each {
				body := fmt.Sprintf("Subject: %d-%d\r\n\r\nx\r\n", i, j)
				if err := c.SendMail("a@x.test", []string{"soporte@ticketd.test", fmt.Sprintf("u%d@x.test", i)}, strings.NewReader(body)); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	c := login(t, sb, "soporte@ticketd.test", DefaultPassword)
	if n := len(fetchAll(t, c, "INBOX")); n != senders*each {
		t.Fatalf("INBOX has %d messages, want %d", n, senders*each)
	}
}

func TestStartRejectsNonLoopback(t *testing.T) {
	for _, addr := range []string{"0.0.0.0:0", ":0", "192.0.2.1:25", "example.com:25", "nonsense"} {
		if sb, err := Start(Options{IMAPAddr: addr}); err == nil {
			sb.Close()
			t.Errorf("Start(IMAPAddr %q) succeeded", addr)
		}
		if sb, err := Start(Options{SMTPAddr: addr}); err == nil {
			sb.Close()
			t.Errorf("Start(SMTPAddr %q) succeeded", addr)
		}
	}
}

func TestFixedAddressesAndClose(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	sb, err := Start(Options{IMAPAddr: addr, SMTPAddr: "localhost:0", Password: "pw"})
	if err != nil {
		t.Fatal(err)
	}
	if sb.IMAPAddr() != addr {
		t.Errorf("IMAPAddr = %s, want %s", sb.IMAPAddr(), addr)
	}
	c := login(t, sb, "x@y.test", "pw")
	if err := sb.Close(); err != nil {
		t.Fatal(err)
	}
	if err := sb.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
	select {
	case <-c.Closed():
	case <-time.After(5 * time.Second):
		t.Fatal("open IMAP connection survived Close")
	}
	if c, err := net.DialTimeout("tcp", addr, time.Second); err == nil {
		c.Close()
		t.Fatal("IMAP port still accepts connections after Close")
	}
}

func TestDeliverRejectsBadAddress(t *testing.T) {
	sb := start(t)
	for _, rcpt := range []string{"", " ", "a b@x"} {
		if err := sb.Deliver(rcpt, []byte("x\r\n")); err == nil {
			t.Errorf("Deliver(%q) succeeded", rcpt)
		}
	}
}
