package main

// End to end (issue 14, point 1): each requester in their own language.
// The real binary, Dovecot and the SMTP sink, one "ticketd once" per step.

import (
	"context"
	"fmt"
	"os/exec"
	"strings"
	"testing"

	"github.com/ticketd/ticketd/templates"
)

const englishRequester = "peter@cliente.test"

// TestEnglishRequesterOnSpanishDesk: an English-speaking requester of a
// Spanish desk gets English mail through the ticket's whole life
// (acknowledgement, relayed answers, status reply, satisfaction question),
// while the agents get Spanish; a one-word follow-up changes nothing.
func TestEnglishRequesterOnSpanishDesk(t *testing.T) {
	e := newE2E(t)
	var toRequester, toAgents []sentMail
	keep := func(mails []sentMail) []sentMail {
		toRequester = append(toRequester, count(mails, englishRequester, "")...)
		toAgents = append(toAgents, count(mails, "@ticketd.test", "")...)
		return mails
	}
	mails := keep(e.step("From: Peter Smith <peter@cliente.test>\nTo: soporte@ticketd.test\nSubject: Printer not working\nMessage-ID: <en1@cliente.test>\n\n" +
		"Hi, the printer on the third floor has stopped printing since yesterday. Can you help?\n\nThanks,\nPeter\n"))
	if len(count(mails, englishRequester, "We received your request: Printer not working")) != 1 {
		t.Fatalf("no English acknowledgement: %v", subjects(mails))
	}
	notice := count(mails, agentAna, "Nuevo: Printer not working")
	if len(notice) != 1 {
		t.Fatalf("no Spanish notice to the agent: %v", subjects(mails))
	}
	agent := func(to sentMail, id, body string) []sentMail {
		return keep(e.step(fmt.Sprintf("From: Ana <ana@ticketd.test>\nTo: soporte@ticketd.test\nSubject: RE: %s\nMessage-ID: <%s@ticketd.test>\nIn-Reply-To: <%s>\n\n%s\n",
			to.subject, id, to.msgID, body)))
	}
	mails = agent(notice[0], "a1", "#pendiente\nHi Peter, please switch the printer off and on and tell me if it prints.")
	relay := count(mails, englishRequester, "Re: [Soporte #1] Printer not working")
	if len(relay) != 1 || !strings.HasPrefix(decodedText(t, relay[0].raw), templates.ReplyLine("en")) {
		t.Fatalf("relayed answer: %v", subjects(mails))
	}

	mails = keep(e.step(fmt.Sprintf("From: peter@cliente.test\nTo: soporte@ticketd.test\nSubject: Re: %s\nMessage-ID: <en2@cliente.test>\nIn-Reply-To: <%s>\n\nHola\n",
		relay[0].subject, relay[0].msgID)))
	update := count(mails, agentAna, "Printer not working")
	if len(update) != 1 {
		t.Fatalf("follow-up not forwarded to ana: %v", subjects(mails))
	}
	if tk := e.ticket(1); tk.Language != "en" {
		t.Errorf("ticket language %q after a one-word follow-up", tk.Language)
	}

	mails = keep(e.step("From: peter@cliente.test\nTo: soporte@ticketd.test\nSubject: status\nMessage-ID: <en3@cliente.test>\n\n\n"))
	if len(count(mails, englishRequester, "Status of your requests")) != 1 {
		t.Fatalf("status reply not in English: %v", subjects(mails))
	}

	mails = agent(update[0], "a2", "#resolver\nThe driver was reinstalled; it prints again.")
	if len(count(mails, englishRequester, "How did we do?")) != 1 {
		t.Fatalf("satisfaction question not in English: %v", subjects(mails))
	}

	spanish, english := templates.ReplyLine("es"), templates.ReplyLine("en")
	for _, m := range toRequester {
		text := decodedText(t, m.raw)
		for _, w := range []string{spanish, "Recibimos", "Hola, Peter", "solicitud", "¿Cómo lo hicimos?", "Estado de sus"} {
			if strings.Contains(m.subject+text, w) {
				t.Errorf("mail to the requester %q has Spanish %q:\n%s", m.subject, w, text)
			}
		}
	}
	if len(toAgents) < 2 {
		t.Fatalf("agents got %d mails", len(toAgents))
	}
	for _, m := range toAgents {
		text := decodedText(t, m.raw)
		if strings.Contains(text, english) || strings.Contains(m.subject, "We received") {
			t.Errorf("mail to the agents %q is in English:\n%s", m.subject, text)
		}
	}
}

// TestPortugueseDeskConfig: language = "pt" is a desk language, and a
// languages list naming a language without templates is refused.
func TestPortugueseDeskConfig(t *testing.T) {
	e := newE2E(t)
	e.setConfig(`language = "es"`, "language = \"pt\"\nlanguages = [\"pt\", \"en\"]")
	if out := e.ticketd("check-config"); !strings.Contains(out, `mails in "pt"`) || !strings.Contains(out, "pt, en") {
		t.Errorf("check-config:\n%s", out)
	}
	mails := e.step("From: Maria <maria@cliente.test>\nTo: soporte@ticketd.test\nSubject: Senha\nMessage-ID: <pt1@cliente.test>\n\nOi\n")
	if len(count(mails, "maria@cliente.test", "Recebemos sua solicitação")) != 1 || len(count(mails, agentAna, "Novo: Senha")) != 1 {
		t.Errorf("a Portuguese desk: %v", subjects(mails))
	}
	// Spanish is not among languages: a Spanish mail gets the desk's.
	mails = e.step("From: Lucia <lucia@cliente.test>\nTo: soporte@ticketd.test\nSubject: No puedo entrar\nMessage-ID: <pt2@cliente.test>\n\nHola, no puedo entrar a mi cuenta de correo desde ayer. ¿Me pueden ayudar?\n")
	if len(count(mails, "lucia@cliente.test", "Recebemos sua solicitação")) != 1 {
		t.Errorf("a language outside languages was used: %v", subjects(mails))
	}

	e.setConfig(`languages = ["pt", "en"]`, `languages = ["pt", "fr"]`)
	ctx, cancel := context.WithTimeout(context.Background(), e2eTimeout)
	defer cancel()
	out, err := exec.CommandContext(ctx, binary, "check-config", "--config", e.config).CombinedOutput()
	if err == nil || !strings.Contains(string(out), "languages[1]") {
		t.Errorf("languages with fr: %v\n%s", err, out)
	}
}
