package tickets

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/ticketd/ticketd/templates"
)

// bounce applies a delivery failure report. Anyone can send one, so it
// counts only when it really reports on a mail ticketd sent: the mail's
// Message-ID is in the returned headers (Bounce.Returned, not loose text),
// and only the recipients of that mail (its outbound event) count. Those
// are recorded on the ticket, one delivery_failed event each, and the
// ticket's agents are told. Permanently failed requesters and participants
// become undeliverable; the desk's own people (agents, vendors, managers,
// admins) never do — a forged report must not silence the desk — and the
// admins are told instead. A bounce never changes a ticket's status, never
// opens one and is never answered.
func (a *applier) bounce(m *Inbound) (Result, error) {
	var orig string
	if m.Bounce != nil {
		orig = m.Bounce.OriginalMessageID
	}
	ticket, dir, ok := lookupMsgID(a.tx, orig)
	var sent Event
	if ok && dir == dirSent && ticket != 0 && m.Bounce.Returned {
		var err error
		if sent, ok, err = outboundEvent(a.tx, ticket, orig); err != nil {
			return Result{}, err
		}
	} else {
		ok = false
	}
	if !ok {
		// Not about a mail we can name: thread it like any automatic
		// mail, recorded where it belongs, and nothing else.
		t, found, err := a.findTicket(m, nil, 0)
		if err != nil {
			return Result{}, err
		}
		if !found {
			return a.ignore(m, "bounce of a mail ticketd did not send")
		}
		if err := a.recordInbound(&t, m, RoleBounce, "bounce (not matched to the returned headers of a mail ticketd sent: nothing marked)"); err != nil {
			return Result{}, err
		}
		return Result{Ticket: t.ID, Outcome: OutcomeAppended}, a.save(&t)
	}
	t, err := getTicket(a.tx, ticket)
	if err != nil {
		return Result{}, err
	}
	if err := a.recordInbound(&t, m, RoleBounce, "bounce"); err != nil {
		return Result{}, err
	}
	var report, desk, strangers []string
	for _, r := range m.Bounce.Recipients {
		if !slices.Contains(sent.Recipients, r.Email) {
			strangers = append(strangers, r.Email)
			continue
		}
		detail := strings.TrimSpace(fmt.Sprintf("bounce: %s %s %s", r.Action, r.Status, r.Diagnostic))
		err := addEvent(a.tx, Event{Ticket: t.ID, Time: a.now, Kind: EventDeliveryFailed, Actor: NormalizeEmail(m.From.Email),
			MessageID: orig, Recipients: []string{r.Email}, Detail: detail})
		if err != nil {
			return Result{}, err
		}
		if !r.Permanent() {
			continue
		}
		line := strings.TrimSpace(fmt.Sprintf("%s: %s %s", r.Email, r.Status, r.Diagnostic))
		report = append(report, line)
		if a.isDeskPerson(r.Email) {
			desk = append(desk, line)
			continue
		}
		if err := markUndeliverable(a.tx, r.Email, Undeliverable{Since: a.now, Ticket: t.ID, MessageID: orig,
			Reason: strings.TrimSpace(r.Status + " " + r.Diagnostic)}); err != nil {
			return Result{}, err
		}
	}
	if len(strangers) > 0 {
		err := addEvent(a.tx, Event{Ticket: t.ID, Time: a.now, Kind: EventStatus, Actor: NormalizeEmail(m.From.Email),
			MessageID: orig, Recipients: strangers, Detail: "bounce names addresses the mail was not sent to: ignored"})
		if err != nil {
			return Result{}, err
		}
	}
	if len(m.Bounce.Recipients) == 0 {
		// A bounce that names nobody still tells that the mail failed.
		err := addEvent(a.tx, Event{Ticket: t.ID, Time: a.now, Kind: EventDeliveryFailed, Actor: NormalizeEmail(m.From.Email),
			MessageID: orig, Detail: "bounce naming no recipient"})
		if err != nil {
			return Result{}, err
		}
		report = append(report, customerText(m))
	}
	if len(desk) > 0 {
		if err := a.alertAdmins(&t, templates.AdminBounce, strings.Join(desk, "\n")); err != nil {
			return Result{}, err
		}
	}
	// Tell the agents, except about the failure of such a notice itself:
	// a bouncing agent address must not start a loop.
	if len(report) > 0 && sent.Template != templates.AgentBounce {
		if err := a.notifyAgentsText(&t, templates.AgentBounce, strings.Join(report, "\n")); err != nil {
			return Result{}, err
		}
	}
	return Result{Ticket: t.ID, Outcome: OutcomeAppended}, a.save(&t)
}

// isDeskPerson reports whether addr is one of the desk's own people:
// the desk itself, an agent, a vendor, a manager or an admin.
func (a *applier) isDeskPerson(addr string) bool {
	o := a.s.opts
	return a.s.isQueueAddress(addr) || a.isDeskMember(addr) || slices.Contains(o.Managers, addr) || slices.Contains(o.Admins, addr)
}

// alertAdmins queues an operational alert about t to Options.Admins (none:
// recorded on the ticket only).
func (a *applier) alertAdmins(t *Ticket, kind templates.Name, text string) error {
	if err := addEvent(a.tx, Event{Ticket: t.ID, Time: a.now, Kind: EventStatus, Detail: string(kind) + ": " + text}); err != nil {
		return err
	}
	if len(a.s.opts.Admins) == 0 || a.silent {
		return nil
	}
	q := a.s.queueOf(t)
	r, err := a.s.opts.Templates.Render(a.s.deskLanguage(t), kind, templates.Data{
		Desk: q.Desk.Name, Token: a.s.tokenOf(t), Ticket: t.ID, Subject: t.Subject, Text: text})
	if err != nil {
		return fmt.Errorf("render %s: %w", kind, err)
	}
	mail := Mail{Kind: kind, From: q.Desk, To: addresses(a.s.opts.Admins), Subject: r.Subject, Text: r.Text, HTML: r.HTML,
		AutoSubmitted: AutoGenerated, Queued: a.now, NextAttempt: a.now}
	if err := a.s.queueMail(a.tx, &mail); err != nil {
		return err
	}
	a.queued++
	return nil
}

// notifyAgentsText sends text about t, from the desk, to the desk's people
// responsible for it (internalRecipients: at the vendor's tier, the agents
// of the tier below, never the vendor), threaded under the agents' view of
// the ticket.
func (a *applier) notifyAgentsText(t *Ticket, kind templates.Name, text string) error {
	desk := a.s.queueOf(t).Desk
	return a.queue(t, outgoing{kind: kind, to: a.internalRecipients(t), thread: a.agentThread(t), auto: AutoGenerated, text: text, author: &desk})
}

// Undeliverable records why an address is not written to any more.
type Undeliverable struct {
	Email     string    `json:"email"`
	Since     time.Time `json:"since"`
	Ticket    uint64    `json:"ticket"`     // the ticket whose mail bounced
	MessageID string    `json:"message_id"` // the mail that bounced
	Reason    string    `json:"reason"`     // status and diagnostic of the bounce
}

// deliverable drops undeliverable addresses from a mail's recipients and
// returns the ones dropped.
func (a *applier) deliverable(o *outgoing) []string {
	var dropped []string
	keep := func(list []Address) []Address {
		var out []Address
		for _, r := range list {
			if isUndeliverable(a.tx, r.Email) {
				dropped = append(dropped, r.Email)
				continue
			}
			out = append(out, r)
		}
		return out
	}
	o.to, o.cc = keep(o.to), keep(o.cc)
	return dropped
}

// notSent records on t that mail o was not queued: every recipient is
// undeliverable.
func (a *applier) notSent(t *Ticket, o outgoing, dropped []string) error {
	return addEvent(a.tx, Event{Ticket: t.ID, Time: a.now, Kind: EventDeliveryFailed, Recipients: dropped,
		Detail: string(o.kind) + " not sent: every recipient is undeliverable after a bounce"})
}

// nobodyToTell records on t that mail o had no recipient at all: nothing
// failed, there was simply no one to write to (an internal note by the
// only agent concerned, say).
func (a *applier) nobodyToTell(t *Ticket, o outgoing) error {
	why := string(o.kind) + " not sent: nobody to send it to"
	if o.kind == templates.AgentNote {
		why = "agent_note not sent: no other agent to tell (assignee, else the tier's agents, without the author); the note is kept on the ticket"
	}
	return addEvent(a.tx, Event{Ticket: t.ID, Time: a.now, Kind: EventNotSent, Detail: why})
}
