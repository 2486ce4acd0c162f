package main

// End-to-end tests of an agent's day (issue 11): assignment, the knowledge
// base, the vendor forward, escalation past the last tier, internal notes
// and the status reply. The real binary, Dovecot and the SMTP sink.

import (
	"fmt"
	"strings"
	"testing"

	"github.com/ticketd/ticketd/tickets"
)

// agentMail is an agent's reply on ticket 1 with text as its body.
func agentMail(from, msgID, text string) string {
	return fmt.Sprintf("From: %s\nTo: soporte@ticketd.test\nSubject: Re: [Soporte #1] Impresora\nMessage-ID: <%s>\n\n%s\n", from, msgID, text)
}

// TestAssignTellsTheNewAssigneeOnce: "#asignar" gives the new assignee one
// mail with the whole conversation and the internal notes; the same
// assignment again sends nothing; a reassignment tells the next one.
func TestAssignTellsTheNewAssigneeOnce(t *testing.T) {
	e := newE2E(t)
	e.step("From: Pedro <pedro@cliente.test>\nTo: soporte@ticketd.test\nSubject: Impresora\nMessage-ID: <as1@cliente.test>\n\nLa impresora del piso 3 no imprime.\n")
	e.step(agentMail(agentLuis, "as2@ticketd.test", "#nota\nEl tóner se pidió el lunes."))
	e.step(agentMail(agentAna, "as3@ticketd.test", "Hola Pedro, ¿qué luz se enciende?"))
	e.step("From: pedro@cliente.test\nTo: soporte@ticketd.test\nSubject: Re: [Soporte #1] Impresora\nMessage-ID: <as4@cliente.test>\n\nLa luz naranja parpadea.\n")

	mails := e.step(agentMail(agentAna, "as5@ticketd.test", "#asignar marta@ticketd.test"))
	got := count(mails, agentMarta, "Asignado a usted")
	if len(got) != 1 {
		t.Fatalf("mails to the new assignee after #asignar: %d, want 1 (all: %d)", len(got), len(mails))
	}
	text := decodedText(t, got[0].raw)
	for _, want := range []string{"La impresora del piso 3 no imprime.", "El tóner se pidió el lunes.",
		"¿qué luz se enciende?", "La luz naranja parpadea.", agentAna} {
		if !strings.Contains(text, want) {
			t.Errorf("the assignment mail lacks %q:\n%s", want, text)
		}
	}
	if strings.Contains(text, "#asignar") || strings.Contains(text, "> #nota") {
		t.Errorf("the assignment mail shows command lines:\n%s", text)
	}
	if len(count(mails, requester, "")) != 0 {
		t.Errorf("a command-only #asignar wrote to the requester")
	}
	if tk := e.ticket(1); tk.Assignee != agentMarta {
		t.Fatalf("assignee %q", tk.Assignee)
	}

	if mails := e.step(agentMail(agentAna, "as6@ticketd.test", "#asignar marta@ticketd.test")); len(mails) != 0 {
		t.Errorf("the same assignment again sent %d mail(s), want none: %v", len(mails), mails)
	}
	mails = e.step(agentMail(agentMarta, "as7@ticketd.test", "#asignar Luis <luis@ticketd.test>"))
	if len(count(mails, agentLuis, "Asignado a usted")) != 1 || len(count(mails, agentMarta, "")) != 0 {
		t.Errorf("after reassigning to luis: %d to luis, %d to marta", len(count(mails, agentLuis, "Asignado a usted")), len(count(mails, agentMarta, "")))
	}
}

// newTicket opens ticket n for requester with subject and text.
func (e *e2e) newTicket(n int, subject, text string) {
	e.t.Helper()
	e.step(fmt.Sprintf("From: Pedro <pedro@cliente.test>\nTo: soporte@ticketd.test\nSubject: %s\nMessage-ID: <new%d@cliente.test>\n\n%s\n", subject, n, text))
}

// agentOn is an agent's reply on ticket n.
func agentOn(n int, from, msgID, text string) string {
	return fmt.Sprintf("From: %s\nTo: soporte@ticketd.test\nSubject: Re: [Soporte #%d] ticket\nMessage-ID: <%s>\n\n%s\n", from, n, msgID, text)
}

// TestKBSavesTheAnswerNotTheCommand: "#kb #resolve" saves the last public
// answer (titled by the ticket); "#kb" with text saves the text and sends
// the requester nothing; an answer above a "#kb" line is relayed and the
// text below it becomes the article.
func TestKBSavesTheAnswerNotTheCommand(t *testing.T) {
	e := newE2E(t)
	e.newTicket(1, "Impresora atascada", "Sale una luz naranja.")
	e.step(agentOn(1, agentAna, "kb1@ticketd.test", "Hola Pedro, abra la bandeja 2 y retire el papel."))
	mails := e.step(agentOn(1, agentAna, "kb2@ticketd.test", "#kb #resolve"))
	for _, m := range count(mails, requester, "") {
		if strings.Contains(decodedText(t, m.raw), "#kb") {
			t.Errorf("the command reached the requester:\n%s", m.raw)
		}
	}
	if tk := e.ticket(1); tk.Status != tickets.StatusResolved {
		t.Errorf("#kb #resolve did not resolve: %s", tk.Status)
	}
	out := e.ticketd("kb", "show", "1")
	if !strings.Contains(out, "article 1: Impresora atascada") || !strings.Contains(out, "abra la bandeja 2 y retire el papel") || strings.Contains(out, "#kb") {
		t.Fatalf("article 1 is not the last public answer:\n%s", out)
	}

	e.newTicket(2, "No enciende el monitor", "Pantalla negra.")
	article := "Si el monitor no enciende, compruebe que el cable de corriente está bien conectado."
	mails = e.step(agentOn(2, agentAna, "kb3@ticketd.test", "#kb\n"+article))
	if n := len(count(mails, requester, "")); n != 0 {
		t.Errorf("#kb with an article sent %d mail(s) to the requester", n)
	}
	if out := e.ticketd("kb", "show", "2"); !strings.Contains(out, "article 2: No enciende el monitor") || !strings.Contains(out, article) {
		t.Fatalf("article 2:\n%s", out)
	}

	e.newTicket(3, "Clave del wifi", "¿Cuál es la clave?")
	mails = e.step(agentOn(3, agentAna, "kb4@ticketd.test", "Hola Pedro, se la mando por SMS.\n\n#kb\nLa clave del wifi de invitados se pide en recepción."))
	answer := count(mails, requester, "Clave del wifi")
	if len(answer) != 1 {
		t.Fatalf("mails to the requester: %d, want the answer", len(count(mails, requester, "")))
	}
	if text := decodedText(t, answer[0].raw); !strings.Contains(text, "se la mando por SMS") || strings.Contains(text, "recepción") || strings.Contains(text, "#kb") {
		t.Errorf("the answer above #kb should be relayed, the article below it not:\n%s", text)
	}
	if out := e.ticketd("kb", "show", "3"); !strings.Contains(out, "se pide en recepción") || strings.Contains(out, "SMS") {
		t.Fatalf("article 3:\n%s", out)
	}
}

const vendorAddr = "soporte@acme.test"

// vendorTiers: tier 1 (ana, luis), tier 2 (marta), tier 3 an external vendor.
func vendorTiers() string {
	return twoTiers() + fmt.Sprintf(`[[tiers]]
level = 3
name = "Proveedor ACME"
agents = [%q]
first_response = "8h"
resolution = "72h"
vendor = true
`, vendorAddr)
}

// TestVendorForwardIsPublicOnly: the mail to the external vendor carries
// the requester's messages and the agents' answers as relayed, and no
// agent address, command line, note or command-only mail — whether the
// ticket was moved there with #nivel or escalated with #escalar.
func TestVendorForwardIsPublicOnly(t *testing.T) {
	e := newE2E(t)
	e.setTiers(vendorTiers())
	e.newTicket(1, "Servidor caído", "El servidor de facturas no responde.")
	e.step(agentOn(1, agentAna, "v1@ticketd.test", "Hola Pedro, lo revisamos. Si hace falta, escriba a ana@ticketd.test."))
	e.step(agentOn(1, agentAna, "v2@ticketd.test", "#prioridad alta"))
	e.step(agentOn(1, agentLuis, "v3@ticketd.test", "#nota\nEl disco del servidor está al 100 %."))
	e.step("From: pedro@cliente.test\nTo: soporte@ticketd.test\nSubject: Re: [Soporte #1] Servidor caído\nMessage-ID: <v4@cliente.test>\n\nSigue sin responder.\n")
	e.step(agentOn(1, agentAna, "v5@ticketd.test", "#nivel 2"))
	mails := e.step(agentOn(1, agentMarta, "v6@ticketd.test", "#escalar"))

	e.newTicket(2, "Licencia caducada", "La licencia de ACME caducó ayer.")
	mails = append(mails, e.step(agentOn(2, agentLuis, "v7@ticketd.test", "#nivel 3"))...)

	forwards := count(mails, vendorAddr, "")
	if len(forwards) != 2 {
		t.Fatalf("mails to the vendor: %d, want 2", len(forwards))
	}
	for _, f := range forwards {
		text := decodedText(t, f.raw)
		for _, bad := range []string{agentAna, agentLuis, agentMarta, "#prioridad", "#nivel", "#escalar", "#nota",
			"El disco del servidor", "moved by", "escalated by", "movido por", "escalado por"} {
			if strings.Contains(f.raw, bad) || strings.Contains(text, bad) {
				t.Errorf("the vendor forward %q carries %q:\n%s", f.subject, bad, text)
			}
		}
	}
	first := decodedText(t, count(forwards, vendorAddr, "Servidor caído")[0].raw)
	for _, want := range []string{"El servidor de facturas no responde.", "Hola Pedro, lo revisamos.", "Sigue sin responder."} {
		if !strings.Contains(first, want) {
			t.Errorf("the vendor forward lacks %q:\n%s", want, first)
		}
	}
}

// TestEscalateAtLastTierIsARequestNotABreach: "#escalar" at the last tier
// tells the manager that the agent asked for escalation beyond the last
// tier, in their words, and is not announced as an SLA breach; the
// requester hears nothing of it.
func TestEscalateAtLastTierIsARequestNotABreach(t *testing.T) {
	e := newE2E(t)
	e.setConfig(`[[tiers]]`, fmt.Sprintf("[digest]\nmanagers = [%q]\n[[tiers]]", manager))
	e.newTicket(1, "Red lenta", "La red va muy lenta desde ayer.")
	e.step(agentOn(1, agentAna, "l1@ticketd.test", "#nivel 2"))
	mails := e.step(agentOn(1, agentMarta, "l2@ticketd.test", "#escalar hace falta el proveedor de la fibra"))
	alerts := count(mails, manager, "")
	if len(alerts) != 1 {
		t.Fatalf("mails to the manager: %d, want 1", len(alerts))
	}
	text := decodedText(t, alerts[0].raw)
	if strings.Contains(alerts[0].subject, "SLA") || strings.Contains(text, "Incumplimiento") {
		t.Errorf("a manual #escalar is announced as an SLA breach: %q\n%s", alerts[0].subject, text)
	}
	for _, want := range []string{"último nivel", agentMarta, "hace falta el proveedor de la fibra"} {
		if !strings.Contains(alerts[0].subject+text, want) {
			t.Errorf("the manager's mail lacks %q: %q\n%s", want, alerts[0].subject, text)
		}
	}
	for _, m := range count(mails, requester, "") {
		if strings.Contains(m.raw, agentMarta) {
			t.Errorf("the requester was told who escalated:\n%s", m.raw)
		}
	}
}

// TestNotesReachTheRightAgents: on an unassigned ticket a one-line
// "#nota text" reaches the tier's other agent; on a desk whose tier 1 is
// one agent, that agent's note mails nobody, and the ticket's timeline
// says so without claiming a bounce.
func TestNotesReachTheRightAgents(t *testing.T) {
	e := newE2E(t)
	e.newTicket(1, "Correo lleno", "No me llegan correos.")
	mails := e.step(agentOn(1, agentAna, "n1@ticketd.test", "#nota el buzón está al 100 %, hay que ampliarlo"))
	notes := count(mails, agentLuis, "Nota interna")
	if len(notes) != 1 || !strings.Contains(decodedText(t, notes[0].raw), "el buzón está al 100 %, hay que ampliarlo") {
		t.Fatalf("the note did not reach the other tier-1 agent with its text: %d mail(s) to luis of %d", len(notes), len(mails))
	}
	if len(count(mails, agentAna, "")) != 0 || len(count(mails, requester, "")) != 0 {
		t.Errorf("the note went to its author or the requester")
	}

	e.setTiers(fmt.Sprintf("[[tiers]]\nlevel = 1\nname = \"Nivel 1\"\nagents = [%q]\nfirst_response = \"30m\"\nresolution = \"8h\"\n"+
		"[[tiers]]\nlevel = 2\nname = \"Nivel 2\"\nagents = [%q]\nfirst_response = \"2h\"\nresolution = \"24h\"\n", agentAna, agentMarta))
	e.newTicket(2, "Teclado roto", "Se me cayó café en el teclado.")
	if mails := e.step(agentOn(2, agentAna, "n2@ticketd.test", "#nota\nPedir un teclado nuevo a compras.")); len(mails) != 0 {
		t.Errorf("a note nobody else needs sent %d mail(s): %v", len(mails), mails)
	}
	show := e.ticketd("show", "2")
	if !strings.Contains(show, "Pedir un teclado nuevo a compras.") || !strings.Contains(show, "not_sent") || !strings.Contains(show, "no other agent to tell") {
		t.Errorf("the timeline does not keep the note and say nobody was told:\n%s", show)
	}
	if strings.Contains(show, "bounce") || strings.Contains(show, "undeliverable") {
		t.Errorf("the timeline claims a bounce that did not happen:\n%s", show)
	}
}

// TestStatusReplyListsOpenAndResolvedApart: a requester asking for the
// status gets their open tickets as open, a resolved one apart (a reply
// still reopens it), no closed one, and no placeholder text.
func TestStatusReplyListsOpenAndResolvedApart(t *testing.T) {
	e := newE2E(t)
	e.newTicket(1, "Portátil lento", "Tarda diez minutos en arrancar.")
	e.newTicket(2, "Ratón", "El ratón no va.")
	e.step(agentOn(2, agentAna, "s1@ticketd.test", "#resolver\nLe dejamos un ratón nuevo en su mesa."))
	e.newTicket(3, "Silla", "Necesito una silla.")
	e.step(agentOn(3, agentAna, "s2@ticketd.test", "#cerrar"))

	mails := e.step("From: Pedro <pedro@cliente.test>\nTo: soporte@ticketd.test\nSubject: estado\nMessage-ID: <st@cliente.test>\n\n¿Cómo van mis solicitudes?\n")
	replies := count(mails, requester, "Estado de sus solicitudes")
	if len(replies) != 1 {
		t.Fatalf("status replies: %d of %d mails", len(replies), len(mails))
	}
	text := decodedText(t, replies[0].raw)
	open, resolved, ok := strings.Cut(text, "Resueltas hace poco")
	if !ok {
		t.Fatalf("the resolved ticket is not listed apart:\n%s", text)
	}
	if !strings.Contains(open, "[Soporte #1] Portátil lento") || strings.Contains(open, "Ratón") {
		t.Errorf("the open list is wrong:\n%s", text)
	}
	if !strings.Contains(resolved, "[Soporte #2] Ratón") {
		t.Errorf("the resolved list lacks ticket 2:\n%s", text)
	}
	if strings.Contains(text, "Silla") || strings.Contains(text, "[...]") {
		t.Errorf("the status reply lists a closed ticket or shows a placeholder:\n%s", text)
	}
}
