package tickets

import (
	"strings"
	"testing"

	"github.com/ticketd/ticketd/templates"
)

// An agent who writes to the desk about their own problem is its
// requester: acknowledged, never sent their own words, never its
// assignee, and the desk's first response is another agent's answer.
func TestAgentAsRequester(t *testing.T) {
	f := workflowDesk(t, nil)
	f.svc.opts.RequireVerifiedAgents = true
	own := msg("own1@e", "ana@example.com", "Mi portátil no arranca", "Desde esta mañana la pantalla queda negra.")
	own.AuthLogin = "ana@example.com"
	res := f.apply(own)
	if res[0].Outcome != OutcomeCreated {
		t.Fatalf("result %+v", res[0])
	}
	mails := f.drain()
	if len(mailsTo(mails, templates.Ack, "ana@example.com")) != 1 {
		t.Fatalf("the agent-requester got no acknowledgement: %+v", mails)
	}
	if len(mailsTo(mails, templates.AgentNew, "ana@example.com")) != 0 || len(mailsTo(mails, templates.AgentNew, "luis@example.com")) != 1 {
		t.Fatalf("new-ticket notice: want Luis only, not its requester: %+v", mails)
	}

	// Her follow-up, as a reply to the acknowledgement: the requester's
	// message, for the other agents; no answer, no assignee, no stamp.
	follow := msg("own2@e", "ana@example.com", "Re: [Soporte #1] Mi portátil no arranca", "#prioridad alta\nAhora tampoco carga la batería.")
	follow.AuthLogin = "ana@example.com"
	f.apply(follow)
	tk := f.ticket(1)
	if tk.Assignee != "" || !tk.FirstResponse.IsZero() || tk.Status != StatusNew || tk.Priority != "normal" {
		t.Fatalf("after her follow-up: assignee %q, first response %v, status %s, priority %s; want none, zero, new, normal (her # lines are not commands)",
			tk.Assignee, tk.FirstResponse, tk.Status, tk.Priority)
	}
	mails = f.drain()
	if got := mailsTo(mails, templates.Reply, "ana@example.com"); len(got) != 0 {
		t.Fatalf("her own follow-up was relayed back to her: %+v", got)
	}
	upd := mailsTo(mails, templates.AgentUpdate, "luis@example.com")
	if len(upd) != 1 || !strings.Contains(upd[0].Text, "tampoco carga") || len(mailsTo(mails, templates.AgentUpdate, "ana@example.com")) != 0 {
		t.Fatalf("follow-up: want an update to Luis only: %+v", mails)
	}
	if ev := f.events(1); !hasInbound(ev, "own2@e", RoleRequester) {
		t.Fatalf("her follow-up was not recorded as the requester's: %+v", ev)
	}

	// Luis answers: relayed to her, his first response, his ticket.
	f.apply(agentMsg("l1@e", "luis@example.com", "Re: [Soporte #1] Mi portátil no arranca", "Pasa por soporte con el cargador."))
	tk = f.ticket(1)
	if tk.Assignee != "luis@example.com" || tk.FirstResponse.IsZero() || tk.Status != StatusOpen {
		t.Fatalf("after Luis's answer: %+v", tk)
	}
	mails = f.drain()
	if got := mailsTo(mails, templates.Reply, "ana@example.com"); len(got) != 1 || !strings.Contains(got[0].Text, "cargador") {
		t.Fatalf("Luis's answer did not reach her: %+v", mails)
	}
	// Her thanks go to Luis, the assignee, and only to him.
	thanks := msg("own3@e", "ana@example.com", "Re: [Soporte #1] Mi portátil no arranca", "Gracias, ya funciona.")
	thanks.AuthLogin = "ana@example.com"
	f.apply(thanks)
	mails = f.drain()
	if len(mails) != 1 || mails[0].Kind != templates.AgentUpdate || strings.Join(mails[0].Recipients(), ",") != "luis@example.com" {
		t.Fatalf("her thanks: %+v", mails)
	}
	// Nobody can make her the assignee of her own ticket.
	f.apply(agentMsg("l2@e", "luis@example.com", "Re: [Soporte #1] Mi portátil no arranca", "#asignar ana@example.com"))
	if tk = f.ticket(1); tk.Assignee != "luis@example.com" {
		t.Fatalf("#asignar made the requester the assignee: %+v", tk)
	}
	if errs := mailsTo(f.drain(), templates.CommandError, "luis@example.com"); len(errs) != 1 {
		t.Fatalf("#asignar of the requester: want a command error")
	}
}

// A note on an agent's own ticket is internal: it never reaches her.
func TestNoteNeverReachesTheAgentRequester(t *testing.T) {
	f := workflowDesk(t, nil)
	f.apply(msg("own1@e", "ana@example.com", "VPN", "No conecta."))
	f.drain()
	f.apply(msg("n1@e", "luis@example.com", "Re: [Soporte #1] VPN", "#nota revisar su cuenta, tiene permisos de más"))
	for _, m := range f.drain() {
		for _, r := range m.Recipients() {
			if r == "ana@example.com" {
				t.Fatalf("an internal note reached the agent-requester: %+v", m)
			}
		}
	}
}

func hasInbound(events []Event, msgID string, role Role) bool {
	for _, e := range events {
		if e.Kind == EventInbound && e.MessageID == msgID && e.Role == role {
			return true
		}
	}
	return false
}

// agentMsg is a mail from an address proved by its SMTP login.
func agentMsg(id, from, subject, text string) Inbound {
	m := msg(id, from, subject, text)
	m.AuthLogin = from
	return m
}
