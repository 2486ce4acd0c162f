package main

import (
	"fmt"
	"strings"
	"testing"
)

// TestRelayedAnswerLeaksNothing: an agent answers from their client with
// their address in capitals after an "İ" and a sign-off without a "-- "
// line; the requester gets the answer, and neither the address nor the
// name, phone and intranet URL of the sign-off.
func TestRelayedAnswerLeaksNothing(t *testing.T) {
	e := newE2E(t)
	mails := e.step(`From: Pedro Pérez <pedro@cliente.test>
To: soporte@ticketd.test
Subject: No puedo imprimir
Message-ID: <first@cliente.test>
Content-Type: text/plain; charset=UTF-8

La impresora no responde.
`)
	var note sentMail
	for _, m := range mails {
		if strings.Contains(strings.Join(m.to, ","), agentAna) {
			note = m
		}
	}
	if note.msgID == "" {
		t.Fatalf("no notice to the agents: %+v", mails)
	}
	mails = e.step(fmt.Sprintf(`From: Ana Agente <ana@ticketd.test>
To: soporte@ticketd.test
Subject: RE: %s
Message-ID: <ana-1@ticketd.test>
In-Reply-To: <%s>
Content-Type: text/plain; charset=UTF-8

Hola Pedro, ya quedó la impresora de la sede İzmir. Si falla, escriba a ANA@TICKETD.TEST.

Saludos,
Ana Agente
Analista Nivel 1 - Mesa de ayuda
Tel. +57 601 555 0199
https://intranet.ticketd.test/mesa
`, note.subject, note.msgID))
	if len(mails) != 1 || mails[0].to[0] != requester {
		t.Fatalf("relay: %+v", mails)
	}
	text := decodedText(t, mails[0].raw)
	if !strings.Contains(text, "ya quedó la impresora de la sede İzmir") {
		t.Errorf("the answer is not relayed:\n%s", text)
	}
	for _, leak := range []string{"ticketd.test/mesa", "555 0199", "Analista", "Agente", "ANA@", "ana@"} {
		if strings.Contains(mails[0].raw, leak) || strings.Contains(text, leak) {
			t.Errorf("%q reaches the requester:\n%s", leak, text)
		}
	}
}
