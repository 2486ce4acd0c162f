package tickets

import (
	"strings"

	"github.com/ticketd/ticketd/templates"
)

// On someone's behalf: an agent forwards a customer's mail to the desk
// (inline or attached; mailin reads it into Inbound.Forwarded). The
// ticket is the customer's: they are its requester, their words are the
// request, they get the acknowledgement and the answers. The agent is
// recorded (Ticket.ForwardedBy), their own words above the forward are an
// internal note, and with Options.AssignForwarder the ticket is theirs.
//
// An agent's new mail that starts with the line "#requester ADDR"
// ("#solicitante DIR") opens the ticket for ADDR the same way, the text
// below the line being the request (a customer who phoned). A line with
// an address of the desk, or no address, is just text: the agent's own
// ticket opens, nothing is lost.
//
// Only a verified agent's forward counts: anyone else forwarding a mail
// is its requester as ever, so a stranger cannot make the desk write to
// whoever a "forwarded" block names. A forward of the desk's own mail or
// of an agent's (or vendor's) opens the agent's own ticket (people.go).

// forwarding is who forwarded the mail a ticket opens for, and what they
// wrote above it.
type forwarding struct {
	agent Address
	note  string
}

// onBehalf returns the mail a new ticket opens for: m itself, or the mail
// m forwards, as its sender wrote it, when m is a verified agent's forward
// of someone outside the desk's mail (and then who forwarded it).
func (a *applier) onBehalf(m *Inbound) (*Inbound, *forwarding) {
	f := m.Forwarded
	from := NormalizeEmail(m.From.Email)
	if !a.agentVerified(m, from) {
		return m, nil
	}
	if f == nil {
		return a.namedRequester(m, from)
	}
	orig := NormalizeEmail(f.From.Email)
	if orig == "" || orig == a.s.opts.Desk.Email || a.isDeskMember(orig) {
		return m, nil
	}
	om := *m
	om.From, om.ReplyTo = NewAddress(f.From.Name, orig), nil
	if f.Subject != "" {
		om.Subject = f.Subject
	}
	om.Text, om.FullText, om.Forwarded = f.Text, f.Text, nil
	om.AuthLogin = ""       // the agent's, not the customer's
	om.ContentLanguage = "" // the agent's; the customer's words tell theirs
	return &om, &forwarding{agent: NewAddress(m.From.Name, from), note: f.Note}
}

// namedRequester opens m for the address of its "#requester" line.
func (a *applier) namedRequester(m *Inbound, agent string) (*Inbound, *forwarding) {
	cmds, rest := parseCommands(m.Text)
	if len(cmds) != 1 || cmds[0].name != "requester" || a.checkRequester(cmds[0]) != "" {
		return m, nil
	}
	addr, _ := ccAddress(cmds[0].arg)
	om := *m
	om.From, om.ReplyTo, om.AuthLogin, om.ContentLanguage = addr, nil, "", ""
	om.Text = strings.TrimSpace(rest)
	om.FullText = om.Text
	return &om, &forwarding{agent: NewAddress(m.From.Name, agent)}
}

// agentVerified reports whether m is the agent from's own mail, as far as
// the desk asks agents to prove it (RequireVerifiedAgents).
func (a *applier) agentVerified(m *Inbound, from string) bool {
	if !a.s.isAgentAnywhere(from) {
		return false
	}
	return !a.s.opts.RequireVerifiedAgents || a.deskMemberVerified(m, from)
}

// openedOnBehalf records on the new ticket t who forwarded it and their
// note, and gives it to them when the desk wants that.
func (a *applier) openedOnBehalf(t *Ticket, fw *forwarding) error {
	t.ForwardedBy = fw.agent.Email
	if err := addEvent(a.tx, Event{Ticket: t.ID, Time: a.now, Kind: EventRequester, Actor: fw.agent.Email,
		Detail: "opened on behalf of " + t.Requester.Email + " by " + fw.agent.Email}); err != nil {
		return err
	}
	if fw.note != "" {
		if err := addEvent(a.tx, Event{Ticket: t.ID, Time: a.now, Kind: EventInbound, Actor: fw.agent.Email,
			Text: fw.note, Role: RoleNote, Detail: "note above a forwarded mail"}); err != nil {
			return err
		}
	}
	if a.s.opts.AssignForwarder {
		return a.assign(t, fw.agent.Email, fw.agent.Email)
	}
	return nil
}

// forwardNotice is the mail the agents' new-ticket notice shows: the
// request, under a line saying who forwarded it with their note.
func (a *applier) forwardNotice(m *Inbound, fw *forwarding) *Inbound {
	if fw == nil {
		return m
	}
	nm := *m
	nm.Text = a.say("forwarded_by", templates.Phrase{Agent: fw.agent.Email, Text: fw.note}) + "\n\n" + customerText(m)
	return &nm
}
