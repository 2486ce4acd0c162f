package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/ticketd/ticketd/tickets"
)

// verifiedAgents turns on agent verification: the MX's
// Authentication-Results (below) prove each agent's login.
const verifiedAgents = "[security]\ntrusted_authserv_id = \"mx.ticketd.test\"\n"

func authResults(login string) string {
	return fmt.Sprintf("Authentication-Results: mx.ticketd.test; auth=pass smtp.auth=%s; dkim=pass header.d=ticketd.test\n", login)
}

// mailsTo are the mails that went to rcpt, and only those.
func mailsTo(mails []sentMail, rcpt string) []sentMail {
	var out []sentMail
	for _, m := range mails {
		if slices.Contains(m.to, rcpt) {
			out = append(out, m)
		}
	}
	return out
}

// TestAgentOwnTicketE2E: against Dovecot, Ana writes to the desk about
// her own laptop. She is the requester: acknowledged, left out of the
// agents' notice; Luis's answer reaches her; her follow-up goes to Luis
// and never back to her; Luis, not she, is the assignee.
func TestAgentOwnTicketE2E(t *testing.T) {
	e := newE2E(t)
	e.setConfig(`[[tiers]]`, verifiedAgents+"[[tiers]]")
	mails := e.step(authResults(agentAna) + `From: Ana Agente <ana@ticketd.test>
To: soporte@ticketd.test
Subject: Mi portátil no arranca
Message-ID: <own-1@ticketd.test>
Content-Type: text/plain; charset=UTF-8

Desde esta mañana la pantalla queda negra.
`)
	ack := mailsTo(mails, agentAna)
	notice := mailsTo(mails, agentLuis)
	if len(mails) != 2 || len(ack) != 1 || !strings.Contains(ack[0].subject, "Recibimos su solicitud") || len(notice) != 1 || len(notice[0].to) != 1 {
		t.Fatalf("new ticket: want the acknowledgement to Ana and the notice to Luis alone, got %+v", mails)
	}
	mails = e.step(authResults(agentLuis) + fmt.Sprintf(`From: Luis <luis@ticketd.test>
To: soporte@ticketd.test
Subject: RE: %s
Message-ID: <luis-1@ticketd.test>
In-Reply-To: <%s>
Content-Type: text/plain; charset=UTF-8

Pasa por soporte con el cargador.
`, notice[0].subject, notice[0].msgID))
	if len(mails) != 1 || len(mailsTo(mails, agentAna)) != 1 || !strings.Contains(decodedText(t, mails[0].raw), "Pasa por soporte con el cargador.") {
		t.Fatalf("Luis's answer: want it relayed to Ana, got %+v", mails)
	}
	answer := mails[0]
	mails = e.step(authResults(agentAna) + fmt.Sprintf(`From: Ana Agente <ana@ticketd.test>
To: soporte@ticketd.test
Subject: Re: %s
Message-ID: <own-2@ticketd.test>
In-Reply-To: <%s>
Content-Type: text/plain; charset=UTF-8

#prioridad urgente
Tampoco carga la batería.
`, answer.subject, answer.msgID))
	if len(mails) != 1 || !slices.Equal(mails[0].to, []string{agentLuis}) || !strings.Contains(decodedText(t, mails[0].raw), "Tampoco carga la batería.") {
		t.Fatalf("Ana's follow-up: want it sent to Luis only, got %+v", mails)
	}
	tk := e.ticket(1)
	if tk.Requester.Email != agentAna || tk.Assignee != agentLuis || tk.Priority != "normal" {
		t.Fatalf("ticket: requester %s, assignee %s, priority %s; want Ana, Luis, normal (her # line is no command)", tk.Requester.Email, tk.Assignee, tk.Priority)
	}
}

// TestAgentForwardsCustomerMailE2E: against Dovecot, Ana forwards Juan's
// mail from Gmail (Spanish layout) with a note. The ticket is Juan's: he
// gets the acknowledgement (his words, not Ana's note), Ana is recorded
// and, with assign_forwarder, assigned; her answer reaches Juan; Juan's
// reply reaches her.
func TestAgentForwardsCustomerMailE2E(t *testing.T) {
	const customer = "juan@cliente.test"
	e := newE2E(t)
	e.setConfig(`[[tiers]]`, verifiedAgents+"[workflow]\nassign_forwarder = true\n[[tiers]]")
	mails := e.step(authResults(agentAna) + `From: Ana Agente <ana@ticketd.test>
To: soporte@ticketd.test
Subject: Fwd: No puedo imprimir
Message-ID: <fwd-1@ticketd.test>
Content-Type: text/plain; charset=UTF-8

Cliente VIP, lo atiendo yo.

---------- Mensaje reenviado ---------
De: Juan Pérez <juan@cliente.test>
Date: lun, 30 nov 2026 a las 10:12
Subject: No puedo imprimir
To: <ana@ticketd.test>


Hola Ana, la impresora del piso 3 no responde.

Juan
`)
	ack := mailsTo(mails, customer)
	if len(ack) != 1 || !strings.Contains(ack[0].subject, "Recibimos su solicitud: No puedo imprimir") {
		t.Fatalf("want the acknowledgement to Juan, got %+v", mails)
	}
	ackText := decodedText(t, ack[0].raw)
	if !strings.Contains(ackText, "la impresora del piso 3 no responde") || strings.Contains(ackText, "VIP") || strings.Contains(ack[0].raw, agentAna) {
		t.Fatalf("the acknowledgement shows the wrong words or Ana's address:\n%s", ackText)
	}
	notice := mailsTo(mails, agentAna)
	if len(mails) != 2 || len(notice) != 1 || !strings.Contains(decodedText(t, notice[0].raw), "Cliente VIP") {
		t.Fatalf("want the notice (with Ana's note) to Ana, the assignee, only: %+v", mails)
	}
	tk := e.ticket(1)
	if tk.Requester.Email != customer || tk.ForwardedBy != agentAna || tk.Assignee != agentAna {
		t.Fatalf("ticket: requester %s, forwarded by %s, assignee %s", tk.Requester.Email, tk.ForwardedBy, tk.Assignee)
	}
	if out := e.ticketd("show", "1"); !strings.Contains(out, "opened on the requester's behalf by "+agentAna) {
		t.Errorf("ticketd show does not say who forwarded it:\n%s", out)
	}
	mails = e.step(authResults(agentAna) + fmt.Sprintf(`From: Ana Agente <ana@ticketd.test>
To: soporte@ticketd.test
Subject: RE: %s
Message-ID: <ana-2@ticketd.test>
In-Reply-To: <%s>
Content-Type: text/plain; charset=UTF-8

Hola Juan, reinicie la impresora y nos cuenta.
`, notice[0].subject, notice[0].msgID))
	if len(mails) != 1 || !slices.Equal(mails[0].to, []string{customer}) || !strings.Contains(decodedText(t, mails[0].raw), "reinicie la impresora") {
		t.Fatalf("Ana's answer: want it relayed to Juan, got %+v", mails)
	}
	mails = e.step(fmt.Sprintf(`From: Juan Pérez <juan@cliente.test>
To: soporte@ticketd.test
Subject: Re: %s
Message-ID: <juan-2@cliente.test>
In-Reply-To: <%s>
Content-Type: text/plain; charset=UTF-8

Listo, ya imprime.
`, mails[0].subject, mails[0].msgID))
	if len(mails) != 1 || !slices.Equal(mails[0].to, []string{agentAna}) || !strings.Contains(decodedText(t, mails[0].raw), "ya imprime") {
		t.Fatalf("Juan's reply: want it sent to Ana, got %+v", mails)
	}
}

// TestForwardLayoutsE2E: every client layout of mailparse's forward
// corpus, delivered to Dovecot as an agent's forward (the corpus's
// example.com agents become this desk's), opens the customer's ticket and
// acknowledges the customer; a reply quoting Outlook's header block (not
// a forward) is the agent's own ticket.
func TestForwardLayoutsE2E(t *testing.T) {
	files, err := filepath.Glob("../../mailin/mailparse/testdata/forward/*.eml")
	if err != nil || len(files) < 10 {
		t.Fatalf("forward corpus: %v, %d files", err, len(files))
	}
	e := newE2E(t)
	want := map[string]string{} // subject word → requester
	for _, name := range files {
		raw, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		e.imap.Append(t, deskAddr, "INBOX", bytes.ReplaceAll(raw, []byte("@example.com"), []byte("@ticketd.test")))
	}
	e.ticketd("once")
	for file, requester := range map[string]string{
		"gmail-en": "john@customer.example", "gmail-es": "juan@cliente.example",
		"outlook-en": "mary@client.example", "outlook-es": "maria@cliente.example", "outlook-html-en": "mary@client.example",
		"apple-en": "peter@buyer.example", "apple-es": "pedro@comprador.example",
		"thunderbird-en": "rita@ops.example", "thunderbird-es": "rita@ops.example",
		"rfc822-attached": "sofia@cliente.example", "outlook-reply-not-forward": agentLuis,
	} {
		want[file] = requester
	}
	byRoot := map[string]string{}
	e.withStore(func(s *tickets.Store) {
		all, err := s.Tickets()
		if err != nil {
			t.Fatal(err)
		}
		for _, tk := range all {
			byRoot[tk.RootMessageID] = tk.Requester.Email
			if strings.Contains(tk.Subject, "Fwd") || strings.HasPrefix(tk.Subject, "FW") || strings.HasPrefix(tk.Subject, "RV") {
				t.Errorf("ticket %d keeps the forward prefix: %q", tk.ID, tk.Subject)
			}
		}
	})
	ids := map[string]string{"gmail-en": "fwd-gmail-en@mail.gmail.com", "gmail-es": "fwd-gmail-es@mail.gmail.com",
		"outlook-en": "fwd-outlook-en@EXCH01.example.com", "outlook-es": "fwd-outlook-es@EXCH01.example.com",
		"outlook-html-en": "fwd-outlook-html@EXCH01.example.com", "apple-en": "fwd-apple-en@ticketd.test",
		"apple-es": "fwd-apple-es@ticketd.test", "thunderbird-en": "fwd-tb-en@ticketd.test", "thunderbird-es": "fwd-tb-es@ticketd.test",
		"rfc822-attached": "fwd-rfc822@ticketd.test", "outlook-reply-not-forward": "reply-outlook-en@EXCH01.example.com"}
	acked := map[string]bool{}
	for _, m := range e.smtp.Messages() {
		for _, r := range m.To {
			acked[r] = true
		}
	}
	for file, requester := range want {
		if got := byRoot[ids[file]]; got != requester {
			t.Errorf("%s: requester %q, want %q", file, got, requester)
		}
		if !acked[requester] {
			t.Errorf("%s: %s got no mail", file, requester)
		}
	}
}
