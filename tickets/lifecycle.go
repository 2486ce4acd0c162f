package tickets

import (
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/ticketd/ticketd/templates"
)

// Lifecycle timers, checked with the SLA clocks (same due index): a
// pending ticket whose requester stays silent gets a reminder, then is
// resolved; a resolved ticket closes by itself after a while.

// lifecycleNext returns when t's lifecycle next needs attention; zero when never.
func (a *applier) lifecycleNext(t *Ticket) time.Time {
	o := a.s.opts
	switch t.Status {
	case StatusPending:
		if o.PendingReminder > 0 && !t.ReminderSent {
			return t.PendingSince.Add(o.PendingReminder)
		}
		if o.PendingResolve > 0 {
			return t.PendingSince.Add(o.PendingReminder + o.PendingResolve)
		}
	case StatusResolved:
		if o.AutoClose > 0 {
			return t.ResolvedAt.Add(o.AutoClose)
		}
	}
	return time.Time{}
}

// checkLifecycle takes the lifecycle steps due for t at a.now.
func (a *applier) checkLifecycle(t *Ticket, rep *CheckReport) error {
	o := a.s.opts
	switch t.Status {
	case StatusPending:
		if o.PendingReminder > 0 && !t.ReminderSent && !a.now.Before(t.PendingSince.Add(o.PendingReminder)) {
			t.ReminderSent = true
			rep.Reminders++
			if err := addEvent(a.tx, Event{Ticket: t.ID, Time: a.now, Kind: EventReminder, Recipients: []string{t.Requester.Email}}); err != nil {
				return err
			}
			return a.queue(t, outgoing{kind: templates.Reminder, to: []Address{t.Requester}, cc: t.Participants, thread: a.publicThread(t), auto: "auto-generated"})
		}
		if o.PendingResolve > 0 && (t.ReminderSent || o.PendingReminder == 0) && !a.now.Before(t.PendingSince.Add(o.PendingReminder+o.PendingResolve)) {
			rep.AutoResolved++
			return a.setStatusBecause(t, StatusResolved, "no answer from the requester", templates.AutoResolved, StatusPending)
		}
	case StatusResolved:
		if o.AutoClose > 0 && !a.now.Before(t.ResolvedAt.Add(o.AutoClose)) {
			rep.AutoClosed++
			return a.setStatusBecause(t, StatusClosed, fmt.Sprintf("resolved for %s", o.AutoClose), templates.Closed, StatusResolved)
		}
	}
	return nil
}

// setStatusBecause changes t's status by ticketd itself and tells the
// requester with the notice template.
func (a *applier) setStatusBecause(t *Ticket, to Status, why string, notice templates.Name, from ...Status) error {
	// The notice asks for a reply, not a rating: only an agent's
	// #resolve asks for one.
	if err := a.setStatus(t, to, "", from...); err != nil {
		return err
	}
	if err := addEvent(a.tx, Event{Ticket: t.ID, Time: a.now, Kind: EventStatus, Detail: why}); err != nil {
		return err
	}
	return a.queue(t, outgoing{kind: notice, to: []Address{t.Requester}, thread: a.publicThread(t), auto: "auto-generated"})
}

// link records that t and other are related, on both timelines.
func (a *applier) link(t, other *Ticket, why string) error {
	t.Links = append(t.Links, other.ID)
	other.Links = append(other.Links, t.ID)
	for _, e := range []Event{
		{Ticket: t.ID, Time: a.now, Kind: EventLinked, Detail: fmt.Sprintf("#%d: %s", other.ID, why)},
		{Ticket: other.ID, Time: a.now, Kind: EventLinked, Detail: fmt.Sprintf("#%d: %s", t.ID, why)},
	} {
		if err := addEvent(a.tx, e); err != nil {
			return err
		}
	}
	return a.save(other)
}

// linkedLines describes the tickets t is linked to, for the agents.
func (a *applier) linkedLines(t *Ticket) ([]templates.TicketLine, error) {
	var out []templates.TicketLine
	for _, id := range t.Links {
		other, err := getTicket(a.tx, id)
		if err != nil {
			return nil, fmt.Errorf("linked ticket %d: %w", id, err)
		}
		out = append(out, a.s.ticketLine(&other, a.now))
	}
	return out, nil
}

// statusSubject matches the subject of a self-service status request.
var statusSubject = regexp.MustCompile(`(?i)^\s*#?\s*(status|estado)\s*[?!.]*\s*$`)

// statusReply answers a status request with the sender's open tickets
// (new, open, waiting on them) and, apart, the resolved ones a reply still
// reopens; closed tickets are done and not listed. It never opens a ticket.
func (a *applier) statusReply(m *Inbound) (Result, error) {
	if a.silent {
		return a.ignore(m, "status request in imported mail: not answered")
	}
	from := NormalizeEmail(m.From.Email)
	if ok, why, err := a.statusAllowed(from); err != nil || !ok {
		if err != nil {
			return Result{}, err
		}
		return a.ignore(m, why)
	}
	var lines, resolved []templates.TicketLine
	err := forRequester(a.tx, from, func(t Ticket) {
		switch {
		case t.Status == StatusNew || t.Status == StatusOpen || t.Status == StatusPending:
			lines = append(lines, a.s.ticketLine(&t, a.now))
		case t.Status == StatusResolved && (a.s.opts.ReopenWindow <= 0 || a.now.Sub(t.ResolvedAt) <= a.s.opts.ReopenWindow):
			line := a.s.ticketLine(&t, a.now)
			line.Age = humanDuration(a.now.Sub(t.ResolvedAt))
			resolved = append(resolved, line)
		}
	})
	if err != nil {
		return Result{}, err
	}
	if err := indexMsgID(a.tx, m.MessageID, 0, dirIgnored); err != nil {
		return Result{}, err
	}
	r, err := a.s.opts.Templates.Render(a.s.opts.Language, templates.StatusReply,
		templates.Data{Desk: a.s.opts.Desk.Name, Requester: displayName(m.From), RequesterEmail: from, Tickets: lines, Resolved: resolved})
	if err != nil {
		return Result{}, fmt.Errorf("render status_reply: %w", err)
	}
	th := replyThread(m)
	mail := Mail{Kind: templates.StatusReply, From: a.s.opts.Desk, To: []Address{NewAddress(m.From.Name, from)},
		Subject: r.Subject, Text: r.Text, HTML: r.HTML, InReplyTo: th.inReplyTo, References: th.references,
		AutoSubmitted: "auto-replied", Queued: a.now, NextAttempt: a.now}
	if err := a.s.queueMail(a.tx, &mail); err != nil {
		return Result{}, err
	}
	a.queued++
	return Result{Outcome: OutcomeIgnored, Reason: fmt.Sprintf("status request: answered with %d open and %d resolved ticket(s)", len(lines), len(resolved))}, nil
}

// solvedCommand matches the requester's "#solved [n]" / "#resuelto [n]".
var solvedCommand = regexp.MustCompile(`(?i)^\s*#\s*(solved|resuelto|solucionado)\b\s*(\d+)?`)

// parseSolved reports whether text starts with the self-service command,
// and which suggested article (1-based, 0 when not named) it names.
func parseSolved(text string) (int, bool) {
	m := solvedCommand.FindStringSubmatch(strings.TrimSpace(text))
	if m == nil {
		return 0, false
	}
	n := 0
	fmt.Sscan(m[2], &n)
	return n, true
}
