package main

// End-to-end test of queues (issue 13): the real binary, Dovecot and the
// SMTP sink; two queues on one IMAP account, one of them with a mailbox
// of its own too.

import (
	"fmt"
	"strings"
	"testing"

	"github.com/ticketd/ticketd/tickets"
)

const (
	ventasAddr  = "ventas@ticketd.test"
	ventasAlias = "comercial@ticketd.test"
	agentVera   = "vera@ticketd.test"
	agentVictor = "victor@ticketd.test"
)

// newQueuesE2E is the e2e desk plus a Ventas queue: its address and an
// alias, tag Ventas, English, its own mailbox "Ventas" and agents vera
// (tier 1) and victor (tier 2).
func newQueuesE2E(t *testing.T) *e2e {
	e := newE2E(t)
	e.setConfig(`tag = "Soporte"`, "tag = \"Soporte\"\naliases = [\"ayuda@ticketd.test\"]")
	e.setConfig("[[tiers]]\nlevel = 1", fmt.Sprintf(`[[queues]]
name = "ventas"
addresses = [%q, %q]
display_name = "Ventas"
tag = "Ventas"
language = "en"
mailbox = "Ventas"
[[queues.tiers]]
level = 1
name = "Ventas 1"
agents = [%q]
first_response = "1h"
resolution = "8h"
[[queues.tiers]]
level = 2
name = "Ventas 2"
agents = [%q]
first_response = "2h"
resolution = "24h"

[[tiers]]
level = 1`, ventasAddr, ventasAlias, agentVera, agentVictor))
	return e
}

func TestQueuesEndToEnd(t *testing.T) {
	e := newQueuesE2E(t)
	if out := e.ticketd("check-config"); !strings.Contains(out, "queue ventas:  Ventas <ventas@ticketd.test>, comercial@ticketd.test, token [Ventas #N]") ||
		!strings.Contains(out, "queue soporte:  (default)") {
		t.Fatalf("check-config does not print the queues:\n%s", out)
	}

	// The queue's mailbox does not exist yet: the first pass creates it
	// (it would fail on selecting it otherwise).
	e.ticketd("once")

	// A mail to both queues (and the other's alias in Cc), delivered by the
	// MTA into both mailboxes, the second copy with its own Delivered-To:
	// ONE ticket, in the queue To names first.
	both := "From: Pedro <pedro@cliente.test>\nTo: soporte@ticketd.test, ventas@ticketd.test\nCc: comercial@ticketd.test, ayuda@ticketd.test\n" +
		"Subject: Factura y licencias\nMessage-ID: <both@cliente.test>\n\nNecesito la factura y 10 licencias.\n"
	e.smtp.Reset()
	e.deliver("Delivered-To: soporte@ticketd.test\n" + both)
	e.imap.Append(t, deskAddr, "Ventas", []byte(strings.ReplaceAll("Delivered-To: ventas@ticketd.test\n"+both, "\n", "\r\n")))
	e.ticketd("once")
	mails := classify(t, e.smtp.Messages())
	if n := e.imap.Count(t, deskAddr, "Ventas"); n != 0 {
		t.Fatalf("the Ventas mailbox still holds %d messages: it was not read", n)
	}
	if n := e.imap.Count(t, deskAddr, "Procesados"); n != 2 {
		t.Fatalf("Procesados holds %d, want both copies", n)
	}
	var all []tickets.Ticket
	e.withStore(func(s *tickets.Store) { all, _ = s.Tickets() })
	if len(all) != 1 || all[0].Queue != "" {
		t.Fatalf("%d tickets (queue %q): want one, in the default queue", len(all), all[0].Queue)
	}
	if acks := count(mails, requester, "[Soporte #1] Recibimos"); len(acks) != 1 || !strings.Contains(acks[0].header.Get("From"), deskAddr) {
		t.Fatalf("acks %d: %v", len(acks), mails)
	}
	if len(count(mails, agentVera, "")) != 0 {
		t.Fatal("the other queue's agent was told of the default queue's ticket")
	}
	for _, m := range mails {
		if strings.Contains(strings.Join(m.to, ","), "ticketd.test") && !strings.Contains(strings.Join(m.to, ","), "ana@") &&
			!strings.Contains(strings.Join(m.to, ","), "luis@") {
			t.Errorf("a mail went to %v", m.to) // never to a queue address
		}
	}

	// Mail to the Ventas alias: the Ventas queue, from its first address,
	// its tag, English; its agent only.
	mails = e.step("From: Eva <eva@cliente.test>\nTo: comercial@ticketd.test\nSubject: Precio\nMessage-ID: <p1@cliente.test>\n\n¿Cuánto cuesta la licencia?\n")
	acks := count(mails, "eva@cliente.test", "[Ventas #2] We received your request")
	if len(acks) != 1 || !strings.Contains(acks[0].header.Get("From"), ventasAddr) || strings.Contains(acks[0].header.Get("From"), ventasAlias) {
		t.Fatalf("Ventas ack: %d, %v", len(acks), mails)
	}
	notices := count(mails, agentVera, "[Ventas #2] New:")
	if len(notices) != 1 || len(mails) != 2 || !strings.HasSuffix(notices[0].msgID, "@ticketd.test") {
		t.Fatalf("Ventas notices %d of %d mails", len(notices), len(mails))
	}

	// vera answers: relayed from the queue's address with its tag.
	mails = e.step(fmt.Sprintf("From: %s\nTo: %s\nSubject: Re: %s\nMessage-ID: <vera1@ticketd.test>\nIn-Reply-To: <%s>\n\nIt costs 30 euros a year.\n",
		agentVera, ventasAddr, notices[0].subject, notices[0].msgID))
	relays := count(mails, "eva@cliente.test", "[Ventas #2]")
	if len(relays) != 1 || !strings.Contains(relays[0].header.Get("From"), ventasAddr) ||
		!strings.Contains(decodedText(t, relays[0].raw), "It costs 30 euros a year.") || strings.Contains(relays[0].raw, "vera") {
		t.Fatalf("relay: %v", mails)
	}
	// The requester answers the relay: threaded to #2, to vera.
	mails = e.step(fmt.Sprintf("From: eva@cliente.test\nTo: %s\nSubject: Re: %s\nMessage-ID: <p2@cliente.test>\nIn-Reply-To: <%s>\n\nGracias, ¿y 10?\n",
		ventasAddr, relays[0].subject, relays[0].msgID))
	if len(count(mails, agentVera, "[Ventas #2]")) != 1 || len(mails) != 1 {
		t.Fatalf("follow-up: %v", mails)
	}

	// ana is no agent of Ventas: her #resolve there does nothing (she is
	// a stranger on #2: her mail opens #3, linked to it, in Ventas).
	e.step(fmt.Sprintf("From: %s\nTo: %s\nSubject: Re: [Ventas #2] Precio\nMessage-ID: <ana-v@ticketd.test>\n\n#resolve\n", agentAna, ventasAddr))
	if tk := e.ticket(2); tk.Status == tickets.StatusResolved {
		t.Fatal("an agent of another queue resolved a Ventas ticket")
	}
	if tk := e.ticket(3); tk.Requester.Email != agentAna || tk.Queue != "ventas" || tk.Status != tickets.StatusNew {
		t.Fatalf("ana's mail on #2: %+v", tk)
	}

	// A mail naming no queue address, read from the Ventas mailbox: Ventas.
	e.smtp.Reset()
	e.imap.Append(t, deskAddr, "Ventas", []byte(strings.ReplaceAll("From: lola@cliente.test\nTo: lista@cliente.test\nSubject: Oferta\nMessage-ID: <l1@cliente.test>\n\nHola\n", "\n", "\r\n")))
	e.ticketd("once")
	if tk := e.ticket(4); tk.Requester.Email != "lola@cliente.test" || tk.Queue != "ventas" {
		t.Fatalf("a mail in the Ventas mailbox: %s in queue %q", tk.Requester.Email, tk.Queue)
	}

	// "#cola ventas" moves #1: vera gets it with its history, Pedro is told
	// once, from Ventas, under the new tag.
	mails = e.step(fmt.Sprintf("From: %s\nTo: %s\nSubject: Re: [Soporte #1] Factura y licencias\nMessage-ID: <ana-q@ticketd.test>\n\n#cola ventas\n", agentAna, deskAddr))
	moved := count(mails, agentVera, "[Ventas #1] Moved to Ventas")
	told := count(mails, requester, "[Ventas #1]")
	if len(moved) != 1 || !strings.Contains(decodedText(t, moved[0].raw), "Necesito la factura y 10 licencias.") || len(told) != 1 ||
		!strings.Contains(told[0].header.Get("From"), ventasAddr) || len(mails) != 2 {
		t.Fatalf("#cola: %d to vera, %d to the requester, %d mails", len(moved), len(told), len(mails))
	}
	if irt := told[0].header.Get("In-Reply-To"); irt != "<both@cliente.test>" {
		t.Errorf("the requester's notice is not in their thread: In-Reply-To %q", irt)
	}
	if tk := e.ticket(1); tk.Queue != "ventas" || tk.Tier != 1 {
		t.Fatalf("after #cola: queue %q tier %d", tk.Queue, tk.Tier)
	}
	// An unknown queue: a command error, nothing applied.
	mails = e.step(fmt.Sprintf("From: %s\nTo: %s\nSubject: Re: [Ventas #2] Precio\nMessage-ID: <vera-q@ticketd.test>\n\n#queue compras\n#resolve\n", agentVera, ventasAddr))
	if tk := e.ticket(2); tk.Status == tickets.StatusResolved || tk.Queue != "ventas" || len(count(mails, agentVera, "")) != 1 {
		t.Fatalf("#queue compras: status %s queue %q, %v", tk.Status, tk.Queue, mails)
	}

	// The admin commands know the queue.
	if out := e.ticketd("list", "--queue", "ventas"); !strings.Contains(out, "QUEUE") || strings.Count(out, "\nventas ") != 4 {
		t.Fatalf("list --queue ventas:\n%s", out)
	}
	if out := e.ticketd("show", "1"); !strings.HasPrefix(out, "[Ventas #1] Factura y licencias\nqueue ventas\n") || !strings.Contains(out, "queue") {
		t.Fatalf("show 1:\n%s", out)
	}
	if out := e.ticketd("stats"); !strings.Contains(out, "ventas  new") {
		t.Fatalf("stats:\n%s", out)
	}
}
