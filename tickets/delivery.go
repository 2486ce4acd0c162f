package tickets

import (
	"errors"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"
)

// Delivery is what one SMTP transaction of an outbox mail achieved, for
// MarkSent (and MarkDeliveredBatch).
type Delivery struct {
	ID   uint64
	Time time.Time
	// Accepted are the recipients the server took the mail for in this
	// transaction (MarkSent; MarkDeliveredBatch takes every pending
	// recipient not in Rejected instead).
	Accepted []string
	// Rejected are recipients refused for good: by the server (5xx) or
	// as an address that cannot go into an SMTP envelope.
	Rejected []Rejection
	// Mail, when not nil, is the mail as the sender holds it (DueMail's
	// copy with Done kept up to date): it spares decoding the stored mail
	// again when the due index shows the stored one is that mail.
	Mail *Mail
}

// MarkSent records, in ONE transaction (one fsync), the SMTP
// transactions the server accepted, one Delivery each: their recipients
// are settled (Mail.Done) and the delivery and refusals recorded on the
// ticket; a mail leaves the outbox once no recipient is pending. It
// returns the ids of the mails that left. A mail no longer in the outbox
// is skipped: the delivery happened. The sender calls it after each
// accepted transaction, before the next one is accepted, so a crash
// re-sends at most one mail per SMTP connection.
func (s *Store) MarkSent(ds []Delivery) ([]uint64, error) {
	return s.settleAll(ds, false)
}

func (s *Store) settleAll(ds []Delivery, all bool) ([]uint64, error) {
	if len(ds) == 0 {
		return nil, nil
	}
	var done []uint64
	err := s.db.Update(func(tx *bolt.Tx) error {
		done = done[:0] // bbolt may retry the function
		for _, d := range ds {
			complete, err := settle(tx, d, all)
			if errors.Is(err, ErrNotFound) {
				continue
			}
			if err != nil {
				return err
			}
			if complete {
				done = append(done, d.ID)
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("mark %d mails delivered: %w", len(ds), err)
	}
	return done, nil
}

// settle applies d in tx and reports whether its mail left the outbox.
// With all, every pending recipient not in d.Rejected counts as accepted.
func settle(tx *bolt.Tx, d Delivery, all bool) (bool, error) {
	var m Mail
	if k := d.Mail; k != nil && k.ID == d.ID && queuedAt(tx, d.ID, k.NextAttempt) {
		// Only NextAttempt, Attempts, LastError and Done ever change, and
		// the sender keeps Done as recorded: the copy is the stored mail.
		m = *k
	} else {
		var err error
		if m, err = getQueued(tx, d.ID); err != nil {
			return false, err
		}
	}
	refused := make(map[string]bool, len(d.Rejected))
	for _, r := range d.Rejected {
		refused[r.Rcpt] = true
	}
	accepted := d.Accepted
	if all {
		accepted = nil
		for _, rcpt := range m.Pending() {
			if !refused[rcpt] {
				accepted = append(accepted, rcpt)
			}
		}
	}
	m.Done = append(append([]string(nil), m.Done...), accepted...)
	for r := range refused {
		m.Done = append(m.Done, r)
	}
	complete := len(m.Pending()) == 0
	if complete {
		if err := deleteOutbox(tx, &m); err != nil {
			return false, err
		}
	} else if err := rewriteQueued(tx, &m); err != nil {
		return false, err
	}
	if m.Ticket == 0 {
		return complete, nil // a digest or a status reply: no ticket to record it on
	}
	for _, r := range d.Rejected {
		err := addEvent(tx, Event{Ticket: m.Ticket, Time: d.Time, Kind: EventDeliveryFailed,
			MessageID: m.MessageID, Outbox: d.ID, Recipients: []string{r.Rcpt}, Detail: r.Reason})
		if err != nil {
			return false, err
		}
	}
	if len(accepted) == 0 {
		return complete, nil
	}
	return complete, addEvent(tx, Event{Ticket: m.Ticket, Time: d.Time, Kind: EventDelivered,
		MessageID: m.MessageID, Outbox: d.ID, Recipients: accepted})
}
