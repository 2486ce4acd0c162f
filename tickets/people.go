package tickets

// Who is who on a ticket. An agent's address is an agent everywhere but
// on a ticket whose requester they are (a ticket they opened for their
// own problem, or that someone opened for them): there they are the
// requester for every rule. Their mail is the requester's (relayed to
// the desk, never back to them; its "#" lines are words, not commands,
// except "#resuelto" as for any requester), they are never its assignee,
// their mail is no first response, and the desk's internal mail (notices,
// notes, escalations) goes to the other agents. This file is the one
// place that decides it.

// agentOn reports whether addr acts as an agent on t.
func (a *applier) agentOn(t *Ticket, addr string) bool {
	return addr != t.Requester.Email && a.isAgent(t, addr)
}

// deskAddresses are the desk's people among emails who may get t's
// internal mail: all of them but t's requester.
func (a *applier) deskAddresses(t *Ticket, emails []string) []Address {
	out := make([]Address, 0, len(emails))
	for _, e := range emails {
		if e != t.Requester.Email {
			out = append(out, Address{Email: e})
		}
	}
	return out
}
