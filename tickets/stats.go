package tickets

import (
	"encoding/json"
	"errors"
	"fmt"
	"runtime"
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
	// CloseReason: closed as spam, say (spam.go).
	CloseReason CloseReason `json:"close_reason,omitempty"`
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
