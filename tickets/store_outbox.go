// The outbox's storage (buckets outbox, outbox_due, failed): listing,
// the due index, and recording each delivery's outcome.

package tickets

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"
)

// getQueued returns mail id from the outbox (ErrNotFound when it is not there).
func getQueued(tx *bolt.Tx, id uint64) (Mail, error) {
	return getMail(tx, bucketOutbox, id)
}

// takeQueued removes mail id from the outbox (and its due index) and
// returns it, to be stored again or given up on.
func takeQueued(tx *bolt.Tx, c *untriedCount, id uint64) (Mail, error) {
	m, err := getQueued(tx, id)
	if err != nil {
		return m, err
	}
	return m, deleteOutbox(tx, c, &m)
}

// takeFailed removes mail id from the failed bucket and returns it.
func takeFailed(tx *bolt.Tx, id uint64) (Mail, error) {
	m, err := getMail(tx, bucketFailed, id)
	if err != nil {
		return m, err
	}
	return m, tx.Bucket(bucketFailed).Delete(u64(id))
}

// queuedAt reports whether the outbox's due index files mail id at next:
// a copy of the mail with that NextAttempt is the stored one.
func queuedAt(tx *bolt.Tx, id uint64, next time.Time) bool {
	return tx.Bucket(bucketOutboxDue).Get(dueKey(next, id)) != nil
}

// rewriteQueued stores m over its outbox copy; its NextAttempt (and so its
// due index entry) must not have changed.
func rewriteQueued(tx *bolt.Tx, m *Mail) error {
	return tx.Bucket(bucketOutbox).Put(u64(m.ID), encodeMail(m))
}

// Outbox returns the mails waiting for delivery, in queue order.
func (s *Store) Outbox() ([]Mail, error) {
	if err := s.applyLogged(); err != nil {
		return nil, err
	}
	return all(s.db, bucketOutbox, decodeMail)
}

// FailedMail returns the mails given up on, in queue order.
func (s *Store) FailedMail() ([]Mail, error) {
	if err := s.applyLogged(); err != nil {
		return nil, err
	}
	return all(s.db, bucketFailed, decodeMail)
}

// all decodes every value of bucket, in key order.
func all[T any](db *bolt.DB, bucket []byte, decode func([]byte, *T) error) ([]T, error) {
	var out []T
	err := db.View(func(tx *bolt.Tx) error {
		return tx.Bucket(bucket).ForEach(func(k, v []byte) error {
			var item T
			if err := decode(v, &item); err != nil {
				return fmt.Errorf("%s %x: %w", bucket, k, err)
			}
			out = append(out, item)
			return nil
		})
	})
	return out, err
}

// fromJSON decodes a value stored as JSON, for all.
func fromJSON[T any](data []byte, v *T) error { return json.Unmarshal(data, v) }

// DueMail returns up to limit outbox mails whose next attempt is due at now,
// earliest first. It reads the due index, so its cost follows the mails
// due, not the size of the outbox.
func (s *Store) DueMail(now time.Time, limit int) ([]Mail, error) {
	if err := s.applyLogged(); err != nil {
		return nil, err
	}
	var out []Mail
	err := s.view(func(tx *bolt.Tx) error {
		c := tx.Bucket(bucketOutboxDue).Cursor()
		end := dueKey(now, ^uint64(0))
		for k, _ := c.First(); k != nil && len(out) < limit && bytes.Compare(k, end) <= 0; k, _ = c.Next() {
			m, err := getMail(tx, bucketOutbox, binary.BigEndian.Uint64(k[8:]))
			if err != nil {
				return fmt.Errorf("outbox due index: %w", err)
			}
			out = append(out, m)
		}
		return nil
	})
	return out, err
}

// NextMailDue returns the earliest next attempt in the outbox; false when
// the outbox is empty.
func (s *Store) NextMailDue() (time.Time, bool, error) {
	if err := s.applyLogged(); err != nil {
		return time.Time{}, false, err
	}
	var next time.Time
	found := false
	err := s.view(func(tx *bolt.Tx) error {
		if k, _ := tx.Bucket(bucketOutboxDue).Cursor().First(); k != nil {
			next, found = time.Unix(0, int64(binary.BigEndian.Uint64(k[:8]))), true
		}
		return nil
	})
	return next, found, err
}

// dueKey is the due index key of a mail: when, then which.
func dueKey(at time.Time, id uint64) []byte {
	return append(u64(uint64(max(at.UnixNano(), 0))), u64(id)...)
}

// putOutbox writes m to the outbox and its due index, and notes it in c
// (store_outbox_count.go).
func putOutbox(tx *bolt.Tx, c *untriedCount, m *Mail) error {
	c.note(tx, m, 1)
	if err := tx.Bucket(bucketOutbox).Put(u64(m.ID), encodeMail(m)); err != nil {
		return err
	}
	// An empty value, not nil: bbolt's Get (queuedAt) reports a nil value
	// put in the same transaction as absent.
	return tx.Bucket(bucketOutboxDue).Put(dueKey(m.NextAttempt, m.ID), []byte{})
}

// deleteOutbox removes m (as stored) from the outbox and its due index,
// and notes it in c.
func deleteOutbox(tx *bolt.Tx, c *untriedCount, m *Mail) error {
	c.note(tx, m, -1)
	if err := tx.Bucket(bucketOutboxDue).Delete(dueKey(m.NextAttempt, m.ID)); err != nil {
		return err
	}
	return tx.Bucket(bucketOutbox).Delete(u64(m.ID))
}

// MarkDelivered removes mail id from the outbox and records the delivery on
// its ticket, together with the recipients the SMTP server refused while
// it accepted the others (one transaction: a crash never resends it).
func (s *Store) MarkDelivered(id uint64, now time.Time, rejected []Rejection) error {
	return s.updateOutbox(func(tx *bolt.Tx) error {
		_, err := settle(tx, s.untried, Delivery{ID: id, Time: now, Rejected: rejected}, true)
		return err
	})
}

// MarkRetry records a temporary failure of mail id: one more attempt, the
// next one at next.
func (s *Store) MarkRetry(id uint64, next time.Time, errText string) error {
	return s.updateOutbox(func(tx *bolt.Tx) error {
		m, err := takeQueued(tx, s.untried, id)
		if err != nil {
			return err
		}
		m.Attempts++
		m.NextAttempt = next
		m.LastError = errText
		return putOutbox(tx, s.untried, &m)
	})
}

// MarkFailed gives up on mail id: it moves from the outbox to the failed
// bucket and the failure is recorded on its ticket.
func (s *Store) MarkFailed(id uint64, now time.Time, reason string) error {
	return s.updateOutbox(func(tx *bolt.Tx) error {
		m, err := takeQueued(tx, s.untried, id)
		if err != nil {
			return err
		}
		m.Attempts++
		m.LastError = reason
		if err := tx.Bucket(bucketFailed).Put(u64(id), encodeMail(&m)); err != nil {
			return err
		}
		if m.Ticket == 0 {
			return nil // a digest: kept in failed for the admin
		}
		return addEvent(tx, Event{Ticket: m.Ticket, Time: now, Kind: EventDeliveryFailed,
			MessageID: m.MessageID, Outbox: id, Recipients: m.Pending(), Detail: reason})
	})
}
