// The digest's own index (digest_log) and the floor of its search for
// the oldest open tickets (meta "digest_open_floor"), read and written
// inside the caller's transaction. digest_lists.go holds the rules.

package tickets

import (
	"encoding/binary"
	"errors"
	"time"

	bolt "go.etcd.io/bbolt"
)

var (
	bucketDigestLog = []byte("digest_log")
	keyOpenFloor    = []byte("digest_open_floor")
)

// digestMark is what the digest log records of a ticket.
type digestMark byte

const (
	markEscalated digestMark = 'e' // climbed a tier
	markBreached  digestMark = 'b' // an SLA target was breached
)

// logForDigest records that ticket was escalated or breached at at, so
// the digest lists it without reading every ticket's events. The bucket
// is made by the first write: a store older than the log has none, and
// the digest then reads the events once (digestListsScan).
func logForDigest(tx *bolt.Tx, at time.Time, ticket uint64, m digestMark) error {
	b, err := tx.CreateBucketIfNotExists(bucketDigestLog)
	if err != nil {
		return err
	}
	return b.Put(digestLogKey(at, ticket, m), nil)
}

func digestLogKey(at time.Time, ticket uint64, m digestMark) []byte {
	k := make([]byte, 17)
	binary.BigEndian.PutUint64(k, uint64(at.UnixNano()))
	binary.BigEndian.PutUint64(k[8:], ticket)
	k[16] = byte(m)
	return k
}

// errNoDigestLog: the store has no digest log yet.
var errNoDigestLog = errors.New("no digest log")

// forDigestLog calls f with every entry logged in [from, to), oldest
// first; errNoDigestLog when the store has no log yet.
func forDigestLog(tx *bolt.Tx, from, to time.Time, f func(ticket uint64, m digestMark) error) error {
	b := tx.Bucket(bucketDigestLog)
	if b == nil {
		return errNoDigestLog
	}
	c := b.Cursor()
	end := uint64(to.UnixNano())
	for k, _ := c.Seek(digestLogKey(from, 0, 0)); k != nil && len(k) == 17 && binary.BigEndian.Uint64(k) < end; k, _ = c.Next() {
		if err := f(binary.BigEndian.Uint64(k[8:]), digestMark(k[16])); err != nil {
			return err
		}
	}
	return nil
}

// startDigestLog makes the (empty) log, so a store with nothing
// escalated yet stops falling back to reading the events.
func startDigestLog(tx *bolt.Tx) error {
	_, err := tx.CreateBucketIfNotExists(bucketDigestLog)
	return err
}

// pruneDigestLog drops the entries before t: no digest lists them again.
func pruneDigestLog(tx *bolt.Tx, before time.Time) error {
	b := tx.Bucket(bucketDigestLog)
	if b == nil {
		return nil
	}
	var old [][]byte
	end := uint64(before.UnixNano())
	c := b.Cursor()
	for k, _ := c.First(); k != nil && len(k) >= 8 && binary.BigEndian.Uint64(k) < end; k, _ = c.Next() {
		old = append(old, k) // deleted after the cursor is done with them
	}
	for _, k := range old {
		if err := b.Delete(k); err != nil {
			return err
		}
	}
	return nil
}

// openFloor is the lowest ticket number that may be open: every ticket
// below it was closed when the last digest looked (1 when none did).
func openFloor(tx *bolt.Tx) uint64 {
	if v := tx.Bucket(bucketMeta).Get(keyOpenFloor); len(v) == 8 {
		return max(binary.BigEndian.Uint64(v), 1)
	}
	return 1
}

// setOpenFloor records the floor a digest found.
func setOpenFloor(tx *bolt.Tx, id uint64) error {
	return tx.Bucket(bucketMeta).Put(keyOpenFloor, u64(id))
}

// lowerOpenFloor lets a closed ticket that opens again (#notspam) below
// the floor be found.
func lowerOpenFloor(tx *bolt.Tx, id uint64) error {
	if id >= openFloor(tx) {
		return nil
	}
	return setOpenFloor(tx, id)
}

// forTicketsFrom calls f with the raw JSON of each ticket numbered from
// id on, in number order, until f returns false or an error.
func forTicketsFrom(tx *bolt.Tx, id uint64, f func(id uint64, v []byte) (bool, error)) error {
	c := tx.Bucket(bucketTickets).Cursor()
	for k, v := c.Seek(u64(id)); k != nil; k, v = c.Next() {
		if more, err := f(u64From(k), v); err != nil || !more {
			return err
		}
	}
	return nil
}
