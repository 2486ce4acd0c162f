package tickets

import (
	"slices"
	"strings"
	"testing"
)

// verifiedDesk is the default fixture with agents' mail checked and the
// MX's results read, as a production desk runs.
func verifiedDesk(t *testing.T) *fixture {
	f := newFixture(t)
	f.svc.opts.RequireVerifiedAgents, f.svc.opts.TrustedAuthResults = true, true
	return f
}

// agentMail is a verified answer by ana on ticket 1.
func agentMail(id, text string) Inbound {
	m := msg(id, "ana@example.com", "Re: [Soporte #1] Clave", text)
	m.AuthLogin = "ana@example.com"
	return m
}

// TestAgentCcInHeadersBecomesParticipant: whom an agent puts in To or Cc
// of an answer (not the desk, not agents) gets that answer relayed and
// every later public answer (issue 14, point 4).
func TestAgentCcInHeadersBecomesParticipant(t *testing.T) {
	f := verifiedDesk(t)
	f.apply(domainPass(msg("r1@client", "pedro@client.com", "Clave", "No entro.")))
	f.drain()

	a := agentMail("a1", "Copio a su jefa y al proveedor.")
	a.To = []Address{{Email: "Soporte@Example.com"}, {Name: "Jefa", Email: "Jefa@Client.com"}}
	a.Cc = []Address{{Email: "luis@example.com"}, {Email: "pedro@client.com"}, {Email: "proveedor@vendor.test"}}
	f.apply(a)
	replies := mailsTo(f.drain(), "reply", "pedro@client.com")
	if len(replies) != 1 {
		t.Fatalf("the answer was not relayed once: %d", len(replies))
	}
	if got := strings.Join(replies[0].Recipients(), ","); got != "pedro@client.com,jefa@client.com,proveedor@vendor.test" {
		t.Fatalf("answer recipients %s, want the requester and the two people the agent copied", got)
	}
	tk := f.ticket(1)
	if len(tk.Participants) != 2 || tk.Participants[0].Name != "Jefa" {
		t.Fatalf("participants %v", tk.Participants)
	}
	if !slices.ContainsFunc(f.events(1), func(e Event) bool {
		return e.Kind == EventParticipants && e.Actor == "ana@example.com" && strings.Contains(e.Detail, "copied by an agent")
	}) {
		t.Fatal("the agent's copy is not recorded on the timeline")
	}
	// A later answer without the Cc still goes to them.
	if got := strings.Join(replyRecipientsVerified(t, f, "a2"), ","); got != "pedro@client.com,jefa@client.com,proveedor@vendor.test" {
		t.Fatalf("later answer recipients %s", got)
	}
	// #quitarcc removes one.
	f.apply(agentMail("a3", "#quitarcc proveedor@vendor.test\nSeguimos."))
	replies = mailsTo(f.drain(), "reply", "pedro@client.com")
	if len(replies) != 1 || slices.Contains(replies[0].Recipients(), "proveedor@vendor.test") {
		t.Fatalf("after #quitarcc: %v", kinds(replies))
	}
}

// replyRecipientsVerified is replyRecipients for a desk that verifies
// agents.
func replyRecipientsVerified(t *testing.T, f *fixture, id string) []string {
	t.Helper()
	f.apply(agentMail(id, "Le enviamos una clave nueva."))
	for _, mail := range f.drain() {
		if mail.Kind == "reply" {
			return mail.Recipients()
		}
	}
	t.Fatalf("the agent's answer %s was not relayed", id)
	return nil
}

// TestForgedAgentCcAddsNobody: mail in an agent's name that is not
// verified copies nobody, however it names them.
func TestForgedAgentCcAddsNobody(t *testing.T) {
	f := verifiedDesk(t)
	f.apply(domainPass(msg("r1@client", "pedro@client.com", "Clave", "No entro.")))
	f.drain()
	forged := msg("forged@evil", "ana@example.com", "Re: [Soporte #1] Clave", "#cc spy@evil.test\nCopio.")
	forged.Cc = []Address{{Email: "attacker@evil.test"}}
	f.apply(forged)
	f.drain()
	if tk := f.ticket(1); len(tk.Participants)+len(tk.Pending) != 0 {
		t.Fatalf("forged agent mail copied %v %v", tk.Participants, tk.Pending)
	}
	if got := replyRecipientsVerified(t, f, "a1"); len(got) != 1 {
		t.Fatalf("the next answer went to %v", got)
	}
}

// TestAgentCcRespectsTheCap: an agent's Cc fills the ticket up to
// Limits.Participants; the rest is recorded as not added.
func TestAgentCcRespectsTheCap(t *testing.T) {
	f := verifiedDesk(t)
	f.svc.opts.Limits.Participants = 2
	f.apply(domainPass(msg("r1@client", "pedro@client.com", "Clave", "No entro.")))
	f.drain()
	a := agentMail("a1", "Copio a tres.")
	a.Cc = []Address{{Email: "uno@client.com"}, {Email: "dos@client.com"}, {Email: "tres@client.com"}}
	f.apply(a)
	f.drain()
	if tk := f.ticket(1); len(tk.Participants) != 2 {
		t.Fatalf("participants %v, want 2", tk.Participants)
	}
	if !slices.ContainsFunc(f.events(1), func(e Event) bool {
		return e.Kind == EventParticipants && strings.Contains(e.Detail, "1 not added") && strings.Contains(e.Detail, "tres@client.com")
	}) {
		t.Fatal("the address over the cap is not recorded")
	}
}

// TestParticipantNeverRequesterNorAssignee: a participant's mail is
// theirs on the ticket: the requester, the assignee and the first
// response stay as they were, and it goes to the agents.
func TestParticipantNeverRequesterNorAssignee(t *testing.T) {
	f := verifiedDesk(t)
	m := domainPass(msg("r1@client", "pedro@client.com", "Clave", "No entro."))
	m.Cc = []Address{{Email: "jefa@client.com"}}
	f.apply(m)
	f.drain()

	reply := domainPass(msg("p1@client", "jefa@client.com", "Re: [Soporte #1] Clave", "Es urgente, por favor."))
	f.apply(reply)
	mails := f.drain()
	tk := f.ticket(1)
	if tk.Requester.Email != "pedro@client.com" || tk.Assignee != "" || !tk.FirstResponse.IsZero() {
		t.Fatalf("after the participant's mail: requester %s assignee %q first response %v", tk.Requester.Email, tk.Assignee, tk.FirstResponse)
	}
	if n := mailsTo(mails, "agent_update", "ana@example.com"); len(n) != 1 {
		t.Fatalf("the participant's mail did not reach the agents: %v", kinds(mails))
	}
	if !slices.ContainsFunc(f.events(1), func(e Event) bool { return e.MessageID == "p1@client" && e.Role == RoleParticipant }) {
		t.Fatal("not recorded as the participant's")
	}

	// Once an agent took it, a participant's mail changes neither.
	replyRecipientsVerified(t, f, "a1")
	f.apply(domainPass(msg("p2@client", "jefa@client.com", "Re: [Soporte #1] Clave", "#asignar jefa@client.com\nGracias.")))
	f.drain()
	tk = f.ticket(1)
	if tk.Requester.Email != "pedro@client.com" || tk.Assignee != "ana@example.com" {
		t.Fatalf("after the participant's second mail: requester %s assignee %q", tk.Requester.Email, tk.Assignee)
	}
}

// TestAgentCcAdmitsPending: someone waiting for the requester's
// confirmation whom an agent copies is added at once.
func TestAgentCcAdmitsPending(t *testing.T) {
	f := newFixture(t) // no Authentication-Results: the requester's Cc waits
	m := msg("r1@client", "pedro@client.com", "Clave", "No entro.")
	m.Cc = []Address{{Email: "jefa@client.com"}}
	f.apply(m)
	f.drain()
	if tk := f.ticket(1); len(tk.Pending) != 1 {
		t.Fatalf("pending %v", tk.Pending)
	}
	a := msg("a1", "ana@example.com", "Re: [Soporte #1] Clave", "Copio a su jefa.")
	a.Cc = []Address{{Email: "jefa@client.com"}}
	f.apply(a)
	replies := mailsTo(f.drain(), "reply", "jefa@client.com")
	if tk := f.ticket(1); len(replies) != 1 || len(tk.Pending) != 0 || len(tk.Participants) != 1 {
		t.Fatalf("after the agent's Cc: %d answers to her, pending %v, participants %v", len(replies), tk.Pending, tk.Participants)
	}
}
