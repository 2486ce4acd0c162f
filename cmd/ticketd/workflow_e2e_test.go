package main

// End-to-end agent and requester workflows by mail alone: the real binary,
// Dovecot and the SMTP sink, one "ticketd once" pass per step.

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/ticketd/ticketd/tickets"
)

// step delivers raw, runs one pass and returns the mails it sent.
func (e *e2e) step(raw string) []sentMail {
	e.t.Helper()
	e.smtp.Reset()
	e.deliver(raw)
	e.ticketd("once")
	return classify(e.t, e.smtp.Messages())
}

func (e *e2e) ticket(id uint64) tickets.Ticket {
	e.t.Helper()
	var tk tickets.Ticket
	e.withStore(func(s *tickets.Store) {
		var err error
		if tk, err = s.Ticket(id); err != nil {
			e.t.Fatal(err)
		}
	})
	return tk
}

// TestNoteThenResolveAndRate: an agent's #nota reaches the other agent and
// never the requester; #resolver relays the answer and asks for a rating;
// the requester's "4" is recorded.
func TestNoteThenResolveAndRate(t *testing.T) {
	e := newE2E(t)
	var toRequester []sentMail
	keep := func(mails []sentMail) []sentMail {
		toRequester = append(toRequester, count(mails, requester, "")...)
		return mails
	}
	mails := keep(e.step("From: Pedro <pedro@cliente.test>\nTo: soporte@ticketd.test\nSubject: No entro al correo\nMessage-ID: <w1@cliente.test>\n\nMe dice usuario bloqueado.\n"))
	notice := count(mails, agentAna, "Nuevo:")
	if len(notice) != 1 {
		t.Fatalf("no notification to ana: %d mails", len(mails))
	}
	mails = keep(e.step(fmt.Sprintf("From: Ana <ana@ticketd.test>\nTo: soporte@ticketd.test\nSubject: Re: %s\nMessage-ID: <w2@ticketd.test>\nIn-Reply-To: <%s>\n\n#nota la cuenta está bloqueada en el directorio\nPedir a seguridad que la desbloquee.\n",
		notice[0].subject, notice[0].msgID)))
	if len(count(mails, agentLuis, "Nota interna")) != 1 {
		t.Fatalf("the other agent did not get the note: %v", mails)
	}
	mails = keep(e.step(fmt.Sprintf("From: Ana <ana@ticketd.test>\nTo: soporte@ticketd.test\nSubject: Re: %s\nMessage-ID: <w3@ticketd.test>\nIn-Reply-To: <%s>\n\n#resolver\nHola Pedro, ya puede entrar de nuevo.\n",
		notice[0].subject, notice[0].msgID)))
	if len(count(mails, requester, "¿Cómo lo hicimos?")) != 1 || len(count(mails, requester, "Re: [Soporte #1] No entro al correo")) != 1 {
		t.Fatalf("after #resolver: %d mails to the requester, want the answer and the rating question", len(count(mails, requester, "")))
	}
	csat := count(mails, requester, "¿Cómo lo hicimos?")[0]
	if !strings.Contains(csat.raw, "mailto:soporte@ticketd.test?") {
		t.Errorf("the rating question has no mailto: links")
	}
	e.step(fmt.Sprintf("From: pedro@cliente.test\nTo: soporte@ticketd.test\nSubject: Re: %s\nMessage-ID: <w4@cliente.test>\nIn-Reply-To: <%s>\n\n4\nMuy rápido, gracias.\n\nEl %s, Mesa de ayuda escribió:\n> ¿Cómo valora la ayuda recibida?\n",
		csat.subject, csat.msgID, time.Now().Format("02/01/2006")))
	tk := e.ticket(1)
	if tk.Rating != 4 || tk.RatingComment != "Muy rápido, gracias." || tk.Status != tickets.StatusResolved {
		t.Fatalf("rating %d %q status %s", tk.Rating, tk.RatingComment, tk.Status)
	}
	for _, m := range toRequester {
		if strings.Contains(decodedText(t, m.raw), "directorio") || strings.Contains(m.raw, "seguridad que la desbloquee") {
			t.Fatalf("the internal note reached the requester:\n%s", m.raw)
		}
	}
}

// TestForgedAgentCommandChangesNothing: with a trusted authserv-id, a
// forged agent mail carrying commands neither runs them nor reaches the
// requester.
func TestForgedAgentCommandChangesNothing(t *testing.T) {
	e := newE2E(t)
	e.setConfig(`[[tiers]]`, "[security]\ntrusted_authserv_id = \"mx.ticketd.test\"\n[[tiers]]")
	e.step("From: pedro@cliente.test\nTo: soporte@ticketd.test\nSubject: Clave\nMessage-ID: <f1@cliente.test>\n\nOlvidé mi clave.\n")
	mails := e.step("Authentication-Results: mx.ticketd.test; dmarc=fail header.from=ticketd.test\nFrom: Ana <ana@ticketd.test>\nTo: soporte@ticketd.test\nSubject: Re: [Soporte #1] Clave\nMessage-ID: <f2@evil.test>\n\n#resolve\n#asignar marta@ticketd.test\nSu clave nueva es 1234.\n")
	if len(count(mails, requester, "")) != 0 {
		t.Fatal("forged agent mail reached the requester")
	}
	tk := e.ticket(1)
	if tk.Status != tickets.StatusNew || tk.Assignee != "" {
		t.Fatalf("forged commands ran: status %s assignee %q", tk.Status, tk.Assignee)
	}
	warned := false
	for _, m := range mails {
		if strings.Contains(decodedText(t, m.raw), "could not be verified") || strings.Contains(decodedText(t, m.raw), "no pudo verificarse") {
			warned = true
		}
	}
	if !warned {
		t.Errorf("the agents were not warned of the forged mail")
	}
}

// TestKnowledgeBaseSelfService: an answer saved with #kb is suggested to
// the next requester with the same problem, who closes the ticket with
// "#resuelto 1".
func TestKnowledgeBaseSelfService(t *testing.T) {
	e := newE2E(t)
	e.step("From: luisa@cliente.test\nTo: soporte@ticketd.test\nSubject: No puedo imprimir en la impresora del piso 3\nMessage-ID: <kb1@cliente.test>\n\nNo sale nada.\n")
	e.step("From: Ana <ana@ticketd.test>\nTo: soporte@ticketd.test\nSubject: Re: [Soporte #1] No puedo imprimir\nMessage-ID: <kb2@ticketd.test>\n\n#kb\nApague la impresora, espere diez segundos y enciéndala de nuevo.\n")
	if out := e.ticketd("kb", "list"); !strings.Contains(out, "No puedo imprimir en la impresora del piso 3") {
		t.Fatalf("kb list:\n%s", out)
	}
	if out := e.ticketd("kb", "search", "impresora", "imprime"); !strings.Contains(out, "No puedo imprimir") {
		t.Fatalf("kb search:\n%s", out)
	}
	mails := e.step("From: Eva <eva@cliente.test>\nTo: soporte@ticketd.test\nSubject: La impresora no imprime\nMessage-ID: <kb3@cliente.test>\n\nLa impresora del piso 3 no imprime desde ayer.\n")
	ack := count(mails, "eva@cliente.test", "Recibimos su solicitud")
	if len(ack) != 1 || !strings.Contains(decodedText(t, ack[0].raw), "Apague la impresora") {
		t.Fatalf("acknowledgement without the suggestion: %v", ack)
	}
	e.step(fmt.Sprintf("From: eva@cliente.test\nTo: soporte@ticketd.test\nSubject: Re: %s\nMessage-ID: <kb4@cliente.test>\nIn-Reply-To: <%s>\n\n#resuelto 1\n", ack[0].subject, ack[0].msgID))
	tk := e.ticket(2)
	if tk.Status != tickets.StatusClosed || tk.SolvedBy != 1 {
		t.Fatalf("after #resuelto 1: status %s solved by %d", tk.Status, tk.SolvedBy)
	}
	if out := e.ticketd("kb", "show", "1"); !strings.Contains(out, "helped 1") {
		t.Errorf("kb show 1 does not count the help:\n%s", out)
	}
}

// TestDigestAndKBWhileRunning: the daemon holds the database; "ticketd kb"
// and "ticketd digest" go through its admin socket.
func TestDigestAndKBWhileRunning(t *testing.T) {
	e := newE2E(t)
	e.setConfig(`[[tiers]]`, fmt.Sprintf("[digest]\nmanagers = [%q]\n[[tiers]]", manager))
	e.step("From: luisa@cliente.test\nTo: soporte@ticketd.test\nSubject: Impresora atascada\nMessage-ID: <r1@cliente.test>\n\nAtasco de papel.\n")
	e.step("From: Ana <ana@ticketd.test>\nTo: soporte@ticketd.test\nSubject: Re: [Soporte #1] Impresora atascada\nMessage-ID: <r2@ticketd.test>\n\n#kb\nAbra la bandeja 2 y retire el papel.\n")
	e.smtp.Reset()
	cmd, lines, _ := startDaemon(t, "run", "--config", e.config)
	waitLine(t, lines, "ticketd started", 20*time.Second)
	if out := e.ticketd("kb", "search", "impresora", "atascada"); !strings.Contains(out, "Impresora atascada") {
		t.Fatalf("kb search while running:\n%s", out)
	}
	// The digest covers whole days up to today's midnight: today's ticket
	// shows as open now, and the charts as where they would go.
	if out := e.ticketd("digest", "--dry-run"); !strings.Contains(out, "Abiertos ahora:      1") || !strings.Contains(out, "3 charts") {
		t.Fatalf("digest --dry-run while running:\n%s", out)
	}
	e.ticketd("digest")
	e.smtp.WaitFor(1, 20*time.Second) // the daemon delivers what it queued
	stopDaemon(t, cmd.Process.Pid, cmd.Wait)
	if m := classify(t, e.smtp.Messages()); len(count(m, manager, "resumen")) != 1 {
		t.Fatalf("digest mails to the manager: %d", len(count(m, manager, "resumen")))
	}
}
