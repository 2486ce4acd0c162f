package main

// End-to-end tests of real-world mail handling (issue 5): auto-responder
// loops, bounces and poison mail, through the real binary, a real Dovecot
// and the capturing SMTP server.

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/ticketd/ticketd/tickets"
)

// TestAutoRespondersStayBounded lets two auto-responders that ignore
// Auto-Submitted answer every mail they get from the desk with a new mail
// (no subject token, no In-Reply-To: each opens a new ticket), and runs
// ticketd until nothing more is sent. The acknowledgement limit must end
// the ping-pong: each responder gets at most ack_limit mails.
func TestAutoRespondersStayBounded(t *testing.T) {
	e := newE2E(t)
	const limit = 3
	e.setConfig("[smtp]", fmt.Sprintf("[mail]\nack_limit = %d\nack_window = \"1h\"\n[smtp]", limit))
	responders := []string{"robot1@vendor.test", "robot2@proveedor.test"}
	for _, r := range responders {
		e.deliver(fmt.Sprintf("From: %s\nTo: %s\nSubject: Consulta de %s\nMessage-ID: <first-%s>\nContent-Type: text/plain\n\nHola, tengo una consulta.\n", r, deskAddr, r, r))
	}
	got := map[string]int{}
	seq := 0
	const maxRounds = 10
	round := 0
	for ; round < maxRounds; round++ {
		e.smtp.Reset()
		e.ticketd("once")
		answered := 0
		for _, m := range e.smtp.Messages() {
			for _, rcpt := range m.To {
				if !slices.Contains(responders, rcpt) {
					continue
				}
				got[rcpt]++
				answered++
				seq++
				// The robot's answer: a new mail, as if it had never seen ours.
				e.deliver(fmt.Sprintf("From: %s\nTo: %s\nSubject: Gracias por su mensaje\nMessage-ID: <auto-%d@%s>\nContent-Type: text/plain\n\nHemos recibido su mensaje y le responderemos pronto.\n",
					rcpt, deskAddr, seq, strings.Split(rcpt, "@")[1]))
			}
		}
		if answered == 0 {
			break
		}
	}
	if round == maxRounds {
		t.Fatalf("still mailing the responders after %d rounds: %v", maxRounds, got)
	}
	for _, r := range responders {
		if got[r] != limit {
			t.Errorf("%s got %d mails from the desk, want exactly the limit %d", r, got[r], limit)
		}
	}
	if n := e.imap.Count(t, deskAddr, "INBOX"); n != 0 {
		t.Errorf("%d messages left in the INBOX", n)
	}
	t.Logf("ping-pong ended after %d rounds; mails to the responders: %v", round+1, got)
}

// TestBounceLandsOnTheRightTicket sends a Postfix-style DSN for the
// acknowledgement of ticket 2 and checks it is recorded there, shown to
// the agents and that the address is not written to again.
func TestBounceLandsOnTheRightTicket(t *testing.T) {
	e := newE2E(t)
	e.deliver("From: otro@cliente.test\nTo: " + deskAddr + "\nSubject: Primero\nMessage-ID: <one@cliente.test>\nContent-Type: text/plain\n\nUno.\n")
	e.deliver("From: nadie@cliente.test\nTo: " + deskAddr + "\nSubject: Segundo\nMessage-ID: <two@cliente.test>\nContent-Type: text/plain\n\nDos.\n")
	e.ticketd("once")
	var ackID, ackSubject string
	for _, m := range e.smtp.Messages() {
		s := parseSent(t, m)
		if slices.Equal(s.to, []string{"nadie@cliente.test"}) {
			ackID, _ = s.header.MessageID()
			ackSubject = s.subject
		}
	}
	if ackID == "" {
		t.Fatal("no acknowledgement to nadie@cliente.test")
	}
	e.smtp.Reset()
	e.deliver(fmt.Sprintf(`Return-Path: <>
From: MAILER-DAEMON@mx.ticketd.test (Mail Delivery System)
To: %s
Subject: Undelivered Mail Returned to Sender
Message-Id: <dsn-1@mx.ticketd.test>
Auto-Submitted: auto-replied
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status; boundary="B"

--B
Content-Type: text/plain

Your message could not be delivered.

--B
Content-Type: message/delivery-status

Reporting-MTA: dns; mx.ticketd.test

Final-Recipient: rfc822; nadie@cliente.test
Action: failed
Status: 5.1.1
Diagnostic-Code: smtp; 550 5.1.1 User unknown

--B
Content-Type: text/rfc822-headers

From: Mesa de ayuda <%s>
To: nadie@cliente.test
Subject: %s
Message-ID: <%s>

--B--
`, deskAddr, deskAddr, ackSubject, ackID))
	e.ticketd("once")
	msgs := e.smtp.Messages()
	if len(msgs) != 1 {
		t.Fatalf("after the bounce %d mails were sent, want one notice to the agents", len(msgs))
	}
	notice := parseSent(t, msgs[0])
	if !slices.Equal(notice.to, []string{agentAna, agentLuis}) || !strings.Contains(notice.subject, "[Soporte #2]") ||
		!strings.Contains(decodedText(t, notice.raw), "nadie@cliente.test: 5.1.1") {
		t.Fatalf("bounce notice to %v, subject %q:\n%s", notice.to, notice.subject, decodedText(t, notice.raw))
	}
	if out := e.ticketd("show", "2"); !strings.Contains(out, "delivery_failed") || !strings.Contains(out, "5.1.1") {
		t.Fatalf("ticket 2 does not show the delivery failure:\n%s", out)
	}
	if out := e.ticketd("show", "1"); strings.Contains(out, "delivery_failed") {
		t.Fatalf("the bounce landed on ticket 1 as well:\n%s", out)
	}
	e.withStore(func(s *tickets.Store) {
		u, err := s.Undeliverables()
		if err != nil || len(u) != 1 || u[0].Email != "nadie@cliente.test" || u[0].Ticket != 2 {
			t.Fatalf("undeliverable addresses %+v, %v", u, err)
		}
	})

	// Ana answers: the answer is not mailed to the dead address.
	e.smtp.Reset()
	noteID, _ := notice.header.MessageID()
	e.deliver(fmt.Sprintf("From: %s\nTo: %s\nSubject: RE: %s\nMessage-ID: <ana-b@ticketd.test>\nIn-Reply-To: <%s>\nContent-Type: text/plain\n\nLe escribimos por teléfono.\n",
		agentAna, deskAddr, notice.subject, noteID))
	e.ticketd("once")
	for _, m := range e.smtp.Messages() {
		if slices.Contains(m.To, "nadie@cliente.test") {
			t.Fatalf("mail sent to the undeliverable address: %v", m.To)
		}
	}
}

// TestPoisonMailIsSetAside puts unparseable messages between good ones:
// they go to the failed mailbox and the others are applied in the same
// pass.
func TestPoisonMailIsSetAside(t *testing.T) {
	e := newE2E(t)
	good := func(i int) string {
		return fmt.Sprintf("From: u%d@cliente.test\nTo: %s\nSubject: Pedido %d\nMessage-ID: <good-%d@cliente.test>\nContent-Type: text/plain\n\nTexto %d.\n", i, deskAddr, i, i, i)
	}
	e.deliver(good(1))
	e.deliver("To: " + deskAddr + "\nSubject: sin remitente\nMessage-ID: <poison-1@x.test>\n\nNo From at all.\n")
	e.deliver(good(2))
	e.deliver("From: \"\" <>\nTo: " + deskAddr + "\nSubject: =?x-unknown?B?////?=\nContent-Type: multipart/mixed; boundary=\"\"\n\n--\n\x00\x01\x02\n")
	e.deliver(good(3))
	out := e.ticketd("once")
	if n := e.imap.Count(t, deskAddr, "Fallidos"); n != 2 {
		t.Fatalf("Fallidos holds %d messages, want the 2 poison ones\n%s", n, out)
	}
	if n := e.imap.Count(t, deskAddr, "Procesados"); n != 3 {
		t.Fatalf("Procesados holds %d messages, want the 3 good ones", n)
	}
	if n := e.imap.Count(t, deskAddr, "INBOX"); n != 0 {
		t.Fatalf("INBOX still holds %d messages", n)
	}
	e.withStore(func(s *tickets.Store) {
		all, err := s.Tickets()
		if err != nil || len(all) != 3 {
			t.Fatalf("%d tickets (%v), want 3", len(all), err)
		}
	})
	if !strings.Contains(out, "no From header") {
		t.Errorf("the reason is not in the log:\n%s", out)
	}
}
