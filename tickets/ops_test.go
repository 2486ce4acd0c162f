package tickets

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/ticketd/ticketd/tiers"
)

func TestMigrationsAreConsistent(t *testing.T) {
	if SchemaVersion != 1+len(migrations) {
		t.Fatalf("SchemaVersion %d, but %d migrations lead from 1 to %d", SchemaVersion, len(migrations), 1+len(migrations))
	}
	for i, m := range migrations {
		if m.From != i+1 || m.Run == nil || m.Name == "" {
			t.Fatalf("migrations[%d] = {From %d, %q}: want From %d, a name and a Run", i, m.From, m.Name, i+1)
		}
	}
}

func schemaOf(t *testing.T, db *bolt.DB) int {
	t.Helper()
	var v int
	if err := db.View(func(tx *bolt.Tx) error {
		v = int(binary.BigEndian.Uint64(tx.Bucket(bucketMeta).Get(keySchema)))
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return v
}

// TestMigrate runs a made-up chain of steps over a real bbolt file: a
// fresh database is stamped without running them, an old one runs the
// missing ones in order in one transaction, a failing step leaves the file
// as it was, and a newer database is refused.
func TestMigrate(t *testing.T) {
	db, err := bolt.Open(filepath.Join(t.TempDir(), "m.db"), 0o600, &bolt.Options{Timeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var ran []string
	step := func(from int, fail bool) migration {
		return migration{From: from, Name: fmt.Sprintf("step %d", from), Run: func(tx *bolt.Tx) error {
			ran = append(ran, fmt.Sprint(from))
			if err := tx.Bucket(bucketMeta).Put([]byte(fmt.Sprint("did", from)), []byte("y")); err != nil {
				return err
			}
			if fail {
				return errors.New("boom")
			}
			return nil
		}}
	}
	run := func(steps []migration) error {
		return db.Update(func(tx *bolt.Tx) error {
			for _, b := range allBuckets {
				if _, err := tx.CreateBucketIfNotExists(b); err != nil {
					return err
				}
			}
			return migrate(tx, steps)
		})
	}
	// Fresh: stamped with the newest version, no step runs.
	if err := run([]migration{step(1, false)}); err != nil {
		t.Fatal(err)
	}
	if got := schemaOf(t, db); got != 2 || len(ran) != 0 {
		t.Fatalf("fresh database: schema %d, ran %v; want 2, none", got, ran)
	}
	// Back to 1, then three steps to 4: all run, in order.
	if err := db.Update(func(tx *bolt.Tx) error { return tx.Bucket(bucketMeta).Put(keySchema, u64(1)) }); err != nil {
		t.Fatal(err)
	}
	if err := run([]migration{step(1, false), step(2, false), step(3, false)}); err != nil {
		t.Fatal(err)
	}
	if got := schemaOf(t, db); got != 4 || strings.Join(ran, ",") != "1,2,3" {
		t.Fatalf("schema %d after steps %v; want 4 after 1,2,3", got, ran)
	}
	// A failing step: nothing of the chain stays.
	ran = nil
	err = run([]migration{step(1, false), step(2, false), step(3, false), step(4, false), step(5, true)})
	if err == nil || !strings.Contains(err.Error(), "migrate schema 5 → 6 (step 5)") {
		t.Fatalf("failing step: err %v", err)
	}
	if got := schemaOf(t, db); got != 4 || strings.Join(ran, ",") != "4,5" {
		t.Fatalf("after a failed step: schema %d, ran %v; want 4, 4,5", got, ran)
	}
	if err := db.View(func(tx *bolt.Tx) error {
		if tx.Bucket(bucketMeta).Get([]byte("did4")) != nil {
			return errors.New("step 4's change survived the failed migration")
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	// Newer than the code: refused.
	if err := run([]migration{step(1, false)}); err == nil || !strings.Contains(err.Error(), "newer") {
		t.Fatalf("newer database: err %v", err)
	}
}

func TestOpenRefusesNewerSchema(t *testing.T) {
	dir := t.TempDir()
	s, err := Open(dir, time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.db.Update(func(tx *bolt.Tx) error { return tx.Bucket(bucketMeta).Put(keySchema, u64(SchemaVersion+1)) }); err != nil {
		t.Fatal(err)
	}
	s.Close()
	if _, err := Open(dir, time.Second); err == nil || !strings.Contains(err.Error(), "newer than this ticketd") {
		t.Fatalf("Open of a newer database: %v", err)
	}
}

func TestStatsAndList(t *testing.T) {
	f := newFixture(t)
	f.apply(msg("a1", "pedro@cliente.test", "Impresora", "no imprime"),
		msg("a2", "maria@cliente.test", "Correo", "no llega"),
		msg("a3", "juan@cliente.test", "VPN", "no conecta"))
	// An agent answers ticket 2: it becomes open.
	reply := msg("r2", "ana@example.com", "Re: [Soporte #2] Correo", "Ya está.")
	f.apply(reply)
	st, err := f.store.Stats()
	if err != nil {
		t.Fatal(err)
	}
	want := []Count{{Status: StatusNew, Tier: 1, Type: tiers.TypeIncident, N: 2}, {Status: StatusOpen, Tier: 1, Type: tiers.TypeIncident, N: 1}}
	if fmt.Sprint(st.Counts) != fmt.Sprint(want) || st.Tickets != 3 || st.Schema != SchemaVersion {
		t.Fatalf("stats %+v; want counts %v, 3 tickets, schema %d", st, want, SchemaVersion)
	}
	if st.Outbox != len(f.outbox()) || st.Outbox == 0 || st.OldestQueued.IsZero() || st.MessageIDs == 0 || st.Events == 0 {
		t.Fatalf("stats %+v do not match the store", st)
	}
	open, err := f.store.List(Filter{Status: StatusOpen})
	if err != nil || len(open) != 1 || open[0].ID != 2 {
		t.Fatalf("List(open) = %v, %v; want ticket 2", open, err)
	}
	if all, _ := f.store.List(Filter{Tier: 1}); len(all) != 3 {
		t.Fatalf("List(tier 1) = %d tickets, want 3", len(all))
	}
	if none, _ := f.store.List(Filter{Tier: 2}); len(none) != 0 {
		t.Fatalf("List(tier 2) = %v, want none", none)
	}
	// A limit keeps the newest matches, in number order.
	if got, _ := f.store.List(Filter{Limit: 2}); len(got) != 2 || got[0].ID != 2 || got[1].ID != 3 {
		t.Fatalf("List(limit 2) = %v, want tickets 2 and 3", got)
	}
	if got, _ := f.store.List(Filter{Status: StatusNew, Limit: 1}); len(got) != 1 || got[0].ID != 3 {
		t.Fatalf("List(new, limit 1) = %v, want ticket 3", got)
	}
	if got, _ := f.store.List(Filter{Status: StatusNew, Limit: 5}); len(got) != 2 || got[0].ID != 1 || got[1].ID != 3 {
		t.Fatalf("List(new, limit 5) = %v, want tickets 1 and 3", got)
	}
}

func TestMarkDeliveredBatch(t *testing.T) {
	f := newFixture(t)
	f.apply(msg("b1", "pedro@cliente.test", "Impresora", "no imprime"))
	out := f.outbox()
	if len(out) < 2 {
		t.Fatalf("want at least 2 mails queued, got %d", len(out))
	}
	rej := []Rejection{{Mail: out[1].ID, Ticket: out[1].Ticket, Rcpt: out[1].Recipients()[0], Reason: "550 no such user"}}
	ds := []Delivery{{ID: out[0].ID, Time: f.now}, {ID: out[1].ID, Time: f.now, Rejected: rej}, {ID: 9999, Time: f.now}}
	if err := f.store.MarkDeliveredBatch(ds); err != nil {
		t.Fatal(err)
	}
	if left := f.outbox(); len(left) != len(out)-2 {
		t.Fatalf("%d mails left in the outbox, want %d", len(left), len(out)-2)
	}
	if due, _ := f.store.DueMail(f.now.Add(time.Hour), 100); len(due) != len(out)-2 {
		t.Fatalf("due index holds %d mails, want %d", len(due), len(out)-2)
	}
	events, err := f.store.Events(out[0].Ticket)
	if err != nil {
		t.Fatal(err)
	}
	var delivered, failed int
	for _, e := range events {
		switch e.Kind {
		case EventDelivered:
			delivered++
		case EventDeliveryFailed:
			failed++
		}
	}
	if delivered != 2 || failed != 1 {
		t.Fatalf("timeline has %d delivered and %d failed events, want 2 and 1", delivered, failed)
	}
}

func TestRetryMail(t *testing.T) {
	f := newFixture(t)
	f.apply(msg("c1", "pedro@cliente.test", "Impresora", "no imprime"))
	out := f.outbox()
	later := f.now.Add(time.Hour)
	if err := f.store.MarkRetry(out[0].ID, later, "421 busy"); err != nil {
		t.Fatal(err)
	}
	if err := f.store.MarkFailed(out[1].ID, f.now, "550 gone"); err != nil {
		t.Fatal(err)
	}
	if due, _ := f.store.DueMail(f.now, 100); len(due) != len(out)-2 {
		t.Fatalf("before retry: %d due", len(due))
	}
	// Waiting mail: due now. Given-up mail: back in the outbox, attempts reset.
	for _, id := range []uint64{out[0].ID, out[1].ID} {
		m, err := f.store.RetryMail(id, f.now)
		if err != nil {
			t.Fatal(err)
		}
		if !m.NextAttempt.Equal(f.now) || (id == out[1].ID && (m.Attempts != 0 || !m.Queued.Equal(f.now))) {
			t.Fatalf("retried mail %d: %+v", id, m)
		}
	}
	if due, _ := f.store.DueMail(f.now, 100); len(due) != len(out) {
		t.Fatalf("after retry: %d due, want %d", len(due), len(out))
	}
	if failed, _ := f.store.FailedMail(); len(failed) != 0 {
		t.Fatalf("failed bucket still holds %d", len(failed))
	}
	if _, err := f.store.RetryMail(424242, f.now); !errors.Is(err, ErrNotFound) {
		t.Fatalf("retry of an unknown mail: %v", err)
	}
}

// TestBackupWhileWriting copies the database while another goroutine
// keeps applying mail: every copy opens as a database whose tickets are
// complete (each with its events), a prefix of the numbering.
func TestBackupWhileWriting(t *testing.T) {
	f := newFixture(t)
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	var writeErr error
	go func() {
		defer wg.Done()
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			if _, err := f.svc.Apply(t.Context(), []Inbound{msg(fmt.Sprint("w", i), "pedro@cliente.test", "Asunto", "texto")}); err != nil {
				writeErr = err
				return
			}
		}
	}()
	dir := t.TempDir()
	for i := range 5 {
		path := filepath.Join(dir, fmt.Sprint("copy", i), "ticketd.db")
		if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
			t.Fatal(err)
		}
		var buf bytes.Buffer
		n, err := f.store.Backup(&buf)
		if err != nil || n != int64(buf.Len()) {
			t.Fatalf("backup: %d bytes (buffer %d), %v", n, buf.Len(), err)
		}
		if err := WriteFileAtomic(path, func(w io.Writer) error { _, err := w.Write(buf.Bytes()); return err }); err != nil {
			t.Fatal(err)
		}
		c, err := OpenReadOnly(filepath.Dir(path), time.Second)
		if err != nil {
			t.Fatal(err)
		}
		ts, err := c.Tickets()
		if err != nil {
			t.Fatal(err)
		}
		for j, tk := range ts {
			if tk.ID != uint64(j+1) {
				t.Fatalf("copy %d: ticket %d at position %d", i, tk.ID, j)
			}
			if ev, err := c.Events(tk.ID); err != nil || len(ev) == 0 {
				t.Fatalf("copy %d: ticket %d has no events (%v)", i, tk.ID, err)
			}
		}
		c.Close()
	}
	close(stop)
	wg.Wait()
	if writeErr != nil {
		t.Fatal(writeErr)
	}
}

// TestMarkDeliveredBatchWithKnownMail: the mail handed out by DueMail
// spares a decode, and a stale copy (retried since) is not trusted: the
// due index ends up empty either way.
func TestMarkDeliveredBatchWithKnownMail(t *testing.T) {
	f := newFixture(t)
	f.apply(msg("k1", "pedro@cliente.test", "Impresora", "no imprime"))
	due, err := f.store.DueMail(f.now, 100)
	if err != nil || len(due) < 2 {
		t.Fatalf("due %d, %v", len(due), err)
	}
	// The second mail changes after it was handed out.
	if err := f.store.MarkRetry(due[1].ID, f.now.Add(time.Minute), "421 busy"); err != nil {
		t.Fatal(err)
	}
	var ds []Delivery
	for i := range due {
		ds = append(ds, Delivery{ID: due[i].ID, Time: f.now, Mail: &due[i]})
	}
	if err := f.store.MarkDeliveredBatch(ds); err != nil {
		t.Fatal(err)
	}
	if left := f.outbox(); len(left) != 0 {
		t.Fatalf("%d mails left in the outbox", len(left))
	}
	if next, ok, err := f.store.NextMailDue(); ok || err != nil {
		t.Fatalf("due index still holds an entry (%s, %v)", next, err)
	}
}
