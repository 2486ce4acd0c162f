package main

// End-to-end test of issue 10's loop: a requester's and an agent's
// auto-responders that ignore Auto-Submitted, through the real binary, a
// real Dovecot and the capturing SMTP server.

import (
	"fmt"
	"strings"
	"testing"
)

// TestOutOfOfficePingPongEnds lets the requester and an agent run
// auto-responders that set no automatic-mail header and answer every mail
// they get, threaded under it ("Re: <subject>", In-Reply-To). The test
// plays both: after each "ticketd once" pass it reads what the desk sent
// and writes their answers into the inbox, until the desk sends nothing.
// The exchange must end within a few mails, and the agent's out-of-office
// (with a phone number) must never reach the requester.
func TestOutOfOfficePingPongEnds(t *testing.T) {
	e := newE2E(t)
	const agentPhone = "+57 300 555 0101"
	responders := map[string]string{
		requester: "Estoy fuera de la oficina hasta el 16 de marzo, con acceso limitado al correo.\nResponderé a mi regreso.",
		agentAna:  "I am out of the office until Monday.\nFor urgent matters please call me at " + agentPhone + ".\n\nAna",
	}
	const maxRounds, maxMails = 10, 4
	all, rounds := e.pingPong(responders, maxRounds)
	if rounds == maxRounds || len(all) > maxMails {
		t.Fatalf("the desk sent %d mails in %d rounds (want at most %d): the loop did not end", len(all), rounds, maxMails)
	}
	for _, m := range all {
		for _, rcpt := range m.to {
			if rcpt != requester {
				continue
			}
			if text := decodedText(t, m.raw); strings.Contains(text, agentPhone) || strings.Contains(text, "out of the office") {
				t.Errorf("the agent's out-of-office reached the requester (%s):\n%s", m.subject, text)
			}
		}
	}
	if n := e.imap.Count(t, deskAddr, "INBOX"); n != 0 {
		t.Errorf("%d messages left in the INBOX", n)
	}
	// Both auto-replies are on the ticket, for the agents to see.
	show := e.ticketd("show", "1")
	for _, want := range []string{agentPhone, "acceso limitado al correo"} {
		if !strings.Contains(show, want) {
			t.Errorf("ticketd show 1 lacks %q:\n%s", want, show)
		}
	}
	t.Logf("the exchange ended after %d rounds and %d mails from the desk", rounds+1, len(all))
}

// TestUnrecognisedRespondersStillStop plays responders whose text says
// nothing of being away nor automatic ("we will get back to you"): the
// desk cannot tell them from people at first, but each says the same
// thing every time, and the second identical mail on a ticket is taken
// for automatic: the exchange ends within a few mails.
func TestUnrecognisedRespondersStillStop(t *testing.T) {
	e := newE2E(t)
	responders := map[string]string{
		requester: "Thank you for your email. We will get back to you as soon as possible.",
		agentAna:  "Gracias por escribirnos. Le contestaremos lo antes posible.",
	}
	const maxRounds, maxMails = 10, 6
	all, rounds := e.pingPong(responders, maxRounds)
	if rounds == maxRounds || len(all) > maxMails {
		t.Fatalf("the desk sent %d mails in %d rounds (want at most %d): the loop did not end", len(all), rounds, maxMails)
	}
	t.Logf("the exchange ended after %d rounds and %d mails from the desk", rounds+1, len(all))
}

// pingPong delivers a requester's first mail and runs "ticketd once"
// passes; after each, every mail the desk sent to an address of
// responders is answered with that responder's text, threaded under it
// and without any automatic-mail header. It stops at the first pass that
// sends nothing, or after maxRounds, and returns what the desk sent and
// the passes that sent something.
func (e *e2e) pingPong(responders map[string]string, maxRounds int) ([]sentMail, int) {
	e.deliver(`From: Pedro Pérez <pedro@cliente.test>
To: soporte@ticketd.test
Subject: No puedo imprimir
Message-ID: <first@cliente.test>
Content-Type: text/plain; charset=UTF-8

La impresora del piso 3 no responde.
`)
	var all []sentMail
	seq, round := 0, 0
	for ; round < maxRounds; round++ {
		e.smtp.Reset()
		e.ticketd("once")
		mails := classify(e.t, e.smtp.Messages())
		if len(mails) == 0 {
			break
		}
		all = append(all, mails...)
		for _, m := range mails {
			for _, rcpt := range m.to {
				text, ok := responders[rcpt]
				if !ok {
					continue
				}
				seq++
				e.deliver(fmt.Sprintf("From: %s\nTo: %s\nSubject: Re: %s\nMessage-ID: <ooo-%d@%s>\nIn-Reply-To: <%s>\nContent-Type: text/plain; charset=UTF-8\n\n%s\n",
					rcpt, deskAddr, m.subject, seq, strings.Split(rcpt, "@")[1], m.msgID, text))
			}
		}
	}
	return all, round
}
