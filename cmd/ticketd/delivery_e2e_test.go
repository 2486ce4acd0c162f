package main

// End-to-end tests of what goes out over SMTP under attack and under
// crashes: forged addresses never reach the envelope, a SIGKILL re-sends
// at most one mail per connection, a SIGTERM never cuts a DATA.

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/emersion/go-message/mail"

	"github.com/ticketd/ticketd/internal/testkit/smtptest"
	"github.com/ticketd/ticketd/tickets"
)

// TestForgedFromCannotInjectSMTPParameters: the From line, which
// once became `RCPT TO:<x@evil.test> NOTIFY=SUCCESS,FAILURE ORCPT=… >`,
// goes through the parser, a ticket, the acknowledgement and an agent's
// answer; the SMTP server (offering DSN, so injected parameters would be
// taken) never sees a parameter nor the injected mailbox, and the ticket
// records that the requester's address was refused.
func TestForgedFromCannotInjectSMTPParameters(t *testing.T) {
	e := newE2EWith(t, smtptest.Options{EnableDSN: true})
	e.deliver(`From: "x@evil.test> NOTIFY=SUCCESS,FAILURE ORCPT=rfc822;y"@attacker.test
To: soporte@ticketd.test
Subject: Ayuda urgente
Message-ID: <forged-1@attacker.test>
Content-Type: text/plain; charset=UTF-8

Necesito ayuda.
`)
	e.ticketd("once")
	msgs := e.smtp.WaitFor(1, 10*time.Second) // the agents' notice; the ack is refused
	note := parseSent(t, msgs[0])
	noteID, _ := note.header.MessageID()
	e.deliver(fmt.Sprintf(`From: Ana Agente <ana@ticketd.test>
To: soporte@ticketd.test
Subject: RE: %s
Message-ID: <ana-forged@ticketd.test>
In-Reply-To: <%s>
Content-Type: text/plain; charset=UTF-8

Hola, ¿qué necesita?
`, note.subject, noteID))
	e.ticketd("once")

	for _, m := range e.smtp.Messages() {
		for i, rcpt := range m.To {
			if strings.Contains(rcpt, "evil") || strings.Contains(rcpt, "attacker") {
				t.Errorf("mail sent to %q", rcpt)
			}
			if o := m.RcptOptions[i]; len(o.Notify) > 0 || o.OriginalRecipient != "" {
				t.Errorf("RCPT TO:<%s> carried NOTIFY=%v ORCPT=%q", rcpt, o.Notify, o.OriginalRecipient)
			}
		}
	}
	var refused int
	e.withStore(func(s *tickets.Store) {
		events, err := s.Events(1)
		if err != nil {
			t.Fatal(err)
		}
		for _, ev := range events {
			if ev.Kind == tickets.EventDeliveryFailed && strings.Contains(ev.Detail, "refused for smtp") {
				refused++
			}
		}
		if out, _ := s.Outbox(); len(out) != 0 {
			t.Errorf("%d mails still in the outbox", len(out))
		}
	})
	if refused != 2 { // the acknowledgement and the agent's answer
		t.Errorf("%d refusals recorded on the ticket, want 2", refused)
	}
}

// messageIDs counts the mails the SMTP server accepted by Message-ID.
func messageIDs(t *testing.T, msgs []smtptest.Message) map[string]int {
	t.Helper()
	ids := make(map[string]int, len(msgs))
	for _, m := range msgs {
		r, err := mail.CreateReader(bytes.NewReader(m.Data))
		if err != nil {
			t.Fatalf("sent mail does not parse: %v", err)
		}
		id, err := r.Header.MessageID()
		if err != nil || id == "" {
			t.Fatalf("sent mail without Message-ID (%v)", err)
		}
		ids[id]++
	}
	return ids
}

// queuedMails returns the Message-IDs of every mail the desk queued, read
// from the tickets' timelines, and what is left in the outbox and failed.
func (e *e2e) queuedMails() (ids []string, outbox, failed int) {
	e.withStore(func(s *tickets.Store) {
		all, err := s.Tickets()
		if err != nil {
			e.t.Fatal(err)
		}
		for _, tk := range all {
			events, err := s.Events(tk.ID)
			if err != nil {
				e.t.Fatal(err)
			}
			for _, ev := range events {
				if ev.Kind == tickets.EventOutbound {
					ids = append(ids, ev.MessageID)
				}
			}
		}
		out, _ := s.Outbox()
		fl, _ := s.FailedMail()
		outbox, failed = len(out), len(fl)
	})
	return ids, outbox, failed
}

// TestSIGKILLStormDuringDelivery: 250 new tickets queue 500 mails (an
// acknowledgement and an agents' notice each); "ticketd run" is SIGKILLed
// ten times at random points while it delivers, restarted each time, and
// finally let finish. Nothing is lost, and each kill re-sends at most one
// mail per SMTP connection (the outbox uses two).
func TestSIGKILLStormDuringDelivery(t *testing.T) {
	const (
		newTickets = 250
		kills      = 10
		conns      = 2 // mailout's default Connections
	)
	start := time.Now()
	e := newE2E(t)
	var raws [][]byte
	for i := range newTickets {
		raws = append(raws, []byte(strings.ReplaceAll(fmt.Sprintf(`From: Usuario %d <storm%d@cliente.test>
To: soporte@ticketd.test
Subject: Solicitud %d
Message-ID: <storm-%d@cliente.test>
Content-Type: text/plain; charset=UTF-8

Necesito ayuda con la solicitud %d.
`, i, i, i, i, i), "\n", "\r\n")))
	}
	e.imap.AppendMany(t, deskAddr, "INBOX", raws)
	const want = 2 * newTickets

	seed := time.Now().UnixNano()
	rng := rand.New(rand.NewPCG(uint64(seed), 0))
	t.Logf("kill points seeded with %d", seed)
	for k := range kills {
		// The k-th kill comes when the server has 25–45 more mails than
		// at the previous one: always in the middle of the delivery.
		at := (k+1)*want/(kills+2) + rng.IntN(20) - 10
		cmd, _, _ := startDaemon(t, "run", "--config", e.config)
		e.smtp.WaitFor(at, 30*time.Second)
		if err := syscall.Kill(cmd.Process.Pid, syscall.SIGKILL); err != nil {
			t.Fatal(err)
		}
		cmd.Wait()
	}
	cmd, lines, _ := startDaemon(t, "run", "--config", e.config)
	waitLine(t, lines, "ticketd started", 20*time.Second)
	// Until every mail arrived (or 30 s: then the check below says which
	// are missing).
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if len(messageIDs(t, e.smtp.Messages())) >= want {
			break
		}
	}
	stopDaemon(t, cmd.Process.Pid, cmd.Wait)

	received := e.smtp.Messages()
	got := messageIDs(t, received)
	queued, outbox, failed := e.queuedMails()
	if len(queued) != want || outbox != 0 || failed != 0 {
		t.Fatalf("%d mails queued (want %d), %d left in the outbox, %d failed", len(queued), want, outbox, failed)
	}
	var lost, dups int
	for _, id := range queued {
		switch n := got[id]; {
		case n == 0:
			lost++
		case n > 1:
			dups += n - 1
		}
	}
	t.Logf("SIGKILL storm: %d kills, %d mails queued, %d received, %d duplicates, %d lost, in %s",
		kills, len(queued), len(received), dups, lost, time.Since(start).Round(time.Millisecond))
	if lost > 0 || len(got) != want {
		t.Errorf("%d mails lost; %d distinct mails received, want %d", lost, len(got), want)
	}
	if dups > kills*conns {
		t.Errorf("%d duplicates after %d kills: more than one per connection per kill (%d)", dups, kills, kills*conns)
	}
}

// TestSIGTERMDuringSlowDATA: the SMTP server holds the first DATA; a
// SIGTERM arrives meanwhile. The daemon finishes that mail (the server
// accepts it once), records it and exits 0; the next run sends only the
// other mail. Before, the SIGTERM cut the connection mid-DATA and the mail
// went out twice.
func TestSIGTERMDuringSlowDATA(t *testing.T) {
	held, release := make(chan struct{}), make(chan struct{})
	var once sync.Once
	e := newE2EWith(t, smtptest.Options{OnData: func(smtptest.Message) {
		once.Do(func() {
			close(held)
			select { // bounded: never hang the suite
			case <-release:
			case <-time.After(20 * time.Second):
			}
		})
	}})
	e.deliver("From: Pedro <pedro@cliente.test>\nTo: soporte@ticketd.test\nSubject: lento\nMessage-ID: <slow1@cliente.test>\n\nhola\n")
	cmd, lines, _ := startDaemon(t, "run", "--config", e.config)
	select {
	case <-held:
	case <-time.After(20 * time.Second):
		t.Fatal("no DATA reached the server")
	}
	if err := syscall.Kill(cmd.Process.Pid, syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	waitLine(t, lines, "stopping after the mail in flight", 10*time.Second)
	close(release)
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("ticketd run after SIGTERM: %v", err)
		}
	case <-time.After(15 * time.Second):
		t.Fatal("ticketd run did not stop within 15s of SIGTERM")
	}
	if n := len(e.smtp.Messages()); n != 1 {
		t.Fatalf("%d mails at the server after the stop, want the one in flight", n)
	}
	e.ticketd("once")
	got := messageIDs(t, e.smtp.Messages())
	queued, outbox, failed := e.queuedMails()
	if len(queued) != 2 || outbox != 0 || failed != 0 {
		t.Fatalf("%d mails queued (want 2), %d in the outbox, %d failed", len(queued), outbox, failed)
	}
	for _, id := range queued {
		if got[id] != 1 {
			t.Errorf("mail %s received %d times, want once", id, got[id])
		}
	}
}

// TestParticipantsBusyMailboxDoesNotHoldBackTheRequester: with
// recipients_per_transaction = 2, an agent's answer to a requester and
// three participants (her #cc) goes out in two transactions; the server's 452
// to one participant defers only that participant — the requester and the
// others have it at once — and the retry goes to that participant alone.
func TestParticipantsBusyMailboxDoesNotHoldBackTheRequester(t *testing.T) {
	e := newE2E(t)
	e.setConfig("[[tiers]]", "[limits]\nrecipients_per_transaction = 2\n[[tiers]]")
	e.deliver(`From: Pedro <pedro@cliente.test>
To: soporte@ticketd.test
Subject: Impresora
Message-ID: <busy-1@cliente.test>

No imprime.
`)
	e.ticketd("once")
	note := parseSent(t, e.smtp.WaitFor(2, 10*time.Second)[1])
	if !strings.Contains(note.subject, "Nuevo") {
		note = parseSent(t, e.smtp.Messages()[0])
	}
	noteID, _ := note.header.MessageID()
	e.smtp.Reset()
	e.smtp.FailRcpt("ocupado@cliente.test", 452)
	e.deliver(fmt.Sprintf(`From: Ana Agente <ana@ticketd.test>
To: soporte@ticketd.test
Subject: RE: %s
Message-ID: <ana-busy@ticketd.test>
In-Reply-To: <%s>

#cc jefa@cliente.test
#cc ocupado@cliente.test
#cc tercero@cliente.test
Ya la reiniciamos.
`, note.subject, noteID))
	e.ticketd("once")
	var got [][]string
	for _, m := range e.smtp.Messages() {
		got = append(got, m.To)
	}
	want := [][]string{{requester, colleague}, {"tercero@cliente.test"}}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("the answer went out as %v, want %v", got, want)
	}
	var id uint64
	e.withStore(func(s *tickets.Store) {
		out, err := s.Outbox()
		if err != nil || len(out) != 1 || fmt.Sprint(out[0].Pending()) != "[ocupado@cliente.test]" {
			t.Fatalf("outbox after the 452: %+v, %v", out, err)
		}
		id = out[0].ID
	})
	if out := e.ticketd("outbox"); !strings.Contains(out, "ocupado@cliente.test") || strings.Contains(out, "tercero@cliente.test") {
		t.Errorf("ticketd outbox does not show the one recipient left:\n%s", out)
	}
	e.smtp.FailRcpt("ocupado@cliente.test", 0)
	e.ticketd("outbox", "--retry", fmt.Sprint(id))
	e.ticketd("once")
	msgs := e.smtp.Messages()
	if len(msgs) != 3 || fmt.Sprint(msgs[2].To) != "[ocupado@cliente.test]" {
		t.Fatalf("after the retry: %d mails, the last to %v; want the busy participant alone", len(msgs), msgs[len(msgs)-1].To)
	}
	if ids := messageIDs(t, msgs); len(ids) != 1 {
		t.Errorf("the three transactions carried %d Message-IDs, want the answer's one", len(ids))
	}
	_, outbox, failed := e.queuedMails()
	if outbox != 0 || failed != 0 {
		t.Errorf("%d mails in the outbox, %d failed", outbox, failed)
	}
}
