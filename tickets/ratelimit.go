package tickets

import (
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/ticketd/ticketd/templates"
)

// AckLimit bounds the acknowledgements sent to any one address: at most
// Max in any Window. It is what stops two auto-responders (ticketd and
// one that ignores Auto-Submitted) from mailing each other for ever:
// each of its new mails opens a ticket, but only Max of them are
// acknowledged per Window.
type AckLimit struct {
	Max    int
	Window time.Duration
}

// DefaultAckLimit applies when Options.AckLimit is zero.
var DefaultAckLimit = AckLimit{Max: 5, Window: time.Hour}

func (l AckLimit) orDefault() AckLimit {
	if l.Max <= 0 || l.Window <= 0 {
		return DefaultAckLimit
	}
	return l
}

// rate is one sliding-window cap: at most max events per window for each
// key (an address, a ticket). Acknowledgements and the caps of Limits all
// count through takeRate.
type rate struct {
	// name tells the caps apart in the acks bucket; "" is the
	// acknowledgements, whose keys are bare addresses (the bucket's
	// layout before the other caps joined it).
	name   string
	max    int
	window time.Duration
}

// ackRate is the acknowledgement cap of l.
func ackRate(l AckLimit) rate { return rate{max: l.Max, window: l.Window} }

// takeRate reports whether key may have one more event of r at now and,
// if so, counts it. The acks bucket keeps, per rate and key, the times of
// the events within the window (at most max).
func takeRate(tx *bolt.Tx, r rate, key string, now time.Time) (bool, error) {
	times, err := getRate(tx, r.name, key)
	if err != nil {
		return false, err
	}
	kept := times[:0]
	for _, t := range times {
		if now.Sub(t) < r.window && !t.After(now) {
			kept = append(kept, t)
		}
	}
	if len(kept) >= r.max {
		return false, putRate(tx, r.name, key, kept)
	}
	return true, putRate(tx, r.name, key, append(kept, now))
}

// imported reports whether m is older than the import cut-off: its
// effects are recorded, but no mail at all is sent for it.
func (s *Service) imported(m *Inbound) bool {
	if s.opts.ImportAll {
		return true
	}
	cut := s.opts.ImportBefore
	return !cut.IsZero() && !m.Date.IsZero() && m.Date.Before(cut)
}

// ackDecision says whether create acknowledges the mail that opened t,
// and if not why.
func (a *applier) ackDecision(t *Ticket) (bool, string, error) {
	ok, err := takeRate(a.tx, ackRate(a.s.opts.AckLimit.orDefault()), NormalizeEmail(t.Requester.Email), a.now)
	if err != nil || ok {
		return ok, "", err
	}
	a.s.opts.OnLimit(LimitAcks)
	l := a.s.opts.AckLimit.orDefault()
	return false, fmt.Sprintf("acknowledgement suppressed: %d already sent to %s within %s", l.Max, t.Requester.Email, l.Window), nil
}

// acknowledge queues the acknowledgement of the mail that opened t,
// unless the mail is imported or the requester had their share; either
// is recorded on the ticket.
func (a *applier) acknowledge(t *Ticket, m *Inbound, suggested []Article) error {
	if a.silent {
		detail := "imported: older than the cut-off " + a.s.opts.ImportBefore.Format(time.RFC3339) + ", no mail sent"
		if a.s.opts.ImportAll {
			detail = "imported (ticketd once --import): no mail sent"
		}
		return addEvent(a.tx, Event{Ticket: t.ID, Time: a.now, Kind: EventStatus, Detail: detail})
	}
	ok, why, err := a.ackDecision(t)
	if err != nil {
		return err
	}
	if !ok {
		return addEvent(a.tx, Event{Ticket: t.ID, Time: a.now, Kind: EventStatus, Detail: why})
	}
	return a.queue(t, outgoing{kind: templates.Ack, to: []Address{t.Requester}, thread: a.publicThread(t), auto: AutoReplied, text: customerText(m), articles: suggested})
}
