// The SLA due index (sla_due) and the schema-1 backfill marker, read and
// written inside the caller's transaction. sla.go holds the rules.

package tickets

import (
	"bytes"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"
)

// dueTickets returns the keys of up to limit tickets filed in the SLA due
// index at or before now, earliest first.
func dueTickets(tx *bolt.Tx, now time.Time, limit int) ([][]byte, error) {
	var out [][]byte
	end := dueKey(now, ^uint64(0))
	c := tx.Bucket(bucketSLADue).Cursor()
	for k, _ := c.First(); k != nil && len(out) < limit && bytes.Compare(k, end) <= 0; k, _ = c.Next() {
		if len(k) != 16 {
			return nil, fmt.Errorf("sla due index: bad key %x", k)
		}
		out = append(out, bytes.Clone(k)) // the key is deleted while we hold it
	}
	return out, nil
}

// dropDue removes one entry (a key dueTickets returned) from the SLA due index.
func dropDue(tx *bolt.Tx, key []byte) error {
	return tx.Bucket(bucketSLADue).Delete(key)
}

// refileDue moves ticket's entry in the SLA due index from old to next
// (either zero: no entry).
func refileDue(tx *bolt.Tx, ticket uint64, old, next time.Time) error {
	b := tx.Bucket(bucketSLADue)
	if !old.IsZero() {
		if err := b.Delete(dueKey(old, ticket)); err != nil {
			return err
		}
	}
	if !next.IsZero() {
		return b.Put(dueKey(next, ticket), nil)
	}
	return nil
}

// slaBackfillPending reports whether tickets from schema 1 still await
// their SLA clocks (store_migrate.go sets the marker).
func slaBackfillPending(tx *bolt.Tx) bool {
	return tx.Bucket(bucketMeta).Get(keySLABackfill) != nil
}

// slaBackfillDone clears the marker slaBackfillPending reads.
func slaBackfillDone(tx *bolt.Tx) error {
	return tx.Bucket(bucketMeta).Delete(keySLABackfill)
}
