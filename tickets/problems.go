package tickets

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/ticketd/ticketd/templates"
)

// Problems: one cause, many incidents. An agent links a ticket (the
// incident) to another (the problem) with "#problem N" on the incident;
// "#unlink" or "#problem none" undoes it. Any ticket can be a problem,
// but links are one level deep: a problem is not an incident of another,
// and an incident is not a problem.
//
// While its problem is open, an incident does not escalate on its own:
// its SLA clocks stay paused (slaFollowStatus asks heldByProblem), and new
// mail on it is also shown to the problem's agents. When the problem is
// resolved or closed, every linked incident still open is resolved in
// the same transaction, with the problem's answer relayed to its
// requester in their own thread and the satisfaction question after it:
// exactly once, because nothing of it happens unless all of it commits.
// The links stay afterwards, so show keeps both sides.

// ticketArg reads the ticket a command names: "12", "#12" or a subject
// token ("[Soporte #12]").
func (a *applier) ticketArg(arg string) (uint64, bool) {
	if n, ok := a.s.token.find(arg); ok {
		return n, true
	}
	n, err := strconv.ParseUint(strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(arg), "#")), 10, 64)
	return n, err == nil && n != 0
}

// unlinkWord reports whether the argument of #problem means "no problem".
func unlinkWord(arg string) bool {
	switch strings.ToLower(strings.TrimSpace(arg)) {
	case "none", "ninguno", "ninguna", "nada", "-":
		return true
	}
	return false
}

// checkProblem returns what is wrong with "#problem arg" on t, "" when it
// can run.
func (a *applier) checkProblem(t *Ticket, arg string) string {
	if unlinkWord(arg) {
		return a.checkUnlink(t)
	}
	n, ok := a.ticketArg(arg)
	if !ok {
		return a.say("problem_ticket_number", templates.Phrase{})
	}
	if n == t.ID {
		return a.say("problem_link_self", templates.Phrase{})
	}
	p, err := getTicket(a.tx, n)
	if err != nil {
		return a.say("problem_no_ticket", templates.Phrase{Ticket: n})
	}
	switch {
	case p.MergedInto != 0 || p.Status == StatusResolved || p.Status == StatusClosed:
		return a.say("problem_link_closed", templates.Phrase{Ticket: n})
	case p.Problem != 0:
		return a.say("problem_link_chain", templates.Phrase{Ticket: n, Other: p.Problem})
	}
	if k := len(incidentsOf(a.tx, t.ID)); k > 0 {
		return a.say("problem_link_has_incidents", templates.Phrase{N: k})
	}
	return ""
}

// checkUnlink returns what is wrong with "#unlink" on t.
func (a *applier) checkUnlink(t *Ticket) string {
	if t.Problem == 0 {
		return a.say("problem_not_linked", templates.Phrase{})
	}
	return ""
}

// checkOneLink refuses a mail with more than one of #problem, #unlink and
// #merge: each decides where the ticket belongs.
func (a *applier) checkOneLink(cmds []command) string {
	n := 0
	for _, c := range cmds {
		if c.name == "problem" || c.name == "unlink" || c.name == "merge" {
			n++
		}
	}
	if n > 1 {
		return a.say("problem_one_link", templates.Phrase{})
	}
	return ""
}

// runProblem applies a checked "#problem arg" to t.
func (a *applier) runProblem(t *Ticket, agent, arg string) error {
	if unlinkWord(arg) {
		return a.unlinkProblem(t, agent)
	}
	n, _ := a.ticketArg(arg)
	if t.Problem == n {
		return nil
	}
	if t.Problem != 0 {
		if err := a.unlinkProblem(t, agent); err != nil {
			return err
		}
	}
	t.Problem = n
	if err := putIncident(a.tx, n, t.ID); err != nil {
		return err
	}
	a.slaFollowStatus(t)
	for _, e := range []Event{
		{Ticket: t.ID, Time: a.now, Kind: EventProblem, Actor: agent,
			Detail: fmt.Sprintf("linked to problem #%d: SLA clocks paused while it is open", n)},
		{Ticket: n, Time: a.now, Kind: EventProblem, Actor: agent, Detail: fmt.Sprintf("incident #%d linked", t.ID)},
	} {
		if err := addEvent(a.tx, e); err != nil {
			return err
		}
	}
	return nil
}

// unlinkProblem undoes t's link to its problem; its clocks run again.
func (a *applier) unlinkProblem(t *Ticket, actor string) error {
	old := t.Problem
	t.Problem = 0
	if err := dropIncident(a.tx, old, t.ID); err != nil {
		return err
	}
	a.slaFollowStatus(t)
	for _, e := range []Event{
		{Ticket: t.ID, Time: a.now, Kind: EventProblem, Actor: actor, Detail: fmt.Sprintf("unlinked from problem #%d: SLA clocks run again", old)},
		{Ticket: old, Time: a.now, Kind: EventProblem, Actor: actor, Detail: fmt.Sprintf("incident #%d unlinked", t.ID)},
	} {
		if err := addEvent(a.tx, e); err != nil {
			return err
		}
	}
	return nil
}

// heldByProblem reports whether t is an incident of a problem that is
// still open: its clocks stay paused.
func (a *applier) heldByProblem(t *Ticket) bool {
	if t.Problem == 0 || t.Status == StatusResolved || t.Status == StatusClosed {
		return false
	}
	p, err := getTicket(a.tx, t.Problem)
	return err == nil && p.MergedInto == 0 && p.Status != StatusResolved && p.Status != StatusClosed
}

// showOnProblem shows new mail on the incident t to its problem's agents:
// on the problem's timeline, and in a notice in the problem's agents'
// thread naming the incident.
func (a *applier) showOnProblem(t *Ticket, m *Inbound) error {
	if !a.heldByProblem(t) {
		return nil
	}
	p, err := getTicket(a.tx, t.Problem)
	if err != nil {
		return err
	}
	from := NormalizeEmail(m.From.Email)
	if err := addEvent(a.tx, Event{Ticket: p.ID, Time: a.now, Kind: EventProblem, Actor: from, MessageID: m.MessageID,
		Detail: fmt.Sprintf("new mail on incident #%d", t.ID), Text: customerText(m)}); err != nil {
		return err
	}
	author := NewAddress(m.From.Name, m.From.Email)
	line := a.s.ticketLine(t, a.now)
	if err := a.queue(&p, outgoing{kind: templates.ProblemIncident, to: a.internalRecipients(&p), thread: a.agentThread(&p),
		auto: AutoGenerated, text: customerText(m), author: &author, related: &line}); err != nil {
		return err
	}
	p.Updated = a.now
	return a.save(&p)
}

// endsProblem reports whether running cmds on t takes it from an open
// status to resolved or closed while it has open incidents, and how many.
func (a *applier) endsProblem(t *Ticket, cmds []command) (command, int, error) {
	if t.Status == StatusResolved || t.Status == StatusClosed {
		return command{}, 0, nil
	}
	for _, c := range cmds {
		if c.name != "resolve" && c.name != "close" {
			continue
		}
		open, err := a.openIncidents(t)
		return c, len(open), err
	}
	return command{}, 0, nil
}

// checkProblemAnswer refuses to resolve or close a problem with open
// incidents without an answer for their requesters.
func (a *applier) checkProblemAnswer(t *Ticket, cmds []command, hasAnswer bool) (string, error) {
	c, n, err := a.endsProblem(t, cmds)
	if err != nil || n == 0 || hasAnswer {
		return "", err
	}
	return c.line + ": " + a.say("problem_needs_answer", templates.Phrase{N: n}), nil
}

// openIncidents returns t's incidents that are neither resolved nor closed.
func (a *applier) openIncidents(t *Ticket) ([]Ticket, error) {
	var out []Ticket
	for _, id := range incidentsOf(a.tx, t.ID) {
		in, err := getTicket(a.tx, id)
		if errors.Is(err, ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("incident %d: %w", id, err)
		}
		if in.Problem == t.ID && in.Status != StatusResolved && in.Status != StatusClosed {
			out = append(out, in)
		}
	}
	return out, nil
}

// releaseIncidents lets the clocks of p's open incidents run again: p was
// resolved by ticketd (its requester stayed silent), not with an answer
// for them, so their own agents carry on.
func (a *applier) releaseIncidents(p *Ticket) error {
	open, err := a.openIncidents(p)
	if err != nil || len(open) == 0 {
		return err
	}
	// heldByProblem reads the problem from the transaction: it must see
	// it resolved.
	if err := putTicket(a.tx, p); err != nil {
		return err
	}
	for i := range open {
		in := &open[i]
		a.slaFollowStatus(in)
		if err := addEvent(a.tx, Event{Ticket: in.ID, Time: a.now, Kind: EventProblem,
			Detail: fmt.Sprintf("problem #%d resolved without an answer for its incidents: SLA clocks run again", p.ID)}); err != nil {
			return err
		}
		if err := a.save(in); err != nil {
			return err
		}
	}
	return nil
}

// resolveIncidents resolves every open incident of the problem p with
// answer, the problem's public answer (actor: who resolved it, "" for
// ticketd): each requester gets it in their own thread, then the
// satisfaction question.
func (a *applier) resolveIncidents(p *Ticket, actor, answer string) error {
	open, err := a.openIncidents(p)
	if err != nil || len(open) == 0 {
		return err
	}
	for i := range open {
		if err := a.resolveIncident(p, &open[i], actor, answer); err != nil {
			return fmt.Errorf("incident %d: %w", open[i].ID, err)
		}
	}
	return addEvent(a.tx, Event{Ticket: p.ID, Time: a.now, Kind: EventProblem, Actor: actor,
		Detail: fmt.Sprintf("resolved %d linked incident(s) with its answer", len(open))})
}

// resolveIncident resolves the incident in with its problem p's answer.
func (a *applier) resolveIncident(p, in *Ticket, actor, answer string) error {
	if in.FirstResponse.IsZero() {
		in.FirstResponse = a.now
	}
	if answer != "" {
		a.markAnswered(in, actor, in.Tier)
	}
	a.responded(in)
	if err := addEvent(a.tx, Event{Ticket: in.ID, Time: a.now, Kind: EventProblem, Actor: actor,
		Detail: fmt.Sprintf("resolved with problem #%d: its answer relayed", p.ID)}); err != nil {
		return err
	}
	if err := a.setStatus(in, StatusResolved, actor, StatusNew, StatusOpen, StatusPending); err != nil {
		return err
	}
	a.publicMessage(in, actor)
	auto := AutoGenerated // no answer (ticketd resolved the problem): a notice
	if answer != "" {
		auto = "" // an agent's words, relayed
		if err := addEvent(a.tx, Event{Ticket: in.ID, Time: a.now, Kind: EventAnswer, Actor: actor, Text: answer, FromTier: in.Tier}); err != nil {
			return err
		}
	}
	if err := a.queue(in, outgoing{kind: templates.ProblemResolved, to: []Address{in.Requester}, cc: in.Participants,
		thread: a.publicThread(in), text: answer, auto: auto}); err != nil {
		return err
	}
	if err := a.askForRating(in); err != nil {
		return err
	}
	in.Updated = a.now
	return a.save(in)
}
