package tickets

import (
	"errors"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/ticketd/ticketd/templates"
)

// The digest's ticket lists: what escalated and what breached in the
// period, from the digest log (the tickets it names, not every ticket's
// events), and the oldest open tickets, from the hours the aggregates
// say they were opened in (not from ticket 1).

// digestListed is how many escalated or breached tickets a digest lists.
const digestListed = 25

// digestLists fills d's escalated, breached and oldest lists for the
// period [from, to), ages as at now.
func (s *Service) digestLists(tx *bolt.Tx, d *templates.Digest, from, to, now time.Time) error {
	var escalated, breached []uint64
	seen := map[digestMark]map[uint64]bool{markEscalated: {}, markBreached: {}}
	add := func(id uint64, m digestMark) error {
		if !seen[m][id] {
			seen[m][id] = true
			if m == markEscalated {
				escalated = append(escalated, id)
			} else {
				breached = append(breached, id)
			}
		}
		return nil
	}
	err := forDigestLog(tx, from, to, add)
	if errors.Is(err, errNoDigestLog) {
		err = digestListsScan(tx, from, to, add)
	}
	if err != nil {
		return fmt.Errorf("digest lists: %w", err)
	}
	// A bad week can escalate hundreds: the mail lists the first ones
	// and says how many more (its figures count them all).
	d.MoreEscalated, d.MoreBreached = max(len(escalated)-digestListed, 0), max(len(breached)-digestListed, 0)
	if d.EscalatedTickets, err = s.ticketLines(tx, escalated[:min(len(escalated), digestListed)], now); err != nil {
		return err
	}
	if d.BreachedTickets, err = s.ticketLines(tx, breached[:min(len(breached), digestListed)], now); err != nil {
		return err
	}
	oldest, err := oldestOpen(tx, digestOldest)
	if err != nil {
		return err
	}
	for i := range oldest {
		d.Oldest = append(d.Oldest, s.ticketLine(&oldest[i], now))
	}
	return nil
}

// ticketLines are the digest lines of tickets ids, in order; tickets
// closed as spam are not the desk's work and are left out.
func (s *Service) ticketLines(tx *bolt.Tx, ids []uint64, now time.Time) ([]templates.TicketLine, error) {
	var out []templates.TicketLine
	for _, id := range ids {
		t, err := getTicket(tx, id)
		if errors.Is(err, ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, err
		}
		if t.CloseReason != CloseSpam {
			out = append(out, s.ticketLine(&t, now))
		}
	}
	return out, nil
}

// digestListsScan finds the escalations and breaches of [from, to) in
// the events of the tickets that changed since from: the way a store
// from before the digest log is read, once (the digest that is sent
// starts the log).
func digestListsScan(tx *bolt.Tx, from, to time.Time, f func(uint64, digestMark) error) error {
	return forTickets(tx, func(t Ticket) error {
		if t.Updated.Before(from) {
			return nil
		}
		return forEvents(tx, t.ID, func(e Event) {
			if e.Time.Before(from) || !e.Time.Before(to) {
				return
			}
			switch {
			case e.Kind == EventEscalated && e.ToTier > e.FromTier:
				f(t.ID, markEscalated)
			case e.Kind == EventSLABreach:
				f(t.ID, markBreached)
			}
		})
	})
}

// oldestOpen returns the n oldest open tickets (new, open or pending).
// The aggregates say in which hours the tickets open now were opened:
// for the oldest of those hours it finds the hour's first ticket by
// binary search and reads the hour's tickets, so the cost is per hour
// and open ticket listed, not per ticket in the store. Without
// aggregates it reads the tickets from the first.
func oldestOpen(tx *bolt.Tx, n int) ([]Ticket, error) {
	var out []Ticket
	var err error
	next := uint64(1) // every ticket before it was opened before the hour
	ok, herr := openHours(tx, func(hour time.Time, count int64) bool {
		var id uint64
		if id, err = firstCreatedFrom(tx, next, hour); err != nil {
			return false
		}
		end := hour.Add(time.Hour)
		found := int64(0)
		err = forTicketsFrom(tx, id, func(id uint64, v []byte) (bool, error) {
			next = id
			t, open, err := openTicket(id, v)
			if err != nil || !t.Created.Before(end) {
				return false, err // the hour's tickets are read
			}
			if open {
				out = append(out, t)
				found++
			}
			return found < count && len(out) < n, nil
		})
		return err == nil && len(out) < n
	})
	if err == nil {
		err = herr
	}
	if err != nil {
		return nil, fmt.Errorf("oldest open tickets: %w", err)
	}
	if ok {
		return out, nil
	}
	err = forTicketsFrom(tx, 1, func(id uint64, v []byte) (bool, error) {
		t, open, err := openTicket(id, v)
		if err == nil && open {
			out = append(out, t)
		}
		return err == nil && len(out) < n, err
	})
	if err != nil {
		return nil, fmt.Errorf("oldest open tickets: %w", err)
	}
	return out, nil
}

// openTicket decodes ticket id when it is open; only its status and
// creation otherwise. With the store's codec (codec.go), not
// encoding/json: oldestOpen reads the tickets of whole hours.
func openTicket(id uint64, v []byte) (Ticket, bool, error) {
	status, created, err := ticketStatus(v)
	if err != nil {
		return Ticket{}, false, fmt.Errorf("ticket %d: %w", id, err)
	}
	if status != StatusNew && status != StatusOpen && status != StatusPending {
		return Ticket{Created: created}, false, nil
	}
	var t Ticket
	if err := decodeTicket(v, &t); err != nil {
		return Ticket{}, false, fmt.Errorf("ticket %d: %w", id, err)
	}
	return t, true, nil
}
