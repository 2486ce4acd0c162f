package tickets

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"
)

// crashCopy copies the database file and its delivery log, as a crash
// would leave them (the store is still open: nothing applied at Close),
// into a new directory; extra is written after the log's last record (a
// torn record, a record of an earlier round).
func crashCopy(t *testing.T, s *Store, extra []byte) string {
	t.Helper()
	dir := t.TempDir()
	for _, name := range []string{"", ".sent"} {
		data, err := os.ReadFile(s.db.Path() + name)
		if err != nil {
			t.Fatal(err)
		}
		if name == ".sent" {
			copy(data[s.sent.off:], extra)
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
// tickets; what follows the last record — a record of an earlier round
// (another epoch) and a torn one (an append the crash cut) — is ignored;
// replaying the same log again records nothing twice.
func TestDeliveryLogSurvivesACrash(t *testing.T) {
	f := newFixture(t)
	f.apply(msg("l1", "pedro@cliente.test", "Impresora", "no imprime"))
	queued := f.outbox()
	f.apply(msg("l1b", "rosa@cliente.test", "Pantalla", "no enciende"))
	later := f.outbox()[len(queued)] // not delivered
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

	// After the records: one of an earlier round (another epoch) for a
	// mail not delivered, then a torn one.
	other := Delivery{ID: later.ID, Time: f.now, Accepted: later.Pending(), Mail: &later}
	earlier := sentLog{epoch: f.store.sent.epoch - 1}
	earlier.path = filepath.Join(t.TempDir(), "earlier")
	if err := earlier.append([]Delivery{other}); err != nil {
		t.Fatal(err)
	}
	extra := append(slices.Clone(earlier.buf), 0, 0, 0, 40, 1, 2, 3, 4, 0, 0, 0, 1, '{', '"')
	if ds, err := readSentLog(extra); err != nil || len(ds) != 1 || ds[0].ID != later.ID {
		t.Fatalf("the earlier round's record reads back as %v, %v", ds, err)
	}
	dir := crashCopy(t, f.store, extra)
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
		if !slices.ContainsFunc(out, func(m Mail) bool { return m.ID == later.ID }) {
			t.Fatalf("mail %d, recorded only in an earlier round's leftover, left the outbox", later.ID)
		}
		for _, m := range queued {
			if slices.ContainsFunc(out, func(o Mail) bool { return o.ID == m.ID }) {
				t.Fatalf("after the replay mail %d is still in the outbox", m.ID)
			}
		}
		for _, m := range queued {
			if got := deliveredTo(t, s, m); !slices.Equal(got, m.Pending()) {
				t.Errorf("mail %d: delivery events name %v, want %v once", m.ID, got, m.Pending())
			}
		}
	}
	check(s)
	if _, err := os.Stat(filepath.Join(dir, "ticketd.db.sent")); !os.IsNotExist(err) {
		t.Errorf("the log after the replay: %v; want it removed", err)
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
	if f.store.sent.off != 0 || len(f.store.sent.pending) != 0 {
		t.Fatalf("the log once applied: next record at %d, %d pending; want it started over", f.store.sent.off, len(f.store.sent.pending))
	}
}

// A backup taken while deliveries wait in the log holds them: restored,
// it does not send those mails again.
func TestBackupHoldsLoggedDeliveries(t *testing.T) {
	f := newFixture(t)
	f.apply(msg("b1", "pedro@cliente.test", "Impresora", "no imprime"))
	queued := f.outbox()
	m := queued[0]
	if _, err := f.store.LogSent([]Delivery{{ID: m.ID, Time: f.now, Accepted: m.Pending(), Mail: &m}}); err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if _, err := f.store.Backup(&buf); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "ticketd.db"), buf.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	c, err := OpenReadOnly(dir, time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	due, err := c.DueMail(f.now, 100)
	if err != nil {
		t.Fatal(err)
	}
	if slices.ContainsFunc(due, func(d Mail) bool { return d.ID == m.ID }) || len(due) != len(queued)-1 {
		t.Fatalf("the backup's outbox: %d mails (want %d, without the delivered %d)", len(due), len(queued)-1, m.ID)
	}
}

// TestDeliveryLogAppendsWholeBlocks: appends written as whole blocks
// (direct I/O on Linux) read back as every record of the epoch, whatever
// block they start or end in, past the image's first size and the file's
// preallocation; after emptied, only the new epoch's records count,
// though longer records of the earlier one lie behind them.
func TestDeliveryLogAppendsWholeBlocks(t *testing.T) {
	l := &sentLog{path: filepath.Join(t.TempDir(), "ticketd.db.sent"), epoch: 7}
	defer func() {
		if l.f != nil {
			l.f.Close()
		}
	}()
	at := time.Date(2026, 12, 3, 17, 0, 0, 0, time.UTC)
	var want []Delivery
	batch := func(n, from int, rcpt string) []Delivery {
		ds := make([]Delivery, n)
		for i := range ds {
			ds[i] = Delivery{ID: uint64(from + i), Time: at, Accepted: []string{rcpt}}
		}
		return ds
	}
	check := func(what string) {
		t.Helper()
		data, err := os.ReadFile(l.path)
		if err != nil {
			t.Fatal(err)
		}
		got, err := readSentLog(data)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != len(want) {
			t.Fatalf("%s: read %d records, want %d", what, len(got), len(want))
		}
		for i := range got {
			if got[i].ID != want[i].ID || !slices.Equal(got[i].Accepted, want[i].Accepted) || !got[i].Time.Equal(want[i].Time) {
				t.Fatalf("%s: record %d = %+v, want %+v", what, i, got[i], want[i])
			}
		}
	}
	long := string(bytes.Repeat([]byte("x"), 200)) + "@cliente.test"
	id := 1
	for _, n := range []int{1, 2, 30, 1, 700, 3, 9000} { // 9000: past 1 MB
		ds := batch(n, id, long)
		id += n
		if err := l.append(ds); err != nil {
			t.Fatal(err)
		}
		want = append(want, ds...)
		check("one epoch")
	}
	if l.off <= logPrealloc {
		t.Fatalf("the log reached %d bytes, want past %d", l.off, logPrealloc)
	}
	l.emptied()
	want = batch(3, id, "a@cliente.test")
	if err := l.append(want); err != nil {
		t.Fatal(err)
	}
	check("next epoch")
}
