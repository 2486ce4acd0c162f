package main

import (
	"fmt"
	"strings"
	"testing"

	"github.com/ticketd/ticketd/tickets"
)

// quoteWith quotes every line of text with prefix, as a mail client
// does when replying.
func quoteWith(text, prefix string) string {
	lines := strings.Split(strings.TrimRight(text, "\n"), "\n")
	for i, l := range lines {
		lines[i] = prefix + l
	}
	return strings.Join(lines, "\n")
}

// unflowText joins the soft line breaks of format=flowed text (RFC 3676,
// DelSp=no): a line ending in a space goes on on the next line; the space
// after quote marks is stuffing. The signature separator is a hard line.
func unflowText(s string) string {
	s = strings.ReplaceAll(s, "\r\n", "\n")
	var b strings.Builder
	soft := false
	for _, line := range strings.Split(s, "\n") {
		if soft {
			// The continuation repeats the quote marks and stuffing.
			line = strings.TrimPrefix(strings.TrimLeft(line, ">"), " ")
		}
		b.WriteString(line)
		soft = strings.HasSuffix(line, " ") && line != "-- "
		if !soft {
			b.WriteString("\n")
		}
	}
	return strings.TrimSuffix(b.String(), "\n")
}

// agentNotice opens a ticket with the requester's text and returns the
// notice the agents get.
func agentNotice(t *testing.T, e *e2e, text string) sentMail {
	t.Helper()
	mails := e.step(`From: Pedro Pérez <pedro@cliente.test>
To: soporte@ticketd.test
Subject: No puedo imprimir
Message-ID: <first@cliente.test>
Content-Type: text/plain; charset=UTF-8

` + text + "\n")
	for _, m := range mails {
		if strings.Contains(strings.Join(m.to, ","), agentAna) {
			return m
		}
	}
	t.Fatalf("no notice to the agents: %+v", mails)
	return sentMail{}
}

// TestMailxAgentAnswerBelowTheQuote: an agent answers from s-nail with a
// tab-indented quote, an attribution without "On", and a command and the
// answer below the quote (commands first, as always) (issue 18 point 2). The requester gets the
// answer, never the bare attribution, our reply line or our footer, and
// the command runs.
func TestMailxAgentAnswerBelowTheQuote(t *testing.T) {
	e := newE2E(t)
	note := agentNotice(t, e, "La impresora no responde.")
	mails := e.step(fmt.Sprintf(`From: Ana Agente <ana@ticketd.test>
To: soporte@ticketd.test
Subject: Re: %s
Message-ID: <ana-mailx@ticketd.test>
In-Reply-To: <%s>
User-Agent: s-nail v14.9.24
Content-Type: text/plain; charset=utf-8

"Mesa de ayuda, Soporte" <soporte@ticketd.test> wrote:

%s
#resolver
Reinicié la cola de impresión; pruebe de nuevo, por favor.
`, note.subject, note.msgID, quoteWith(decodedText(t, note.raw), "\t")))
	var answer string
	for _, m := range mails {
		if strings.Join(m.to, ",") == requester {
			answer += decodedText(t, m.raw)
		}
		if strings.Contains(m.subject, "no se envi") || strings.Contains(decodedText(t, m.raw), "no se envió") {
			t.Errorf("the agent was told nothing was relayed: %s", m.subject)
		}
	}
	if !strings.Contains(answer, "Reinicié la cola de impresión; pruebe de nuevo, por favor.") {
		t.Fatalf("the answer below the quote did not reach the requester: %q (mails %+v)", answer, mails)
	}
	// The notice's own reference (its ref: line) stays in the quote.
	for _, leak := range []string{"wrote:", "Nuevo ticket", "Nivel", note.msgID, "#resolver"} {
		if strings.Contains(answer, leak) {
			t.Errorf("%q reached the requester:\n%s", leak, answer)
		}
	}
	if tk := e.ticket(1); tk.Status != tickets.StatusResolved {
		t.Errorf("the command below the quote did not run: status %s", tk.Status)
	}
}

// TestInterleavedAgentAnswerIsRelayed: an agent answers between the
// quoted lines of the requester's mail (issue 18 point 4): the answers
// reach the requester in order, each after the quoted line it answers,
// without the notice's other details.
func TestInterleavedAgentAnswerIsRelayed(t *testing.T) {
	e := newE2E(t)
	note := agentNotice(t, e, "La impresora no responde.\n\n¿Tengo que reinstalar el driver?")
	var b strings.Builder
	for _, l := range strings.Split(strings.TrimRight(decodedText(t, note.raw), "\n"), "\n") {
		b.WriteString("> " + l + "\n")
		switch strings.TrimSpace(l) {
		case "> La impresora no responde.":
			b.WriteString("Revise que esté encendida y con papel.\n")
		case "> ¿Tengo que reinstalar el driver?":
			b.WriteString("No hace falta.\n")
		}
	}
	mails := e.step(fmt.Sprintf(`From: Ana Agente <ana@ticketd.test>
To: soporte@ticketd.test
Subject: Re: %s
Message-ID: <ana-inline@ticketd.test>
In-Reply-To: <%s>
Content-Type: text/plain; charset=utf-8

On Mon, 2 Mar 2026 at 09:00, Mesa de ayuda <soporte@ticketd.test> wrote:
%s`, note.subject, note.msgID, b.String()))
	var answer string
	for _, m := range mails {
		if strings.Join(m.to, ",") == requester {
			answer = decodedText(t, m.raw)
		}
	}
	want := "> La impresora no responde.\r\nRevise que esté encendida y con papel.\r\n\r\n> ¿Tengo que reinstalar el driver?\r\nNo hace falta."
	if !strings.Contains(answer, want) && !strings.Contains(answer, strings.ReplaceAll(want, "\r\n", "\n")) {
		t.Fatalf("interleaved answer not relayed in order with its context:\n%s\nmails: %+v", answer, mails)
	}
	for _, leak := range []string{"Nuevo ticket", "Nivel", "Responda a este correo", "wrote:"} {
		if strings.Contains(answer, leak) {
			t.Errorf("%q reached the requester:\n%s", leak, answer)
		}
	}
}
