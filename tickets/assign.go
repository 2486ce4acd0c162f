package tickets

import "github.com/ticketd/ticketd/templates"

// tellAssignee hands t to its new assignee, given it by actor: one mail
// with the whole conversation and the internal notes, so they can take it
// over without asking anyone. An agent who takes a ticket themselves, or
// becomes its assignee by answering, knows it already.
func (a *applier) tellAssignee(t *Ticket, actor string) error {
	if t.Assignee == "" || t.Assignee == actor {
		return nil
	}
	history, err := a.history(t, false)
	if err != nil {
		return err
	}
	return a.queue(t, outgoing{kind: templates.AgentAssigned, to: []Address{{Email: t.Assignee}}, thread: a.agentThread(t),
		auto: "auto-generated", author: &Address{Email: actor}, notice: notice{history: history}})
}
