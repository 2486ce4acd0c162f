package mailparse

import (
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/ticketd/ticketd/tickets"
)

func TestParseEnvelopeRecipients(t *testing.T) {
	raw := strings.ReplaceAll(`Delivered-To: Ventas@Ventas.example
Delivered-To: <soporte@example.com>
X-Original-To: comercial@ventas.example, ayuda@example.com
From: Pedro <pedro@client.com>
To: list@client.com
Subject: precios
Message-ID: <p1@client.com>

hola
`, "\n", "\r\n")
	in, err := Parse([]byte(raw))
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"ventas@ventas.example", "soporte@example.com"}; !reflect.DeepEqual(in.DeliveredTo, want) {
		t.Errorf("DeliveredTo %v, want %v (topmost first, normalised)", in.DeliveredTo, want)
	}
	if want := []string{"comercial@ventas.example", "ayuda@example.com"}; !reflect.DeepEqual(in.XOriginalTo, want) {
		t.Errorf("XOriginalTo %v, want %v", in.XOriginalTo, want)
	}
}

// A forged mail with thousands of Delivered-To fields: only the first
// few are read.
func TestParseEnvelopeRecipientsBounded(t *testing.T) {
	var b strings.Builder
	for i := range 2000 {
		fmt.Fprintf(&b, "Delivered-To: q%d@example.com\r\n", i)
	}
	b.WriteString("From: x@attacker.example\r\nSubject: x\r\nMessage-ID: <x@a>\r\n\r\nx\r\n")
	in, err := Parse([]byte(b.String()))
	if err != nil {
		t.Fatal(err)
	}
	if len(in.DeliveredTo) != maxEnvelopeFields || in.DeliveredTo[0] != "q0@example.com" {
		t.Fatalf("%d Delivered-To kept, first %v", len(in.DeliveredTo), in.DeliveredTo[:1])
	}
}

// Mail from any queue's address, or with a Message-ID under any queue's
// domain, is ticketd's own.
func TestOwnMailOfEveryQueue(t *testing.T) {
	opts := Options{DeskAddress: "soporte@example.com", QueueAddresses: []string{"ventas@ventas.example"}}
	for _, tc := range []struct{ from, msgid string }{
		{"ventas@ventas.example", "<a@client>"},
		{"x@client.com", "<ticketd.1.2.aabbccddeeff.0011223344556677@ventas.example>"},
	} {
		raw := "From: " + tc.from + "\r\nSubject: x\r\nMessage-ID: " + tc.msgid + "\r\n\r\nx\r\n"
		in, err := ParseWithOptions([]byte(raw), opts)
		if err != nil {
			t.Fatal(err)
		}
		if in.Kind != tickets.KindOwn {
			t.Errorf("from %s id %s: kind %s", tc.from, tc.msgid, in.Kind)
		}
	}
}
