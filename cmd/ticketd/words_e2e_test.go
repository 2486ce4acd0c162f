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

func subjects(ms []sentMail) []string {
	var out []string
	for _, m := range ms {
		out = append(out, m.subject)
	}
	return out
}
