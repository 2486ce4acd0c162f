package tickets

import (
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"
)

// crashCopy copies the database file and its delivery log, as a crash
// would leave them (the store is still open: nothing applied at Close),
// into a new directory; extra is appended to the log (a torn record).
func crashCopy(t *testing.T, s *Store, extra []byte) string {
	t.Helper()
	dir := t.TempDir()
	for _, name := range []string{"", ".sent"} {
		data, err := os.ReadFile(s.db.Path() + name)
		if err != nil {
			t.Fatal(err)
		}
		if name == ".sent" {
			data = append(data, extra...)
		}
		if err := os.WriteFile(filepath.Join(dir, "ticketd.db"+name), data, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func deliveredTo(t *testing.T, s *Store, m Mail) []string {
	t.Helper()
	events, err := s.Events(m.Ticket)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range events {
		if e.Kind == EventDelivered && e.Outbox == m.ID {
			got = append(got, e.Recipients...)
		}
	}
	return got
}

// TestDeliveryLogSurvivesACrash: deliveries LogSent recorded are in the
// delivery log only (one fsync, no commit); after a crash Open replays
// them: the mails are out of the outbox and delivered once on their
// tickets, a torn record at the end (an append the crash cut) is
// ignored, and replaying the same log again records nothing twice.
func TestDeliveryLogSurvivesACrash(t *testing.T) {
	f := newFixture(t)
	f.apply(msg("l1", "pedro@cliente.test", "Impresora", "no imprime"))
	queued := f.outbox()
	if len(queued) < 2 {
		t.Fatalf("%d mails queued, want an acknowledgement and a notice", len(queued))
	}
	var ds []Delivery
	for i := range queued {
		m := queued[i]
		ds = append(ds, Delivery{ID: m.ID, Time: f.now, Accepted: m.Pending(), Mail: &m})
	}
	left, err := f.store.LogSent(ds)
	if err != nil {
		t.Fatal(err)
	}
	if len(left) != len(queued) {
		t.Fatalf("LogSent says %v left the outbox, want all %d", left, len(queued))
	}

	torn := []byte{0, 0, 0, 40, 1, 2, 3, 4, '{', '"'}
	dir := crashCopy(t, f.store, torn)
	s, err := Open(dir, time.Second)
	if err != nil {
		t.Fatal(err)
	}
	check := func(s *Store) {
		t.Helper()
		out, err := s.Outbox()
		if err != nil {
			t.Fatal(err)
		}
		if len(out) != 0 {
			t.Fatalf("after the replay %d mails still in the outbox", len(out))
		}
		for _, m := range queued {
			if got := deliveredTo(t, s, m); !slices.Equal(got, m.Pending()) {
				t.Errorf("mail %d: delivery events name %v, want %v once", m.ID, got, m.Pending())
			}
		}
	}
	check(s)
	if fi, err := os.Stat(filepath.Join(dir, "ticketd.db.sent")); err != nil || fi.Size() != 0 {
		t.Errorf("the log after the replay: %v, %v; want it empty", fi, err)
	}
	// A crash between the replay's commit and the log's truncation: the
	// same records once more.
	data, err := os.ReadFile(f.store.db.Path() + ".sent")
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "ticketd.db.sent"), data, 0o600); err != nil {
		t.Fatal(err)
	}
	s, err = Open(dir, time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	check(s)
}

// TestDeliveryLogAppliedBeforeOutboxReads: in the running store, logged
// deliveries are applied (and the log emptied) before the outbox is read
// again, so the sender never sees a delivered mail as due.
func TestDeliveryLogAppliedBeforeOutboxReads(t *testing.T) {
	f := newFixture(t)
	f.apply(msg("l2", "pedro@cliente.test", "Impresora", "no imprime"))
	queued := f.outbox()
	m := queued[0]
	rcpts := m.Pending()
	if _, err := f.store.LogSent([]Delivery{{ID: m.ID, Time: f.now, Accepted: rcpts, Mail: &m}}); err != nil {
		t.Fatal(err)
	}
	due, err := f.store.DueMail(f.now, 100)
	if err != nil {
		t.Fatal(err)
	}
	if slices.ContainsFunc(due, func(d Mail) bool { return d.ID == m.ID }) || len(due) != len(queued)-1 {
		t.Fatalf("due after LogSent: %d mails (want %d, without %d)", len(due), len(queued)-1, m.ID)
	}
	if got := deliveredTo(t, f.store, m); !slices.Equal(got, rcpts) {
		t.Fatalf("delivery events name %v, want %v", got, rcpts)
	}
	if fi, err := os.Stat(f.store.db.Path() + ".sent"); err != nil || fi.Size() != 0 {
		t.Fatalf("the log once applied: %v, %v; want it empty", fi, err)
	}
}
