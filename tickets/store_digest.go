// The digest's own index (digest_log), and its reading of the report
// aggregates' open tickets by hour, inside the caller's transaction.
// digest_lists.go holds the rules.

package tickets

import (
	"encoding/binary"
	"errors"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"
)

var bucketDigestLog = []byte("digest_log")

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

// firstCreatedFrom returns the number of the first ticket, numbered from
// from on, created at or after at; every ticket before from must have
// been created before at. Ticket numbers grow with creation time, so a
// search over the numbers finds it reading a few tickets (their creation
// only, with the store's codec, which skips the rest faster than
// encoding/json). The search gallops up from from (1, 2, 4, ... tickets
// on) before it halves: the hours asked for are those of the oldest open
// tickets, which lie near the first tickets or just after the hour before,
// so its probes stay in a few pages there instead of reading pages all
// over the file, each first read a page fault (at 1,000,000 tickets, ~20
// leaves per search).
func firstCreatedFrom(tx *bolt.Tx, from uint64, at time.Time) (uint64, error) {
	c := tx.Bucket(bucketTickets).Cursor()
	lk, _ := c.Last()
	if lk == nil {
		return 1, nil
	}
	// older reports whether the first ticket numbered from n on was
	// created before at, and its number; none is not older.
	older := func(n uint64) (uint64, bool, error) {
		k, v := c.Seek(u64(n))
		if k == nil {
			return 0, false, nil
		}
		_, created, err := ticketStatus(v)
		if err != nil {
			return 0, false, fmt.Errorf("ticket %x: %w", k, err)
		}
		return u64From(k), created.Before(at), nil
	}
	lo, hi := max(from, 1), u64From(lk)+1 // the answer is in [lo, hi]
	for step := uint64(1); lo < hi; step *= 2 {
		probe := min(lo+step-1, hi-1)
		k, before, err := older(probe)
		if err != nil {
			return 0, err
		}
		if !before {
			hi = probe
			break
		}
		lo = k + 1
	}
	for lo < hi {
		mid := lo + (hi-lo)/2
		k, before, err := older(mid)
		if err != nil {
			return 0, err
		}
		if before {
			lo = k + 1
		} else {
			hi = mid
		}
	}
	return lo, nil
}

// forTicketsFrom calls f with the stored form of each ticket numbered from
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
