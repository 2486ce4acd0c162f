// The store side of stats.go: the summary and the ticket listing read
// their buckets here, in one read transaction each.

package tickets

import (
	"encoding/binary"
	"fmt"
	"slices"

	bolt "go.etcd.io/bbolt"
)

// Stats reads the summary in one read transaction.
func (s *Store) Stats() (Stats, error) {
	var st Stats
	err := s.view(func(tx *bolt.Tx) (err error) {
		st, err = stats(tx)
		return err
	})
	if err != nil {
		return Stats{}, fmt.Errorf("stats: %w", err)
	}
	return st, nil
}

// stats reads the summary inside tx.
func stats(tx *bolt.Tx) (Stats, error) {
	var st Stats
	err := func() error {
		st.Bytes = tx.Size()
		if v := tx.Bucket(bucketMeta).Get(keySchema); len(v) == 8 {
			st.Schema = int(binary.BigEndian.Uint64(v))
		}
		// The counters kept with every write (store_aggregate_state.go)
		// make this independent of the number of tickets.
		if ok, err := statsFromCounters(tx, &st); err != nil || ok {
			if err != nil {
				return err
			}
			return storeStats(tx, &st)
		}
		counts := map[listKey]int{}
		// Only a few fields are wanted; decoding into a small struct
		// skips building the rest of each ticket.
		var t ticketHead
		kinds := newKindStats()
		err := tx.Bucket(bucketTickets).ForEach(func(k, v []byte) error {
			t = ticketHead{}
			if err := decodeTicketHead(v, &t); err != nil {
				return fmt.Errorf("ticket %x: %w", k, err)
			}
			counts[listKey{status: t.Status, tier: t.Tier, queue: t.Queue, typ: t.Type}]++
			kinds.add(&t)
			st.Tickets++
			return nil
		})
		if err != nil {
			return err
		}
		st.byQueueType = kinds.byQueueType
		st.ByType, st.ByCategory = kinds.rows()
		for k, n := range counts {
			st.Counts = append(st.Counts, Count{Queue: k.queue, Status: k.status, Tier: k.tier, Type: k.typ, N: n})
		}
		sortCounts(st.Counts)
		st.Events = tx.Bucket(bucketEvents).Stats().KeyN
		st.MessageIDs = tx.Bucket(bucketMsgIDs).Stats().KeyN
		return storeStats(tx, &st)
	}()
	return st, err
}

// storeStats fills in the outbox figures: its buckets hold only the
// mails not yet delivered, so walking them stays cheap.
func storeStats(tx *bolt.Tx, st *Stats) error {
	st.Outbox = tx.Bucket(bucketOutbox).Stats().KeyN
	st.Failed = tx.Bucket(bucketFailed).Stats().KeyN
	// The queue time is in the mail itself; the oldest mail has the
	// lowest id (ids come from a sequence).
	if k, _ := tx.Bucket(bucketOutbox).Cursor().First(); k != nil {
		m, err := getMail(tx, bucketOutbox, binary.BigEndian.Uint64(k))
		if err != nil {
			return err
		}
		st.OldestQueued = m.Queued
	}
	return nil
}

// list reads the tickets matching f with decode, the codec's reading of
// a whole ticket or of what a listing shows.
func list[T any](s *Store, f Filter, decode func([]byte, *T) error, key func(*T) listKey) ([]T, error) {
	match := func(t *T) bool { return f.match(key(t)) }
	var out []T
	err := s.view(func(tx *bolt.Tx) error {
		c := tx.Bucket(bucketTickets).Cursor()
		if f.Limit > 0 {
			for k, v := c.Last(); k != nil && len(out) < f.Limit; k, v = c.Prev() {
				var t T
				if err := decode(v, &t); err != nil {
					return fmt.Errorf("ticket %x: %w", k, err)
				}
				if match(&t) {
					out = append(out, t)
				}
			}
			slices.Reverse(out)
			return nil
		}
		// Values point into the memory map: valid until the transaction
		// ends, and safe to read from several goroutines.
		var raw [][]byte
		for k, v := c.First(); k != nil; k, v = c.Next() {
			raw = append(raw, v)
		}
		all := make([]T, len(raw))
		if err := decodeParallel(raw, all, decode); err != nil {
			return err
		}
		out = all[:0] // filtered in place
		for i := range all {
			if match(&all[i]) {
				out = append(out, all[i])
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("list tickets: %w", err)
	}
	return out, nil
}
