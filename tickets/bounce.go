package tickets

import (
	"fmt"
	"strings"
	"time"

	bolt "go.etcd.io/bbolt"
)

// bounce applies a delivery failure report. Matched by the original
// Message-ID to a mail ticketd sent, it is recorded on that mail's ticket
// with one delivery_failed event per recipient; permanently failed
// addresses become undeliverable, and the ticket's agents are told. It
// never changes a ticket's status, never opens one and is never answered.
func (a *applier) bounce(m *Inbound) (Result, error) {
	var orig string
	if m.Bounce != nil {
		orig = m.Bounce.OriginalMessageID
	}
	ticket, dir, ok := lookupMsgID(a.tx, orig)
	if !ok || dir != dirSent || ticket == 0 {
		// Not about a mail we can name: thread it like any automatic
		// mail, recorded where it belongs, and nothing else.
		t, found, err := a.findTicket(m, 0)
		if err != nil {
			return Result{}, err
		}
		if !found {
			return a.ignore(m, "bounce of a mail ticketd did not send")
		}
		if err := a.recordInbound(&t, m, "bounce (not matched to a mail ticketd sent)"); err != nil {
			return Result{}, err
		}
		return Result{Ticket: t.ID, Outcome: OutcomeAppended}, a.save(&t)
	}
	t, err := getTicket(a.tx, ticket)
	if err != nil {
		return Result{}, err
	}
	if err := a.recordInbound(&t, m, "bounce"); err != nil {
		return Result{}, err
	}
	var report []string
	for _, r := range m.Bounce.Recipients {
		detail := strings.TrimSpace(fmt.Sprintf("bounce: %s %s %s", r.Action, r.Status, r.Diagnostic))
		err := addEvent(a.tx, Event{Ticket: t.ID, Time: a.now, Kind: EventDeliveryFailed, Actor: NormalizeEmail(m.From.Email),
			MessageID: orig, Recipients: []string{r.Email}, Detail: detail})
		if err != nil {
			return Result{}, err
		}
		if !r.Permanent() {
			continue
		}
		report = append(report, strings.TrimSpace(fmt.Sprintf("%s: %s %s", r.Email, r.Status, r.Diagnostic)))
		if err := markUndeliverable(a.tx, r.Email, Undeliverable{Since: a.now, Ticket: t.ID, MessageID: orig,
			Reason: strings.TrimSpace(r.Status + " " + r.Diagnostic)}); err != nil {
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
	// Tell the agents, except about the failure of such a notice itself:
	// a bouncing agent address must not start a loop.
	kind, err := sentKind(a.tx, t.ID, orig)
	if err != nil {
		return Result{}, err
	}
	if len(report) > 0 && kind != "agent_bounce" {
		if err := a.notifyAgentsText(&t, "agent_bounce", strings.Join(report, "\n")); err != nil {
			return Result{}, err
		}
	}
	return Result{Ticket: t.ID, Outcome: OutcomeAppended}, a.save(&t)
}

// notifyAgentsText sends text about t to its assignee, or its tier's
// agents, threaded under the agents' view of the ticket.
func (a *applier) notifyAgentsText(t *Ticket, kind, text string) error {
	var to []Address
	if t.Assignee != "" {
		to = []Address{{Email: t.Assignee}}
	} else {
		for _, e := range a.tier(t).Agents {
			to = append(to, Address{Email: e})
		}
	}
	th := thread{inReplyTo: t.AgentThreadID}
	if t.AgentThreadID != "" {
		th.references = []string{t.AgentThreadID}
	}
	desk := a.s.opts.Desk
	return a.queue(t, outgoing{kind: kind, to: to, thread: th, auto: "auto-generated", text: text, author: &desk})
}

// sentKind returns the template name of the mail ticketd sent with
// Message-ID id on ticket, from its outbound event; "" when not found.
func sentKind(tx *bolt.Tx, ticket uint64, id string) (string, error) {
	e, _, err := outboundEvent(tx, ticket, id)
	return e.Detail, err
}

// Undeliverable records why an address is not written to any more.
type Undeliverable struct {
	Email     string    `json:"email"`
	Since     time.Time `json:"since"`
	Ticket    uint64    `json:"ticket"`     // the ticket whose mail bounced
	MessageID string    `json:"message_id"` // the mail that bounced
	Reason    string    `json:"reason"`     // status and diagnostic of the bounce
}

func markUndeliverable(tx *bolt.Tx, email string, u Undeliverable) error {
	u.Email = NormalizeEmail(email)
	if u.Email == "" {
		return nil
	}
	return putJSON(tx.Bucket(bucketUndeliverable), []byte(u.Email), u)
}

func isUndeliverable(tx *bolt.Tx, email string) bool {
	return tx.Bucket(bucketUndeliverable).Get([]byte(NormalizeEmail(email))) != nil
}

// clearUndeliverable makes email deliverable again: it wrote to the desk.
func clearUndeliverable(tx *bolt.Tx, email string) error {
	return tx.Bucket(bucketUndeliverable).Delete([]byte(NormalizeEmail(email)))
}

// Undeliverables returns the addresses the desk does not write to, in
// address order.
func (s *Store) Undeliverables() ([]Undeliverable, error) {
	return all[Undeliverable](s.db, bucketUndeliverable)
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
		Detail: o.kind + " not sent: every recipient is undeliverable after a bounce"})
}

// nobodyToTell records on t that mail o had no recipient at all: nothing
// failed, there was simply no one to write to (an internal note by the
// only agent concerned, say).
func (a *applier) nobodyToTell(t *Ticket, o outgoing) error {
	why := o.kind + " not sent: nobody to send it to"
	if o.kind == "agent_note" {
		why = "agent_note not sent: no other agent to tell (assignee, else the tier's agents, without the author); the note is kept on the ticket"
	}
	return addEvent(a.tx, Event{Ticket: t.ID, Time: a.now, Kind: EventNotSent, Detail: why})
}
