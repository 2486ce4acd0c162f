package main

// End-to-end tests of an agent's day (issue 11): assignment, the knowledge
// base, the vendor forward, escalation past the last tier, internal notes
// and the status reply. The real binary, Dovecot and the SMTP sink.

import (
	"fmt"
	"strings"
	"testing"
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
