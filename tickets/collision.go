package tickets

import (
	"fmt"
	"strings"
	"time"

	"github.com/ticketd/ticketd/templates"
)

// The collision check: an agent answering a notification that is older
// than the newest public message from someone else (the requester wrote
// again, or a colleague answered meanwhile) would answer blind. The answer
// is held on the ticket, the agent gets what they have not seen, and
// "#send" relays the held answer (or a new answer replaces it).

// newerPublic returns the public messages on t that arrived after the
// notification m answers and were not written by agent; "" when there are
// none, or when m does not answer one of ticketd's mails.
func (a *applier) newerPublic(t *Ticket, m *Inbound, agent string) (string, error) {
	if t.LastPublicAt.IsZero() || t.LastPublicBy == agent {
		return "", nil
	}
	var answered time.Time
	for _, id := range m.InReplyTo {
		if n, dir, ok := lookupMsgID(a.tx, id); ok && n == t.ID && dir == dirSent {
			e, _, err := outboundEvent(a.tx, t.ID, id)
			if err != nil {
				return "", err
			}
			answered = e.Time
		}
	}
	if answered.IsZero() || !t.LastPublicAt.After(answered) {
		return "", nil
	}
	var b strings.Builder
	err := forEvents(a.tx, t.ID, func(e Event) {
		if e.Kind != EventInbound || !e.Time.After(answered) || e.Actor == agent {
			return
		}
		if e.Role.public() || e.Role == RoleAgent {
			author := e.Actor
			if e.Role == RoleAgent {
				author += " (" + a.say("label_agent", templates.Phrase{}) + ")"
			}
			fmt.Fprintf(&b, "--- %s · %s\n%s\n\n", e.Time.In(a.s.location()).Format("2006-01-02 15:04"), author, strings.TrimSpace(e.Text))
		}
	})
	return strings.TrimSpace(b.String()), err
}

// hold keeps the agent's answer on t and sends them the newer messages.
func (a *applier) hold(t *Ticket, m *Inbound, agent, text, newer string) error {
	if err := a.recordInbound(t, m, RoleHeld, "agent: answer held, newer messages on the ticket"); err != nil {
		return err
	}
	t.Held = &HeldReply{Agent: agent, Text: text, MessageID: m.MessageID, At: a.now}
	if err := addEvent(a.tx, Event{Ticket: t.ID, Time: a.now, Kind: EventHeld, Actor: agent, MessageID: m.MessageID}); err != nil {
		return err
	}
	return a.queue(t, outgoing{kind: templates.Collision, to: []Address{{Email: agent}}, thread: replyThread(m),
		auto: AutoReplied, text: text, notice: notice{history: newer}})
}
