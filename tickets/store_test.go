package tickets

import (
	"slices"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
)

// forEventsNewestFirst walks one ticket's events back, stopping at its
// first, for a ticket between others and for the last ticket of the store.
func TestForEventsNewestFirst(t *testing.T) {
	s, err := Open(t.TempDir(), time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	err = s.db.Update(func(tx *bolt.Tx) error {
		for _, id := range []uint64{1, 2, 3, 2, 1, 2, 3} {
			if err := addEvent(tx, Event{Ticket: id}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	seqs := func(id uint64, stop int) []uint64 {
		var out []uint64
		if err := s.view(func(tx *bolt.Tx) error {
			return forEventsNewestFirst(tx, id, func(e Event) bool {
				if e.Ticket != id {
					t.Errorf("ticket %d: event of ticket %d", id, e.Ticket)
				}
				out = append(out, e.Seq)
				return len(out) < stop
			})
		}); err != nil {
			t.Fatal(err)
		}
		return out
	}
	for _, c := range []struct {
		id   uint64
		stop int
		want []uint64
	}{
		{1, 9, []uint64{5, 1}},
		{2, 9, []uint64{6, 4, 2}},
		{3, 9, []uint64{7, 3}},
		{2, 1, []uint64{6}},
		{4, 9, nil},
	} {
		if got := seqs(c.id, c.stop); !slices.Equal(got, c.want) {
			t.Errorf("ticket %d, stop after %d: seqs %v, want %v", c.id, c.stop, got, c.want)
		}
	}
}

// queuedAt finds a mail put in the same transaction (settle's fast path
// for a mail rewritten earlier in the batch).
func TestQueuedAtSameTx(t *testing.T) {
	s, err := Open(t.TempDir(), time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	next := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	err = s.db.Update(func(tx *bolt.Tx) error {
		if err := putOutbox(tx, s.untried, &Mail{ID: 7, NextAttempt: next}); err != nil {
			return err
		}
		if !queuedAt(tx, 7, next) || queuedAt(tx, 7, next.Add(time.Second)) {
			t.Error("queuedAt wrong in the transaction that queued the mail")
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
