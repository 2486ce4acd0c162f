package tickets

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"runtime"
	"slices"
	"sync"
	"time"

	bolt "go.etcd.io/bbolt"
)

// Count is how many tickets have one status at one tier.
type Count struct {
	Status Status `json:"status"`
	Tier   int    `json:"tier"`
	N      int    `json:"n"`
}

// Stats summarises the database for admins and metrics.
type Stats struct {
	Schema       int       `json:"schema"`
	Tickets      int       `json:"tickets"`
	Counts       []Count   `json:"counts"` // by status, then tier
	Outbox       int       `json:"outbox"` // waiting for delivery
	OldestQueued time.Time `json:"oldest_queued,omitzero"`
	Failed       int       `json:"failed"` // given up on
	Events       int       `json:"events"`
	MessageIDs   int       `json:"message_ids"`
	Bytes        int64     `json:"bytes"` // size of the database
}

// Stats reads the summary in one read transaction.
func (s *Store) Stats() (Stats, error) {
	var st Stats
	err := s.db.View(func(tx *bolt.Tx) error {
		st.Bytes = tx.Size()
		if v := tx.Bucket(bucketMeta).Get(keySchema); len(v) == 8 {
			st.Schema = int(binary.BigEndian.Uint64(v))
		}
		type key struct {
			status Status
			tier   int
		}
		counts := map[key]int{}
		// Only the two fields are wanted; decoding into a small struct
		// skips building the rest of each ticket.
		var t struct {
			Status Status `json:"status"`
			Tier   int    `json:"tier"`
		}
		err := tx.Bucket(bucketTickets).ForEach(func(k, v []byte) error {
			t.Status, t.Tier = "", 0
			if err := json.Unmarshal(v, &t); err != nil {
				return fmt.Errorf("ticket %x: %w", k, err)
			}
			counts[key{t.Status, t.Tier}]++
			st.Tickets++
			return nil
		})
		if err != nil {
			return err
		}
		for k, n := range counts {
			st.Counts = append(st.Counts, Count{Status: k.status, Tier: k.tier, N: n})
		}
		slices.SortFunc(st.Counts, func(a, b Count) int {
			if c := statusRank(a.Status) - statusRank(b.Status); c != 0 {
				return c
			}
			return a.Tier - b.Tier
		})
		st.Outbox = tx.Bucket(bucketOutbox).Stats().KeyN
		st.Failed = tx.Bucket(bucketFailed).Stats().KeyN
		st.Events = tx.Bucket(bucketEvents).Stats().KeyN
		st.MessageIDs = tx.Bucket(bucketMsgIDs).Stats().KeyN
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
	})
	if err != nil {
		return Stats{}, fmt.Errorf("stats: %w", err)
	}
	return st, nil
}

// statusRank orders statuses along the lifecycle; unknown ones last.
func statusRank(s Status) int {
	switch s {
	case StatusNew:
		return 0
	case StatusOpen:
		return 1
	case StatusPending:
		return 2
	case StatusResolved:
		return 3
	case StatusClosed:
		return 4
	}
	return 5
}

// Filter selects tickets for List; zero fields match everything.
type Filter struct {
	Status Status
	Tier   int
	// Limit keeps only the newest Limit matching tickets; 0 means all.
	Limit int
}

func (f Filter) match(status Status, tier int) bool {
	return (f.Status == "" || status == f.Status) && (f.Tier == 0 || tier == f.Tier)
}

// Summary is what a listing shows of a ticket: decoding only these fields
// makes listing a large database cheaper than reading whole tickets.
type Summary struct {
	ID        uint64    `json:"id"`
	Subject   string    `json:"subject"`
	Status    Status    `json:"status"`
	Tier      int       `json:"tier"`
	Requester Address   `json:"requester"`
	Assignee  string    `json:"assignee,omitempty"`
	Updated   time.Time `json:"updated"`
}

// List returns the tickets matching f, in number order. With a Limit it
// reads from the newest ticket back and stops once it has enough, so its
// cost follows the limit, not the database; without one it decodes on
// every core.
func (s *Store) List(f Filter) ([]Ticket, error) {
	return list(s, f, func(t *Ticket) (Status, int) { return t.Status, t.Tier })
}

// Summaries is List for the fields of Summary only.
func (s *Store) Summaries(f Filter) ([]Summary, error) {
	return list(s, f, func(t *Summary) (Status, int) { return t.Status, t.Tier })
}

func list[T any](s *Store, f Filter, key func(*T) (Status, int)) ([]T, error) {
	match := func(t *T) bool { return f.match(key(t)) }
	var out []T
	err := s.db.View(func(tx *bolt.Tx) error {
		c := tx.Bucket(bucketTickets).Cursor()
		if f.Limit > 0 {
			for k, v := c.Last(); k != nil && len(out) < f.Limit; k, v = c.Prev() {
				var t T
				if err := json.Unmarshal(v, &t); err != nil {
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
		if err := decodeParallel(raw, all); err != nil {
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

// decodeParallel decodes raw[i] into out[i], splitting the work over
// GOMAXPROCS goroutines.
func decodeParallel[T any](raw [][]byte, out []T) error {
	workers := min(runtime.GOMAXPROCS(0), max(1, len(raw)/1000))
	errs := make([]error, workers)
	var wg sync.WaitGroup
	per := (len(raw) + workers - 1) / workers
	for w := range workers {
		lo, hi := w*per, min((w+1)*per, len(raw))
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := lo; i < hi; i++ {
				if err := json.Unmarshal(raw[i], &out[i]); err != nil {
					errs[w] = fmt.Errorf("ticket %d: %w", i+1, err)
					return
				}
			}
		}()
	}
	wg.Wait()
	return errors.Join(errs...)
}

// Ping reports whether the database is open and readable.
func (s *Store) Ping() error {
	return s.db.View(func(*bolt.Tx) error { return nil })
}
