package tickets

import (
	"errors"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"
)

// RetryMail makes mail id due at now: a mail waiting in the outbox is
// tried at once; a mail given up on goes back into the outbox with its
// attempts and age reset (its last error is kept until the next attempt).
// It returns the mail as queued again.
func (s *Store) RetryMail(id uint64, now time.Time) (Mail, error) {
	var out Mail
	err := s.updateOutbox(func(tx *bolt.Tx) error {
		m, err := takeQueued(tx, s.untried, id)
		switch {
		case err == nil:
		case errors.Is(err, ErrNotFound):
			if m, err = takeFailed(tx, id); err != nil {
				return err
			}
			m.Attempts = 0
			m.Queued = now
		default:
			return err
		}
		m.NextAttempt = now
		out = m
		return putOutbox(tx, s.untried, &m)
	})
	if err != nil {
		return Mail{}, fmt.Errorf("retry mail %d: %w", id, err)
	}
	return out, nil
}

// MarkDeliveredBatch records many deliveries in ONE transaction (one
// fsync), each as MarkDelivered would: every recipient still pending and
// not in Rejected got the mail. A mail no longer in the outbox is skipped
// rather than failing the others: the delivery happened.
func (s *Store) MarkDeliveredBatch(ds []Delivery) error {
	_, err := s.settleAll(ds, true)
	return err
}
