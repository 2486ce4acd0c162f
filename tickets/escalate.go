package tickets

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/ticketd/ticketd/templates"
	"github.com/ticketd/ticketd/tiers"
)

// errLastTier is returned by escalate for a ticket that has nowhere to climb.
var errLastTier = errors.New("already at the last tier")

// notice is what an SLA or escalation mail says beyond the ticket itself.
type notice struct {
	reason  reason
	left    time.Duration // time left before a breach (warnings)
	clock   string        // "first_response" or "resolution"
	history string
}

// escalate moves t one tier up: the new tier's agents (or the vendor) get
// the ticket with its history, the previous assignee is told, and the
// requester gets a short notice when the desk wants that. actor is the
// agent who asked for it, "" for an SLA breach. The same path serves both.
func (a *applier) escalate(t *Ticket, why reason, actor string) error {
	if t.Tier >= a.s.opts.Policy.Last() {
		return errLastTier
	}
	return a.moveTier(t, t.Tier+1, why, actor)
}

// moveTier moves t to tier level (up or down, "#tier n"), the same way.
func (a *applier) moveTier(t *Ticket, level int, why reason, actor string) error {
	from := t.Tier
	prevAssignee := t.Assignee
	fromName := a.tier(t).Name
	if level > from {
		t.Escalations++
	}
	a.enterTier(t, level)
	tier := a.tier(t)
	err := addEvent(a.tx, Event{Ticket: t.ID, Time: a.now, Kind: EventEscalated, Actor: actor,
		Detail: why.String(), FromTier: from, ToTier: t.Tier})
	if err != nil {
		return err
	}
	// The new tier's agents get the ticket. With a vendor, the desk's own
	// people keep it (they still answer the requester): the assignee stays,
	// and they are told it went out.
	internal := addresses(tier.Agents)
	if tier.Vendor {
		if err := a.forwardToVendor(t, tier); err != nil {
			return err
		}
		internal, prevAssignee = a.internalRecipients(t), ""
	} else {
		t.Assignee = ""
	}
	history, err := a.history(t, false)
	if err != nil {
		return err
	}
	if err := a.queue(t, outgoing{kind: templates.Escalated, to: internal, thread: a.agentThread(t),
		auto: "auto-generated", notice: notice{reason: why, history: history}, fromTier: fromName}); err != nil {
		return err
	}
	if prevAssignee != "" && !slices.Contains(tier.Agents, prevAssignee) {
		if err := a.queue(t, outgoing{kind: templates.EscalationNotice, to: []Address{{Email: prevAssignee}}, thread: a.agentThread(t),
			auto: "auto-generated", notice: notice{reason: why}, fromTier: fromName}); err != nil {
			return err
		}
	}
	if a.s.opts.NotifyRequesterOnEscalation {
		return a.queue(t, outgoing{kind: templates.EscalatedRequester, to: []Address{t.Requester}, thread: a.publicThread(t),
			auto: "auto-generated", fromTier: fromName})
	}
	return nil
}

// forwardToVendor sends the ticket with its public history to the external
// vendor, from the desk and without Auto-Submitted (the vendor's own help
// desk must open a ticket for it, and many ignore automatic mail). Their
// replies thread back by this mail's Message-ID, our subject token, or
// their own ticket number once recorded. The reason for the escalation
// stays inside: it names agents, targets and tiers.
func (a *applier) forwardToVendor(t *Ticket, tier tiers.Tier) error {
	history, err := a.history(t, true)
	if err != nil {
		return err
	}
	desk := a.s.opts.Desk
	return a.queue(t, outgoing{kind: templates.VendorForward, to: addresses(tier.Agents), replyTo: &desk,
		notice: notice{history: history}})
}

// alertManagers tells the managers at once of a breach at the last tier;
// without managers, the tier's own agents.
func (a *applier) alertManagers(t *Ticket, why reason) error {
	to := addresses(a.s.opts.Managers)
	if len(to) == 0 {
		to = addresses(a.internalTier(t).Agents)
	}
	return a.queue(t, outgoing{kind: templates.SLAAlert, to: to, auto: "auto-generated", notice: notice{reason: why}})
}

// escalationRequested tells the managers (without managers, the tier's
// own agents) that agent asked to escalate t beyond the last tier, in
// their words: nothing breached, a person asked for help.
func (a *applier) escalationRequested(t *Ticket, agent, words string) error {
	to := addresses(a.s.opts.Managers)
	if len(to) == 0 {
		to = addresses(a.internalTier(t).Agents)
	}
	return a.queue(t, outgoing{kind: templates.EscalationRequest, to: to, auto: "auto-generated",
		author: &Address{Email: agent}, text: strings.TrimSpace(words)})
}

// notifyInternal mails the ticket's assignee, or its internal tier's agents.
func (a *applier) notifyInternal(t *Ticket, kind templates.Name, n notice) error {
	return a.queue(t, outgoing{kind: kind, to: a.internalRecipients(t), thread: a.agentThread(t), auto: "auto-generated", notice: n})
}

// internalRecipients are the desk's people responsible for t: its assignee,
// else every agent of its internal tier.
func (a *applier) internalRecipients(t *Ticket) []Address {
	if t.Assignee != "" {
		return []Address{{Email: t.Assignee}}
	}
	return addresses(a.internalTier(t).Agents)
}

// internalTier is the tier of the desk's own agents responsible for t: its
// tier, or the one below when t is with the external vendor.
func (a *applier) internalTier(t *Ticket) tiers.Tier {
	tier := a.tier(t)
	if tier.Vendor {
		if below, ok := a.s.opts.Policy.Tier(tier.Level - 1); ok {
			return below
		}
	}
	return tier
}

// agentThread threads a mail to agents under the first agent notification.
func (a *applier) agentThread(t *Ticket) thread {
	th := thread{inReplyTo: t.AgentThreadID}
	if t.AgentThreadID != "" {
		th.references = []string{t.AgentThreadID}
	}
	return th
}

// vendorMail records mail from the vendor on t: their ticket number, once;
// the vendor's answer counts as the vendor tier's first response; the
// desk's agents get it. It is never relayed to the requester.
func (a *applier) vendorMail(t *Ticket, m *Inbound, level int) error {
	if err := a.recordVendorRef(t, m.Subject, level); err != nil {
		return err
	}
	detail := "vendor"
	if m.AutoSubmitted {
		detail = "vendor, automatic mail"
	}
	if err := a.recordInbound(t, m, detail); err != nil {
		return err
	}
	if m.AutoSubmitted {
		return nil // their acknowledgement: recorded, never answered
	}
	if t.Tier == level {
		a.responded(t)
	}
	return a.notifyAgents(t, templates.AgentUpdate, m, false)
}

// recordVendorRef stores the vendor's ticket number found in subject.
func (a *applier) recordVendorRef(t *Ticket, subject string, level int) error {
	ref := a.vendorRef(subject, level)
	if ref == "" || ref == t.VendorRef {
		return nil
	}
	t.VendorRef = ref
	if err := a.tx.Bucket(bucketVendorRef).Put(vendorRefKey(level, ref), u64(t.ID)); err != nil {
		return err
	}
	return addEvent(a.tx, Event{Ticket: t.ID, Time: a.now, Kind: EventVendorRef, Detail: ref})
}

// vendorRef extracts the vendor's ticket number from subject with the
// tier's pattern: its first group, else the whole match; "" if none.
func (a *applier) vendorRef(subject string, level int) string {
	tier, ok := a.s.opts.Policy.Tier(level)
	if !ok || tier.VendorRef == nil {
		return ""
	}
	m := tier.VendorRef.FindStringSubmatch(subject)
	switch {
	case m == nil:
		return ""
	case len(m) > 1 && m[1] != "":
		return strings.TrimSpace(m[1])
	default:
		return strings.TrimSpace(m[0])
	}
}

// lookupVendorRef returns the ticket the vendor's number belongs to.
func lookupVendorRef(tx *bolt.Tx, level int, ref string) (uint64, bool) {
	v := tx.Bucket(bucketVendorRef).Get(vendorRefKey(level, ref))
	if len(v) != 8 {
		return 0, false
	}
	return u64From(v), true
}

func vendorRefKey(level int, ref string) []byte {
	return append(u64(uint64(level)), msgIDKey(ref)...)
}

// maxHistory bounds the history sent with an escalation; the oldest
// messages after the first are left out beyond it.
const maxHistory = 64 << 10

// history is the conversation so far, oldest first, for the new tier. For
// the vendor (outside the desk) only the public conversation (public.go):
// the agents' words as relayed, signed by the desk.
func (a *applier) history(t *Ticket, public bool) (string, error) {
	var entries []string
	add := func(at time.Time, author, text string) {
		if strings.TrimSpace(text) != "" {
			entries = append(entries, fmt.Sprintf("--- %s · %s\n%s", at.In(a.s.location()).Format("2006-01-02 15:04"), author, strings.TrimSpace(text)))
		}
	}
	var err error
	if public {
		err = a.forPublic(t, func(p publicMessage) { add(p.at, p.author, p.text) })
	} else {
		err = forEvents(a.tx, t.ID, func(e Event) {
			if e.Kind != EventInbound {
				return
			}
			author, text := e.Actor, e.Text
			if isAgentMail(e.Detail) {
				// The commands ran and are on the timeline; people read the words.
				text = parseAgentText(text).text
			}
			switch e.Detail {
			case "", "participant":
				if e.Actor == t.Requester.Email {
					author = t.Requester.String()
				}
			case "agent":
			default: // notes, automatic, unverified, vendor and other people's mail
				author += " (" + a.historyLabel(e.Detail) + ")"
			}
			add(e.Time, author, text)
		})
	}
	if err != nil {
		return "", err
	}
	size := 0
	for _, e := range entries {
		size += len(e) + 2
	}
	for len(entries) > 2 && size > maxHistory {
		size -= len(entries[1]) + 2
		entries = append(entries[:1], entries[2:]...)
	}
	return strings.Join(entries, "\n\n"), nil
}

// isAgentMail says whether an inbound event's detail marks an agent's own
// mail (an answer, a note, a held answer, commands not understood).
func isAgentMail(detail string) bool {
	return detail == "agent" || detail == "note" || strings.HasPrefix(detail, "agent:")
}

func addresses(emails []string) []Address {
	out := make([]Address, 0, len(emails))
	for _, e := range emails {
		out = append(out, Address{Email: e})
	}
	return out
}
