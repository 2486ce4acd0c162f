package main

// End-to-end tests of what goes out over SMTP under attack and under
// crashes: forged addresses never reach the envelope, a SIGKILL re-sends
// at most one mail per connection, a SIGTERM never cuts a DATA.

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/ticketd/ticketd/mailout/smtptest"
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
