package main

import (
	"fmt"
	"slices"
	"strings"
	"testing"
)

// verifiedConfig makes the e2e desk read Authentication-Results from
// mx.ticketd.test, with extra sections before the tiers.
func (e *e2e) verifiedConfig(extra string) {
	e.setConfig(`[[tiers]]`, "[security]\ntrusted_authserv_id = \"mx.ticketd.test\"\n"+extra+"[[tiers]]")
}

const (
	pedroPass = "Authentication-Results: mx.ticketd.test; dkim=pass header.d=cliente.test; dmarc=pass header.from=cliente.test\n"
	anaLogin  = "Authentication-Results: mx.ticketd.test; auth=pass smtp.auth=ana@ticketd.test; dkim=pass header.d=ticketd.test\n"
)

// TestAgentCcE2E: against Dovecot, the person an agent puts in Cc of an
// answer gets that answer from the desk, and the next one too; when they
// write, they stay a participant: the requester and the assignee do not
// change; a forged agent mail with a Cc adds nobody (issue 14, point 4).
func TestAgentCcE2E(t *testing.T) {
	e := newE2E(t)
	e.verifiedConfig("")
	e.step(pedroPass + "From: Pedro <pedro@cliente.test>\nTo: soporte@ticketd.test\nSubject: Clave\nMessage-ID: <cc1@cliente.test>\n\nNo entro.\n")

	mails := e.step(anaLogin + "From: Ana <ana@ticketd.test>\nTo: soporte@ticketd.test\nCc: Jefa <jefa@cliente.test>, luis@ticketd.test\nSubject: Re: [Soporte #1] Clave\nMessage-ID: <cc2@ticketd.test>\n\nCopio a su jefa: le enviamos una clave temporal.\n")
	if len(mails) != 1 || !slices.Contains(mails[0].to, requester) || !slices.Contains(mails[0].to, colleague) || slices.Contains(mails[0].to, agentLuis) {
		t.Fatalf("the answer with the agent's Cc went to %+v, want the requester and the colleague", mails)
	}
	if !strings.Contains(decodedText(t, mails[0].raw), "clave temporal") {
		t.Fatalf("the colleague's copy lacks the answer:\n%s", mails[0].raw)
	}

	// The forger's Cc is not added.
	e.step("From: Ana <ana@ticketd.test>\nTo: soporte@ticketd.test\nCc: spy@evil.test\nSubject: Re: [Soporte #1] Clave\nMessage-ID: <cc-forged@evil.test>\n\nMando copia.\n")

	mails = e.step(anaLogin + "From: Ana <ana@ticketd.test>\nTo: soporte@ticketd.test\nSubject: Re: [Soporte #1] Clave\nMessage-ID: <cc3@ticketd.test>\n\n¿Pudo entrar?\n")
	if len(mails) != 1 || !slices.Contains(mails[0].to, colleague) || slices.Contains(mails[0].to, "spy@evil.test") {
		t.Fatalf("the next answer went to %+v, want the colleague too and not the forger's Cc", mails)
	}

	mails = e.step("Authentication-Results: mx.ticketd.test; dkim=pass header.d=cliente.test; dmarc=pass header.from=cliente.test\nFrom: Jefa <jefa@cliente.test>\nTo: soporte@ticketd.test\nSubject: Re: [Soporte #1] Clave\nMessage-ID: <cc4@cliente.test>\n\nPedro ya entró, gracias.\n")
	if len(count(mails, agentAna, "")) != 1 {
		t.Fatalf("the colleague's mail did not reach the assignee: %+v", mails)
	}
	tk := e.ticket(1)
	if tk.Requester.Email != requester || tk.Assignee != agentAna {
		t.Fatalf("after the colleague wrote: requester %s, assignee %s", tk.Requester.Email, tk.Assignee)
	}
}

// TestSpamKeptOutE2E: against Dovecot, mail the server flagged (X-Spam-Flag,
// X-Spam-Status, a score over the threshold), a DMARC reject at the trusted
// authserv-id and a blocked sender open no ticket and get no mail: they
// are in the spam mailbox. An untrusted DMARC fail and p=none are tickets.
// Then #correo_basura closes a ticket as spam, mails nobody, and blocks its
// sender (issue 14, point 5).
func TestSpamKeptOutE2E(t *testing.T) {
	e := newE2E(t)
	e.verifiedConfig("[spam]\nscore_header = \"X-Rspamd-Score\"\nscore_threshold = 6.0\nblock = [\"@bulk.test\", \"pest@cliente.test\"]\nblock_on_spam_command = true\n")
	e.setConfig("poll_interval", "spam_mailbox = \"Correo no deseado\"\npoll_interval")
	spam := []string{
		"X-Spam-Flag: YES\nFrom: win@lottery.test\n",
		"X-Spam-Status: Yes, score=12.3 required=5.0 tests=BAYES_99\nFrom: win@lottery.test\n",
		"X-Rspamd-Score: 9.5\nFrom: offers@shop.test\n",
		"Authentication-Results: mx.ticketd.test; spf=fail smtp.mailfrom=bank.test; dmarc=fail (p=reject dis=none) header.from=bank.test\nFrom: security@bank.test\n",
		"From: news@bulk.test\n",
		"From: Pest <PEST@cliente.test>\n",
	}
	for i, h := range spam {
		e.deliver(fmt.Sprintf("%sTo: soporte@ticketd.test\nSubject: Oferta %d\nMessage-ID: <spam%d@x.test>\n\nCompre ya.\n", h, i, i))
	}
	// Not spam: a DMARC fail under an authserv-id of the sender's own,
	// p=none at ours, a score under the threshold.
	e.deliver("Authentication-Results: mx.evil.test; dmarc=fail (p=reject) header.from=cliente.test\nFrom: rosa@cliente.test\nTo: soporte@ticketd.test\nSubject: Escáner\nMessage-ID: <ok1@cliente.test>\n\nNo escanea.\n")
	e.deliver("Authentication-Results: mx.ticketd.test; dmarc=fail (p=none) header.from=cliente.test\nX-Rspamd-Score: 2.1\nFrom: pedro@cliente.test\nTo: soporte@ticketd.test\nSubject: Impresora\nMessage-ID: <ok2@cliente.test>\n\nNo imprime.\n")
	e.smtp.Reset()
	e.ticketd("once")

	for mailbox, want := range map[string]int{"INBOX": 0, "Correo no deseado": len(spam), "Procesados": 2, "Fallidos": 0} {
		if n := e.imap.Count(t, deskAddr, mailbox); n != want {
			t.Errorf("%s holds %d messages, want %d", mailbox, n, want)
		}
	}
	for _, m := range classify(t, e.smtp.Messages()) {
		if m.ticket != 1 && m.ticket != 2 {
			t.Errorf("mail about spam: %q to %v", m.subject, m.to)
		}
	}
	for _, who := range []string{"win@lottery.test", "offers@shop.test", "security@bank.test", "news@bulk.test", "pest@cliente.test"} {
		if e.anyMailTo(who) {
			t.Errorf("%s was mailed", who)
		}
	}
	if list := e.ticketd("list"); strings.Count(list, "\n") != 3 {
		t.Fatalf("want exactly two tickets:\n%s", list)
	}

	// #correo_basura on ticket 1: closed as spam, nothing to rosa, and her
	// next mail is spam.
	mails := e.step(anaLogin + "From: Ana <ana@ticketd.test>\nTo: soporte@ticketd.test\nSubject: Re: [Soporte #1] Escáner\nMessage-ID: <sp1@ticketd.test>\n\n#correo_basura\nEsto no le llega.\n")
	if e.anyMailTo("rosa@cliente.test") {
		t.Fatalf("#correo_basura mailed the sender: %+v", mails)
	}
	if show := e.ticketd("show", "1"); !strings.Contains(show, "status closed (spam)") {
		t.Fatalf("show does not say closed as spam:\n%s", show)
	}
	if mails := e.step("From: rosa@cliente.test\nTo: soporte@ticketd.test\nSubject: Otra\nMessage-ID: <ok3@cliente.test>\n\nHola otra vez.\n"); len(mails) != 0 {
		t.Fatalf("the blocked sender's next mail caused %+v", mails)
	}
	if n := e.imap.Count(t, deskAddr, "Correo no deseado"); n != len(spam)+1 {
		t.Fatalf("spam mailbox holds %d, want %d", n, len(spam)+1)
	}
	if list := e.ticketd("list"); strings.Count(list, "\n") != 3 || !strings.Contains(list, "closed (spam)") {
		t.Fatalf("list after #correo_basura:\n%s", list)
	}
}
