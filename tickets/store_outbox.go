// Small outbox accessors (outbox, outbox_due, failed) for admin.go and
// delivery.go, inside the caller's transaction; the rest of the outbox's
// storage is in store.go.

package tickets

import (
	"time"

	bolt "go.etcd.io/bbolt"
)

// getQueued returns mail id from the outbox (ErrNotFound when it is not there).
func getQueued(tx *bolt.Tx, id uint64) (Mail, error) {
	return getMail(tx, bucketOutbox, id)
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
	return putJSON(tx.Bucket(bucketOutbox), u64(m.ID), m)
}
