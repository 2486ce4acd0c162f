package tickets

import (
	"encoding/json"
	"errors"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/ticketd/ticketd/templates"
)

// The digest's ticket lists: what escalated and what breached in the
// period, from the digest log (the tickets it names, not every ticket's
// events), and the oldest open tickets, from the open floor on (not
// from ticket 1).

// digestLists fills d's escalated, breached and oldest lists for the
// period [from, to), ages as at now. It returns the open floor it found,
// for the digest that is sent to record.
func (s *Service) digestLists(tx *bolt.Tx, d *templates.Digest, from, to, now time.Time) (uint64, error) {
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
		return 0, fmt.Errorf("digest lists: %w", err)
	}
	if d.EscalatedTickets, err = s.ticketLines(tx, escalated, now); err != nil {
		return 0, err
	}
	if d.BreachedTickets, err = s.ticketLines(tx, breached, now); err != nil {
		return 0, err
	}
	oldest, floor, err := oldestOpen(tx, digestOldest)
	if err != nil {
		return 0, err
	}
	for i := range oldest {
		d.Oldest = append(d.Oldest, s.ticketLine(&oldest[i], now))
	}
	return floor, nil
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

// oldestOpen returns the n oldest open tickets (new, open or pending;
// ticket numbers grow with time, so the lowest numbers), reading the
// tickets from the open floor on, and the new floor: the lowest ticket
// number that is not closed.
func oldestOpen(tx *bolt.Tx, n int) ([]Ticket, uint64, error) {
	var out []Ticket
	floor := uint64(0)
	var st struct {
		Status Status `json:"status"`
	}
	last := uint64(0)
	err := forTicketsFrom(tx, openFloor(tx), func(id uint64, v []byte) (bool, error) {
		last = id
		st.Status = ""
		if err := json.Unmarshal(v, &st); err != nil {
			return false, fmt.Errorf("ticket %d: %w", id, err)
		}
		if st.Status == StatusClosed {
			return true, nil
		}
		if floor == 0 {
			floor = id
		}
		if st.Status == StatusResolved {
			return true, nil
		}
		var t Ticket
		if err := json.Unmarshal(v, &t); err != nil {
			return false, fmt.Errorf("ticket %d: %w", id, err)
		}
		out = append(out, t)
		return len(out) < n, nil
	})
	if err != nil {
		return nil, 0, fmt.Errorf("oldest open tickets: %w", err)
	}
	if floor == 0 {
		floor = last + 1 // every ticket is closed
	}
	return out, floor, nil
}
