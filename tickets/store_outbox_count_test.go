package tickets

import (
	"errors"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
)

// UntriedMail follows every outbox change once it commits, agrees with a
// fresh count after reopening, and signals each change.
func TestUntriedMail(t *testing.T) {
	dir := t.TempDir()
	s, err := Open(dir, time.Second)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	want := func(step string, n int) {
		t.Helper()
		if got, _ := s.UntriedMail(); got != n {
			t.Fatalf("%s: UntriedMail = %d, want %d", step, got, n)
		}
	}
	want("empty", 0)
	_, changed := s.UntriedMail()
	queue := func(ids ...uint64) {
		t.Helper()
		err := s.update(func(tx *bolt.Tx) error {
			for _, id := range ids {
				m := &Mail{ID: id, To: []Address{{Email: "a@example.com"}}, Queued: now, NextAttempt: now}
				if err := putOutbox(tx, s.untried, m); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	queue(1, 2, 3, 4, 5)
	want("five queued", 5)
	select {
	case <-changed:
	default:
		t.Fatal("the change channel did not close when mail was queued")
	}

	// A transaction that rolls back changes nothing.
	rollback := errors.New("rollback")
	err = s.update(func(tx *bolt.Tx) error {
		if err := putOutbox(tx, s.untried, &Mail{ID: 9, Queued: now, NextAttempt: now}); err != nil {
			return err
		}
		return rollback
	})
	if !errors.Is(err, rollback) {
		t.Fatal(err)
	}
	want("rolled back", 5)

	if err := s.MarkRetry(1, now.Add(time.Minute), "451 try later"); err != nil {
		t.Fatal(err)
	}
	want("one in backoff", 4)
	if err := s.MarkRetry(1, now.Add(2*time.Minute), "451 try later"); err != nil {
		t.Fatal(err)
	}
	want("retried again", 4)
	if err := s.MarkDelivered(2, now, nil); err != nil {
		t.Fatal(err)
	}
	want("one delivered", 3)
	if _, err := s.LogSent([]Delivery{{ID: 3, Time: now, Accepted: []string{"a@example.com"}, Mail: &Mail{ID: 3, To: []Address{{Email: "a@example.com"}}, NextAttempt: now}}}); err != nil {
		t.Fatal(err)
	}
	want("logged, not yet applied", 3)
	if err := s.ApplySent(); err != nil {
		t.Fatal(err)
	}
	want("logged delivery applied", 2)
	if err := s.MarkFailed(4, now, "550 no such user"); err != nil {
		t.Fatal(err)
	}
	want("one failed", 1)
	if _, err := s.RetryMail(4, now); err != nil {
		t.Fatal(err)
	}
	want("failed mail queued again", 2)
	if _, err := s.RetryMail(1, now); err != nil {
		t.Fatal(err)
	}
	want("mail in backoff made due (still attempted)", 2)

	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	ro, err := OpenReadOnly(dir, time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if n, ch := ro.UntriedMail(); n != 0 || ch != nil {
		t.Errorf("read-only store: UntriedMail = %d, %v; want 0, nil (it counts nothing)", n, ch)
	}
	ro.Close()
	if s, err = Open(dir, time.Second); err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	want("reopened", 2) // mails 4 and 5; 1 is in the outbox, attempted
}
