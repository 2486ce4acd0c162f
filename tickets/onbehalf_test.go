package tickets

import (
	"strings"
	"testing"

	"github.com/ticketd/ticketd/templates"
)

// forwardMsg is an agent's (or anyone's) forward of juan's mail, as
// mailin reads it.
func forwardMsg(id, from string) Inbound {
	m := msg(id, from, "Fwd: No puedo imprimir", "Cliente VIP, urgente.\n\n---------- Mensaje reenviado ---------\nDe: Juan <juan@cliente.com>\n\nLa impresora no responde.")
	m.AuthLogin = from
	m.Forwarded = &Forwarded{From: NewAddress("Juan Pérez", "Juan@Cliente.com"), Subject: "No puedo imprimir",
		Text: "La impresora no responde.", Note: "Cliente VIP, urgente."}
	return m
}

func TestAgentForwardOpensTicketOnBehalf(t *testing.T) {
	f := workflowDesk(t, func(o *Options) { o.RequireVerifiedAgents, o.TrustedAuthResults = true, true })
	f.apply(forwardMsg("fw1@e", "ana@example.com"))
	tk := f.ticket(1)
	if tk.Requester.Email != "juan@cliente.com" || tk.Requester.Name != "Juan Pérez" || tk.ForwardedBy != "ana@example.com" ||
		tk.Subject != "No puedo imprimir" || tk.Assignee != "" {
		t.Fatalf("ticket %+v: want Juan's, forwarded by Ana, unassigned", tk)
	}
	mails := f.drain()
	ack := mailsTo(mails, templates.Ack, "juan@cliente.com")
	if len(ack) != 1 || !strings.Contains(ack[0].Text, "La impresora no responde.") {
		t.Fatalf("the customer's acknowledgement: %+v", mails)
	}
	for _, m := range mails {
		if m.Kind != templates.AgentNew && (strings.Contains(m.Text, "VIP") || strings.Contains(m.Text, "ana@example.com")) {
			t.Fatalf("the agent's note or address reached the customer: %+v", m)
		}
	}
	if len(mailsTo(mails, templates.Ack, "ana@example.com")) != 0 {
		t.Fatalf("the forwarding agent was acknowledged as requester")
	}
	notice := mailsTo(mails, templates.AgentNew, "luis@example.com")
	if len(notice) != 1 || !strings.Contains(notice[0].Text, "ana@example.com") || !strings.Contains(notice[0].Text, "Cliente VIP") ||
		!strings.Contains(notice[0].Text, "La impresora no responde.") {
		t.Fatalf("agents' notice: %+v", notice)
	}
	// The request is the customer's words; the note is internal.
	var request, note bool
	for _, e := range f.events(1) {
		request = request || (e.Kind == EventInbound && e.Role == RoleRequester && e.Actor == "juan@cliente.com" && e.Text == "La impresora no responde.")
		note = note || (e.Kind == EventInbound && e.Role == RoleNote && e.Actor == "ana@example.com" && e.Text == "Cliente VIP, urgente.")
	}
	if !request || !note {
		t.Fatalf("events: request %v, note %v: %+v", request, note, f.events(1))
	}
	if h := f.history(1, true); strings.Contains(h, "VIP") {
		t.Errorf("the note is in the public history: %q", h)
	}
	// The forward proved Ana's domain, not Juan's.
	f.reading(func(a *applier) error {
		if a.isRequesterDomain("cliente.com") {
			t.Errorf("a forward taught the desk the customer's domain")
		}
		return nil
	})

	// Luis answers: Juan gets it. Juan replies: a requester's mail.
	f.apply(agentMsg("l1@e", "luis@example.com", "Re: [Soporte #1] No puedo imprimir", "Reinicie la impresora, por favor."))
	if got := mailsTo(f.drain(), templates.Reply, "juan@cliente.com"); len(got) != 1 {
		t.Fatalf("the answer did not reach the customer")
	}
	reply := msg("j2@c", "juan@cliente.com", "Re: [Soporte #1] No puedo imprimir", "Ya funciona, gracias.")
	reply.SenderVerified = true
	f.apply(reply)
	if !hasInbound(f.events(1), "j2@c", RoleRequester) {
		t.Fatalf("the customer's reply is not the requester's")
	}
}

func TestAssignForwarder(t *testing.T) {
	f := workflowDesk(t, func(o *Options) { o.AssignForwarder = true })
	f.apply(forwardMsg("fw1@e", "ana@example.com"))
	if tk := f.ticket(1); tk.Assignee != "ana@example.com" || tk.Requester.Email != "juan@cliente.com" {
		t.Fatalf("ticket %+v: want Juan's, assigned to Ana", tk)
	}
	mails := f.drain()
	if n := mailsTo(mails, templates.AgentNew, "ana@example.com"); len(n) != 1 || len(mailsTo(mails, templates.AgentNew, "luis@example.com")) != 0 {
		t.Fatalf("the notice goes to the assignee only: %+v", mails)
	}
}

// The attacker's tests: a forward names whoever the sender likes.
func TestForwardByOthersIsTheirOwnTicket(t *testing.T) {
	cases := []struct {
		name, from string
		edit       func(*Inbound)
		requester  string
	}{
		{name: "a stranger", from: "mallory@evil.example", requester: "mallory@evil.example"},
		{name: "a forged agent", from: "ana@example.com", edit: func(m *Inbound) { m.AuthLogin = "mallory" }, requester: "ana@example.com"},
		{name: "an agent forwarding the desk's mail", from: "ana@example.com",
			edit: func(m *Inbound) { m.Forwarded.From = NewAddress("", "soporte@example.com") }, requester: "ana@example.com"},
		{name: "an agent forwarding an agent's mail", from: "ana@example.com",
			edit: func(m *Inbound) { m.Forwarded.From = NewAddress("", "luis@example.com") }, requester: "ana@example.com"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := workflowDesk(t, func(o *Options) { o.RequireVerifiedAgents = true })
			m := forwardMsg("fw1@x", c.from)
			if c.edit != nil {
				c.edit(&m)
			}
			f.apply(m)
			tk := f.ticket(1)
			if tk.Requester.Email != c.requester || tk.ForwardedBy != "" {
				t.Fatalf("requester %s, forwarded by %q; want %s, none", tk.Requester.Email, tk.ForwardedBy, c.requester)
			}
			for _, mail := range f.drain() {
				for _, r := range mail.Recipients() {
					if r == "juan@cliente.com" {
						t.Fatalf("the desk wrote to the address a forward named: %+v", mail)
					}
				}
			}
		})
	}
}

// An agent's new mail starting "#solicitante ADDR" opens ADDR's ticket.
func TestRequesterLineOnNewMail(t *testing.T) {
	f := workflowDesk(t, func(o *Options) { o.RequireVerifiedAgents = true })
	f.apply(agentMsg("n1@e", "ana@example.com", "Impresora", "#solicitante Juan Pérez <juan@cliente.com>\nLlamó: la impresora no imprime."))
	tk := f.ticket(1)
	if tk.Requester.Email != "juan@cliente.com" || tk.ForwardedBy != "ana@example.com" {
		t.Fatalf("ticket %+v", tk)
	}
	ack := mailsTo(f.drain(), templates.Ack, "juan@cliente.com")
	if len(ack) != 1 || strings.Contains(ack[0].Text, "#solicitante") || !strings.Contains(ack[0].Text, "Llamó: la impresora no imprime.") {
		t.Fatalf("ack %+v", ack)
	}
	// A desk address on the line is just text: Ana's own ticket.
	f.apply(agentMsg("n2@e", "ana@example.com", "Otra", "#solicitante luis@example.com\nno vale"))
	if tk := f.ticket(2); tk.Requester.Email != "ana@example.com" {
		t.Fatalf("ticket %+v: want Ana's own", tk)
	}
}

func TestRequesterCommand(t *testing.T) {
	f := workflowDesk(t, nil)
	// Ana writes for a customer who phoned; Luis sets the requester and
	// answers in the same mail.
	f.apply(msg("own1@e", "ana@example.com", "Impresora de Juan", "Juan llamó: la impresora no imprime."))
	f.drain()
	f.apply(msg("l1@e", "luis@example.com", "Re: [Soporte #1] Impresora de Juan", "#solicitante Juan Pérez <Juan@Cliente.com>\nJuan, reinicie la impresora."))
	tk := f.ticket(1)
	if tk.Requester.Email != "juan@cliente.com" || tk.Requester.Name != "Juan Pérez" || tk.isParticipant("ana@example.com") {
		t.Fatalf("ticket %+v: want Juan as requester, Ana (an agent) not a participant", tk)
	}
	mails := f.drain()
	if got := mailsTo(mails, templates.Reply, "juan@cliente.com"); len(got) != 1 || !strings.Contains(got[0].Text, "reinicie") {
		t.Fatalf("the answer did not reach the new requester: %+v", mails)
	}
	if got := mailsTo(mails, templates.Reply, "ana@example.com"); len(got) != 0 {
		t.Fatalf("the former requester, an agent, got the answer")
	}
	// Ana is an agent on it again: her mail is an answer.
	f.apply(msg("a2@e", "ana@example.com", "Re: [Soporte #1] Impresora de Juan", "¿Funcionó?"))
	if !hasInbound(f.events(1), "a2@e", RoleAgent) {
		t.Fatalf("Ana's mail after #solicitante is not an agent's")
	}
	f.drain()
	// A customer replaced by another stays as a participant.
	f.apply(msg("l2@e", "luis@example.com", "Re: [Soporte #1] Impresora de Juan", "#requester pedro@cliente.com"))
	if tk = f.ticket(1); tk.Requester.Email != "pedro@cliente.com" || !tk.isParticipant("juan@cliente.com") {
		t.Fatalf("ticket %+v: want Pedro as requester, Juan a participant", tk)
	}
	if mails := f.drain(); len(mails) != 0 {
		t.Fatalf("#requester alone mailed someone: %+v", mails)
	}
	// Status requests list the ticket for its requester only.
	for who, listed := range map[string]bool{"pedro@cliente.com": true, "juan@cliente.com": false} {
		f.apply(msg("st-"+who, who, "estado", ""))
		mails := mailsTo(f.drain(), templates.StatusReply, who)
		if len(mails) != 1 || strings.Contains(mails[0].Text, "Impresora de Juan") != listed {
			t.Fatalf("status reply to %s: want the ticket listed %v: %+v", who, listed, mails)
		}
	}
	// Refused: no address, the desk, an agent.
	for i, arg := range []string{"", "juan", "soporte@example.com", "marta@example.com"} {
		f.apply(msg("bad"+string(rune('a'+i))+"@e", "luis@example.com", "Re: [Soporte #1] Impresora de Juan", "#solicitante "+arg))
		if tk = f.ticket(1); tk.Requester.Email != "pedro@cliente.com" {
			t.Fatalf("#solicitante %q changed the requester to %s", arg, tk.Requester.Email)
		}
		if errs := mailsTo(f.drain(), templates.CommandError, "luis@example.com"); len(errs) != 1 {
			t.Fatalf("#solicitante %q: want a command error", arg)
		}
	}
}

// The customer of a forward is written to in their own language, whatever
// the agent wrote around it.
func TestForwardedCustomerLanguage(t *testing.T) {
	f := workflowDesk(t, func(o *Options) { o.DetectLanguage = true })
	m := forwardMsg("fw1@e", "ana@example.com")
	m.ContentLanguage = "es"
	m.Forwarded = &Forwarded{From: NewAddress("", "mary@client.com"), Subject: "My laptop does not start",
		Text: "Hello, my laptop does not start since this morning and I have a meeting in an hour. Could you help me please?",
		Note: "Clienta importante, por favor atenderla hoy mismo."}
	f.apply(m)
	if tk := f.ticket(1); tk.Language != "en" {
		t.Fatalf("ticket language %q, want en (the customer's)", tk.Language)
	}
	mails := f.drain()
	ack := mailsTo(mails, templates.Ack, "mary@client.com")
	if len(ack) != 1 || !strings.Contains(ack[0].Text, "Please reply above this line") {
		t.Fatalf("the customer's acknowledgement is not in English: %+v", ack)
	}
	if n := mailsTo(mails, templates.AgentNew, "luis@example.com"); len(n) != 1 || !strings.Contains(n[0].Text, "Abierto por ana@example.com") {
		t.Fatalf("the agents' notice is not in the desk's Spanish: %+v", n)
	}
}
