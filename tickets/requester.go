package tickets

import (
	"fmt"

	"github.com/ticketd/ticketd/templates"
)

// #requester ADDR (#solicitante DIR): an agent sets who the ticket is
// for, e.g. the customer who phoned, on a ticket the agent opened by
// writing to the desk. The new requester gets the public answers from
// then on (the answer in the same mail included); the command itself
// mails nobody, so naming an address shows nobody the conversation so
// far. The former requester stays on as a participant (the agent removes
// them with #uncc), unless they are of the desk: an agent who opened the
// ticket for someone is an agent on it again (people.go). The support
// address, agents and vendors cannot be made requesters this way.

// checkRequester returns what is wrong with an agent's #requester.
func (a *applier) checkRequester(c command) string {
	addr, ok := ccAddress(c.arg)
	if !ok || addr.Email == a.s.opts.Desk.Email || a.isDeskMember(addr.Email) {
		return a.say("problem_requester", templates.Phrase{})
	}
	return ""
}

// changeRequester makes the address of arg t's requester.
func (a *applier) changeRequester(t *Ticket, agent, arg string) error {
	addr, _ := ccAddress(arg)
	old := t.Requester
	if addr.Email == old.Email {
		if addr.Name != "" {
			t.Requester.Name = addr.Name
		}
		return nil
	}
	t.uncc(addr.Email)
	t.Requester = addr
	if known, ok := rememberedLanguage(a.tx, addr.Email); ok && a.s.allowed(known.Language) {
		t.Language = known.Language // written to in their language, as on their own tickets
	}
	if err := unindexRequester(a.tx, old.Email, t.ID); err != nil {
		return err
	}
	if err := indexRequester(a.tx, addr.Email, t.ID); err != nil {
		return err
	}
	if err := addEvent(a.tx, Event{Ticket: t.ID, Time: a.now, Kind: EventRequester, Actor: agent,
		Detail: fmt.Sprintf("requester changed from %s to %s", old.Email, addr.Email)}); err != nil {
		return err
	}
	if a.isDeskMember(old.Email) || old.Email == a.s.opts.Desk.Email || t.isParticipant(old.Email) {
		return nil
	}
	return a.admit(t, []Address{old}, agent, "former requester")
}
