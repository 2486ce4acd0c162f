package tickets

import (
	"errors"
	"fmt"
	"slices"
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
	err := s.updateOutbox(func(tx *bolt.Tx) error {
		done = done[:0] // bbolt may retry the function
		return settleEach(tx, s.untried, ds, all, &done)
	})
	if err != nil {
		return nil, fmt.Errorf("mark %d mails delivered: %w", len(ds), err)
	}
	return done, nil
}

// settleEach applies ds in tx, adding to done (when not nil) the ids of
// the mails that left the outbox. A mail no longer there is skipped.
func settleEach(tx *bolt.Tx, c *untriedCount, ds []Delivery, all bool, done *[]uint64) error {
	for _, d := range ds {
		complete, err := settle(tx, c, d, all)
		if errors.Is(err, ErrNotFound) {
			continue
		}
		if err != nil {
			return err
		}
		if complete && done != nil {
			*done = append(*done, d.ID)
		}
	}
	return nil
}

// settle applies d in tx and reports whether its mail left the outbox.
// With all, every pending recipient not in d.Rejected counts as accepted.
// Recipients already settled are skipped, so applying d twice (a replayed
// delivery log) records nothing twice.
func settle(tx *bolt.Tx, c *untriedCount, d Delivery, all bool) (bool, error) {
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
	settled := make(map[string]bool, len(m.Done)+len(d.Rejected))
	for _, r := range m.Done {
		settled[r] = true
	}
	var rejected []Rejection
	for _, r := range d.Rejected {
		if !settled[r.Rcpt] {
			settled[r.Rcpt] = true
			rejected = append(rejected, r)
		}
	}
	var accepted []string
	if all {
		for _, rcpt := range m.Pending() {
			if !settled[rcpt] {
				accepted = append(accepted, rcpt)
			}
		}
	} else {
		for _, rcpt := range d.Accepted {
			if !settled[rcpt] {
				settled[rcpt] = true
				accepted = append(accepted, rcpt)
			}
		}
	}
	if len(accepted)+len(rejected) > 0 {
		m.Done = append(append(slices.Clip(m.Done), accepted...), rcpts(rejected)...)
	}
	complete := len(m.Pending()) == 0
	if complete {
		if err := deleteOutbox(tx, c, &m); err != nil {
			return false, err
		}
	} else if len(accepted)+len(rejected) == 0 {
		return false, nil // nothing new: a replayed delivery
	} else if err := rewriteQueued(tx, &m); err != nil {
		return false, err
	}
	if m.Ticket == 0 {
		return complete, nil // a digest or a status reply: no ticket to record it on
	}
	for _, r := range rejected {
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

func rcpts(rs []Rejection) []string {
	out := make([]string, len(rs))
	for i, r := range rs {
		out[i] = r.Rcpt
	}
	return out
}
