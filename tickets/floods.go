package tickets

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/ticketd/ticketd/templates"
)

// The per-sender and per-ticket caps of Limits that stop floods and
// loops: every one counts through takeRate (ratelimit.go), each hit is
// reported to Options.OnLimit and the message is still applied (or
// ignored with a reason), so the mailbox always moves on.

// take counts one event of the cap name (max per Limits.Window) for key;
// false when key had its share, which is reported to OnLimit.
func (a *applier) take(name string, max int, key string) (bool, error) {
	ok, err := takeRate(a.tx, rate{name: name, max: max, window: a.s.opts.Limits.Window}, key, a.now)
	if err == nil && !ok {
		a.s.opts.OnLimit(name)
	}
	return ok, err
}

// autoReply records automatic mail on t — at most Limits.AutoReplies per
// ticket per window, beyond which it is dropped (ignored with a reason the
// poller logs). It is never relayed to the requester nor answered: an
// agent's out-of-office (with their phone number) must not reach the
// requester, and two robots must not talk.
func (a *applier) autoReply(t *Ticket, m *Inbound, detail string) (Result, error) {
	l := a.s.opts.Limits
	ok, err := a.take(LimitAutoReplies, l.AutoReplies, strconv.FormatUint(t.ID, 10))
	if err != nil {
		return Result{}, err
	}
	if !ok {
		r, err := a.ignore(m, fmt.Sprintf("automatic mail on ticket #%d dropped: %d already recorded within %s", t.ID, l.AutoReplies, l.Window))
		r.Ticket = t.ID
		return r, err
	}
	if err := a.recordInbound(t, m, RoleAutomatic, detail); err != nil {
		return Result{}, err
	}
	return Result{Ticket: t.ID, Outcome: OutcomeAppended}, a.save(t)
}

// noticeNewTicket tells the agents of t's tier about the new ticket m
// opened, unless its requester had Limits.AgentNotices notices within the
// window: then the ticket is created all the same and the missing notice
// is recorded on it.
func (a *applier) noticeNewTicket(t *Ticket, m *Inbound) error {
	if a.silent {
		return nil // imported: nothing is mailed, nothing counted
	}
	l := a.s.opts.Limits
	ok, err := a.take(LimitAgentNotices, l.AgentNotices, t.Requester.Email)
	if err != nil {
		return err
	}
	if !ok {
		return addEvent(a.tx, Event{Ticket: t.ID, Time: a.now, Kind: EventStatus,
			Detail: fmt.Sprintf("agent notice suppressed: %d new-ticket notices already sent for %s within %s", l.AgentNotices, t.Requester.Email, l.Window)})
	}
	unverified := a.s.opts.TrustedAuthResults && !requesterVerified(m, t.Requester.Email)
	return a.notifyAgents(t, templates.AgentNew, m, unverified)
}

// statusAllowed reports whether from may get one more status reply, and
// if not, why.
func (a *applier) statusAllowed(from string) (bool, string, error) {
	l := a.s.opts.Limits
	ok, err := a.take(LimitStatusReplies, l.StatusReplies, from)
	if err != nil || ok {
		return ok, "", err
	}
	return false, fmt.Sprintf("status request not answered: %d replies already sent to %s within %s", l.StatusReplies, from, l.Window), nil
}

// minRepeatBytes is the shortest text taken for a responder's when it
// comes again: a person may well write "Gracias" twice.
const minRepeatBytes = 30

// repeatsItself reports whether m says, word for word, what its sender
// already wrote on t within Limits.Window: what an auto-responder that
// neither marks its mail nor reads like one (any language, any wording)
// does on every mail it gets. Without this, a requester's and an agent's
// such responders would answer each other through the desk for ever.
// Commands ("#…") are an agent's to repeat.
func (a *applier) repeatsItself(t *Ticket, m *Inbound) (bool, error) {
	text := strings.TrimSpace(customerText(m))
	if len(text) < minRepeatBytes || strings.HasPrefix(text, "#") {
		return false, nil
	}
	from := NormalizeEmail(m.From.Email)
	seen := false
	var textErr error
	// Events are recorded in time order: the walk back stops at the first
	// one older than the window (or at the repeat), so a long ticket costs
	// no more than a short one on every mail it gets. Only the sender's
	// own mails have their text decoded.
	err := glanceEventsNewestFirst(a.tx, t.ID, func(e eventGlance) bool {
		if a.now.Sub(e.Time) >= a.s.opts.Limits.Window {
			return false
		}
		if e.Kind != EventInbound || e.Actor != from {
			return true
		}
		var said string
		if said, textErr = e.text(); textErr != nil {
			textErr = fmt.Errorf("event of ticket %d: %w", t.ID, textErr)
			return false
		}
		seen = strings.TrimSpace(said) == text
		return !seen
	})
	if err == nil {
		err = textErr
	}
	return seen, err
}
