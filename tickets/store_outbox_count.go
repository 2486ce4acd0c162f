package tickets

import (
	"fmt"
	"sync"

	bolt "go.etcd.io/bbolt"
)

// untriedCount counts the outbox's untried mails — queued and never
// attempted (Attempts == 0) — for the flow control between ingest and
// delivery (cmd/ticketd): the ingest waits while delivery has more than
// a bound of them ahead of it. Mails in backoff have been attempted and
// are not counted, so an SMTP outage never holds the ingest back.
//
// It lives in memory, not in the file: one process holds the database
// (bbolt's lock), so the count made at Open plus the changes of every
// later commit is exact, and no schema change or older binary can leave a
// stored count stale. putOutbox and deleteOutbox, the only writers of the
// outbox, report each change; it counts once the transaction committed
// (Tx.OnCommit), so a rolled-back or retried transaction changes nothing.
type untriedCount struct {
	mu      sync.Mutex
	n       int
	changed chan struct{} // closed at the next change, then replaced
}

// newUntriedCount counts the untried mails of db's outbox: one pass over
// the outbox at Open (a drained outbox is a few mails; a crash in the
// middle of a large backlog costs a few microseconds per mail).
func newUntriedCount(db *bolt.DB) (*untriedCount, error) {
	c := &untriedCount{changed: make(chan struct{})}
	err := db.View(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketOutbox).ForEach(func(k, v []byte) error {
			attempts, err := mailAttempts(v)
			if err != nil {
				return fmt.Errorf("outbox %x: %w", k, err)
			}
			if attempts == 0 {
				c.n++
			}
			return nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("count untried mail: %w", err)
	}
	return c, nil
}

// withUntried gives a Store opened for writing its count of untried
// mail, made once the delivery log's replay (withSentLog) settled what a
// crash left.
func withUntried(s *Store, err error) (*Store, error) {
	if err != nil {
		return nil, err
	}
	if s.untried, err = newUntriedCount(s.db); err != nil {
		s.Close()
		return nil, fmt.Errorf("open store: %w", err)
	}
	return s, nil
}

// note records, once tx commits, that m (as stored) entered (delta 1) or
// left (-1) the outbox. A nil count (a read-only store) ignores it.
func (c *untriedCount) note(tx *bolt.Tx, m *Mail, delta int) {
	if c == nil || m.Attempts != 0 {
		return
	}
	tx.OnCommit(func() {
		c.mu.Lock()
		defer c.mu.Unlock()
		c.n += delta
		close(c.changed)
		c.changed = make(chan struct{})
	})
}

// UntriedMail returns how many outbox mails have never been attempted,
// and a channel closed at the next change of that number, to wait on
// without polling. On a read-only Store it returns 0 and a nil channel
// (one that never closes).
func (s *Store) UntriedMail() (int, <-chan struct{}) {
	c := s.untried
	if c == nil {
		return 0, nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.n, c.changed
}
