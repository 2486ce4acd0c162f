package main

// End-to-end checks of what people read (issue 11): subjects, wording,
// language. The real binary, Dovecot and the SMTP sink.

import (
	"fmt"
	"strings"
	"testing"
)

// TestReplyToClosedTicketsAckKeepsTheSubject: a requester answers the
// acknowledgement of a closed ticket. The new ticket takes the original
// subject, not "Recibimos su solicitud: …", its acknowledgement and the
// agents' notice say it once, and the notice names the closed ticket.
func TestReplyToClosedTicketsAckKeepsTheSubject(t *testing.T) {
	e := newE2E(t)
	mails := e.step("From: Pedro <pedro@cliente.test>\nTo: soporte@ticketd.test\nSubject: Impresora sin tóner\nMessage-ID: <s1@cliente.test>\n\nNo imprime.\n")
	ack := count(mails, requester, "Recibimos su solicitud")
	if len(ack) != 1 {
		t.Fatalf("acknowledgements: %d", len(ack))
	}
	e.step("From: Ana <ana@ticketd.test>\nTo: soporte@ticketd.test\nSubject: Re: [Soporte #1] Impresora sin tóner\nMessage-ID: <s2@ticketd.test>\n\n#cerrar\n")
	mails = e.step(fmt.Sprintf("From: Pedro <pedro@cliente.test>\nTo: soporte@ticketd.test\nSubject: RE: Fwd: %s\nMessage-ID: <s3@cliente.test>\nIn-Reply-To: <%s>\n\nSigue sin imprimir.\n",
		ack[0].subject, ack[0].msgID))
	oneFooter(t, mails)
	if tk := e.ticket(2); tk.Subject != "Impresora sin tóner" {
		t.Errorf("new ticket's subject %q, want the original one", tk.Subject)
	}
	ack2 := count(mails, requester, "[Soporte #2]")
	if len(ack2) != 1 || ack2[0].subject != "[Soporte #2] Recibimos su solicitud: Impresora sin tóner" {
		t.Errorf("second acknowledgement: %v", subjects(ack2))
	}
	notice := count(mails, agentAna, "[Soporte #2]")
	if len(notice) != 1 || notice[0].subject != "[Soporte #2] Nuevo: Impresora sin tóner" {
		t.Fatalf("agents' notice: %v", subjects(notice))
	}
	if text := decodedText(t, notice[0].raw); !strings.Contains(text, "Sigue al ticket [Soporte #1]") {
		t.Errorf("the agents' notice does not name the closed ticket:\n%s", text)
	}
}

// oneFooter checks every mail has one signature block ("-- "), the
// footer, with the reference line in it, and names nobody as "a@x <a@x>".
func oneFooter(t *testing.T, ms []sentMail) {
	t.Helper()
	for _, m := range ms {
		text := strings.ReplaceAll(decodedText(t, m.raw), "\r\n", "\n")
		if n := strings.Count("\n"+text, "\n-- \n"); n != 1 || !strings.Contains(text[strings.LastIndex(text, "\n-- \n"):], "ref:") {
			t.Errorf("%q: %d signature blocks, want one with the ref: line:\n%s", m.subject, n, text)
		}
		if strings.Contains(text, "pedro@cliente.test <pedro@cliente.test>") {
			t.Errorf("%q names the requester twice:\n%s", m.subject, text)
		}
	}
}

func subjects(ms []sentMail) []string {
	var out []string
	for _, m := range ms {
		out = append(out, m.subject)
	}
	return out
}

// TestSpanishDeskSpeaksSpanish: on a Spanish desk, what Go code used to
// write in English — command errors, escalation reasons, history labels,
// the last-tier alert — reaches agents in Spanish.
func TestSpanishDeskSpeaksSpanish(t *testing.T) {
	e := newE2E(t)
	// No display name: mails show the bare address, not "a@x <a@x>".
	first := e.step("From: pedro@cliente.test\nTo: soporte@ticketd.test\nSubject: Red caída\nMessage-ID: <l1@cliente.test>\n\nNo hay red en el piso 2.\n")
	oneFooter(t, first)
	agent := func(id, from, body string) []sentMail {
		return e.step(fmt.Sprintf("From: %s\nTo: soporte@ticketd.test\nSubject: Re: [Soporte #1] Red caída\nMessage-ID: <%s@ticketd.test>\n\n%s\n", from, id, body))
	}
	agent("l2", agentAna, "#nota revisar el switch del piso 2")
	english := []string{"needs ", "unknown command", "escalated by", "escalation requested", "at the last tier", "(note)", "breached", "target"}
	noEnglish := func(what string, ms []sentMail) {
		t.Helper()
		if len(ms) == 0 {
			t.Errorf("%s: no mail", what)
		}
		oneFooter(t, ms)
		for _, m := range ms {
			text := decodedText(t, m.raw)
			for _, w := range english {
				if strings.Contains(text, w) {
					t.Errorf("%s says %q in a Spanish mail:\n%s", what, w, text)
				}
			}
		}
	}
	errMail := count(agent("l3", agentAna, "#prioridad cuando pueda\n#frobnicar"), agentAna, "No aplicado")
	noEnglish("command error", errMail)
	if len(errMail) == 1 {
		text := decodedText(t, errMail[0].raw)
		for _, want := range []string{"#prioridad cuando pueda: necesita una prioridad: baja, normal, alta o urgente", "#frobnicar: orden desconocida"} {
			if !strings.Contains(text, want) {
				t.Errorf("command error lacks %q:\n%s", want, text)
			}
		}
	}
	esc := count(agent("l4", agentAna, "#escalar el switch no responde"), agentMarta, "Escalado a Nivel 2")
	noEnglish("escalation", esc)
	if len(esc) == 1 {
		text := decodedText(t, esc[0].raw)
		for _, want := range []string{"escalado por ana@ticketd.test: el switch no responde", "(nota interna)"} {
			if !strings.Contains(text, want) {
				t.Errorf("escalation lacks %q:\n%s", want, text)
			}
		}
	}
	noEnglish("last-tier alert", count(agent("l5", agentMarta, "#escalar"), agentMarta, "[Soporte #1]"))
}
