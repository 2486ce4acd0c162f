package tickets

import (
	"strings"
	"time"

	"github.com/ticketd/ticketd/templates"
)

// publicMessage is one message of a ticket's public conversation.
type publicMessage struct {
	at     time.Time
	author string // the requester or a participant; the desk's name for an answer
	text   string
	answer bool // an agent's answer, as relayed
}

// forPublic calls f with each message of t's public conversation, oldest
// first: what the requester and the people they copied wrote, and the
// agents' answers as relayed, signed by the desk. Never a note, a command,
// an agent's address or mail nobody on the requester's side saw.
func (a *applier) forPublic(t *Ticket, f func(publicMessage)) error {
	// Tickets answered before answers were recorded (EventAnswer) have
	// only the agent's mail: its relayable part stands in for the answer
	// its reply mail carried.
	var legacy string
	return forEvents(a.tx, t.ID, func(e Event) {
		switch {
		case e.Kind == EventAnswer:
			legacy = ""
			f(publicMessage{at: e.Time, author: a.s.queueOf(t).Desk.Name, text: a.s.blankAgents(e.Text), answer: true})
		case e.Kind == EventOutbound && e.Template == templates.Reply && legacy != "":
			f(publicMessage{at: e.Time, author: a.s.queueOf(t).Desk.Name, text: legacy, answer: true})
			legacy = ""
		case e.Kind == EventInbound && e.Role == RoleAgent:
			legacy, _ = a.relayable(nil, parseAgentText(e.Text).text)
		case e.Kind == EventInbound && e.Role.public():
			author := e.Actor
			if e.Actor == t.Requester.Email {
				author = t.Requester.String()
			}
			f(publicMessage{at: e.Time, author: author, text: a.s.blankAgents(e.Text)})
		}
	})
}

// lastPublicAnswer is the newest answer relayed to t's requester, "" when
// none was.
func (a *applier) lastPublicAnswer(t *Ticket) (string, error) {
	var last string
	err := a.forPublic(t, func(p publicMessage) {
		if p.answer && strings.TrimSpace(p.text) != "" {
			last = p.text
		}
	})
	return strings.TrimSpace(last), err
}
