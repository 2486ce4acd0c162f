package tickets

import (
	"errors"
	"fmt"
	"runtime"
	"sync"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/ticketd/ticketd/tiers"
)

// Count is how many tickets of one queue and one type have one status at
// one tier.
type Count struct {
	Queue  string     `json:"queue,omitempty"` // Ticket.Queue: "" the default queue
	Status Status     `json:"status"`
	Tier   int        `json:"tier"`
	Type   tiers.Type `json:"type,omitempty"`
	N      int        `json:"n"`
}

// Stats summarises the database for admins and metrics.
type Stats struct {
	Schema       int       `json:"schema"`
	Tickets      int       `json:"tickets"`
	Counts       []Count   `json:"counts"` // by status, then tier, then type
	Outbox       int       `json:"outbox"` // waiting for delivery
	OldestQueued time.Time `json:"oldest_queued,omitzero"`
	Failed       int       `json:"failed"` // given up on
	Events       int       `json:"events"`
	MessageIDs   int       `json:"message_ids"`
	Bytes        int64     `json:"bytes"` // size of the database
	// ByType and ByCategory break the tickets down by type and by
	// category (types.go: stats_types.go).
	ByType     []TypeStats     `json:"by_type,omitempty"`
	ByCategory []CategoryStats `json:"by_category,omitempty"`
	// byQueueType is ByType per queue, for DefaultTypes.
	byQueueType map[queueType]*TypeStats
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
	// Queue, when set, keeps the tickets whose Ticket.Queue is *Queue (""
	// the default queue); nil keeps every queue.
	Queue *string
	// Type and Category select by ticket type and category (Category
	// "none": tickets without one; names compare without case). A ticket
	// without a type counts as DefaultType ("": incident).
	Type        tiers.Type
	Category    string
	DefaultType tiers.Type
	// Limit keeps only the newest Limit matching tickets; 0 means all.
	Limit int
}

// listKey is what a Filter looks at in a ticket.
type listKey struct {
	status   Status
	tier     int
	queue    string
	typ      tiers.Type
	category string
}

func (f Filter) match(k listKey) bool {
	if k.typ == "" {
		k.typ = (&Intake{DefaultType: f.DefaultType}).Default()
	}
	return (f.Status == "" || k.status == f.Status) && (f.Tier == 0 || k.tier == f.Tier) && (f.Queue == nil || k.queue == *f.Queue) &&
		(f.Type == "" || k.typ == f.Type) &&
		(f.Category == "" || tiers.Fold(k.category) == tiers.Fold(f.Category) || (k.category == "" && noCategoryWords[tiers.Fold(f.Category)]))
}

// Summary is what a listing shows of a ticket: decoding only these fields
// makes listing a large database cheaper than reading whole tickets.
type Summary struct {
	ID        uint64     `json:"id"`
	Subject   string     `json:"subject"`
	Status    Status     `json:"status"`
	Tier      int        `json:"tier"`
	Queue     string     `json:"queue,omitempty"`
	Requester Address    `json:"requester"`
	Assignee  string     `json:"assignee,omitempty"`
	Updated   time.Time  `json:"updated"`
	Type      tiers.Type `json:"type,omitempty"`
	Category  string     `json:"category,omitempty"`
	// CloseReason: closed as spam, say (spam.go).
	CloseReason CloseReason `json:"close_reason,omitempty"`
}

// List returns the tickets matching f, in number order. With a Limit it
// reads from the newest ticket back and stops once it has enough, so its
// cost follows the limit, not the database; without one it decodes on
// every core.
func (s *Store) List(f Filter) ([]Ticket, error) {
	return list(s, f, decodeTicket, func(t *Ticket) listKey { return listKey{t.Status, t.Tier, t.Queue, t.Type, t.Category} })
}

// Summaries is List for the fields of Summary only.
func (s *Store) Summaries(f Filter) ([]Summary, error) {
	return list(s, f, decodeSummary, func(t *Summary) listKey { return listKey{t.Status, t.Tier, t.Queue, t.Type, t.Category} })
}

// decodeParallel decodes raw[i] into out[i] with decode, splitting the
// work over GOMAXPROCS goroutines.
func decodeParallel[T any](raw [][]byte, out []T, decode func([]byte, *T) error) error {
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
				if err := decode(raw[i], &out[i]); err != nil {
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
	return s.view(func(*bolt.Tx) error { return nil })
}
