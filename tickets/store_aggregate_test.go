package tickets

import (
	"bytes"
	"errors"
	"fmt"
	"log/slog"
	"sort"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/ticketd/ticketd/tiers"
)

// dumpAggregates returns every aggregate bucket's content and the zone.
func dumpAggregates(tx *bolt.Tx) map[string]string {
	loc, _ := aggZone(tx) // a new database's are UTC's without saying
	out := map[string]string{"zone": loc.String()}
	for _, name := range aggBuckets {
		tx.Bucket(name).ForEach(func(k, v []byte) error {
			out[fmt.Sprintf("%s/%x", name, k)] = fmt.Sprintf("%x", v)
			return nil
		})
	}
	return out
}

var errRollback = errors.New("rollback")

// checkAggregatesRebuild fails t unless the stored aggregates are, byte
// for byte, what rebuildAggregates makes of the tickets and events, and
// the month records the sums of the days.
func checkAggregatesRebuild(t *testing.T, s *Store) {
	t.Helper()
	var kept, rebuilt map[string]string
	err := s.db.Update(func(tx *bolt.Tx) error {
		kept = dumpAggregates(tx)
		loc, ok := aggZone(tx)
		if !ok {
			return errors.New("no aggregate zone")
		}
		if err := rebuildAggregates(tx, loc); err != nil {
			return err
		}
		rebuilt = dumpAggregates(tx)
		return errRollback
	})
	if !errors.Is(err, errRollback) {
		t.Fatal(err)
	}
	var diff []string
	for k, v := range rebuilt {
		if kept[k] != v {
			diff = append(diff, fmt.Sprintf("%s: kept %q, rebuilt %q", k, kept[k], v))
		}
	}
	for k, v := range kept {
		if _, ok := rebuilt[k]; !ok {
			diff = append(diff, fmt.Sprintf("%s: kept %q, not rebuilt", k, v))
		}
	}
	sort.Strings(diff)
	if len(diff) > 0 {
		if len(diff) > 20 {
			diff = diff[:20]
		}
		t.Fatalf("aggregates differ from a rebuild (%d entries):\n%s", len(diff), bytes.Join(func() [][]byte {
			var b [][]byte
			for _, d := range diff {
				b = append(b, []byte(d))
			}
			return b
		}(), []byte("\n")))
	}
	if len(kept) < 2 {
		t.Fatal("no aggregates kept")
	}
	checkMonthsSumDays(t, s)
}

// TestAggregatesFollowTheZone: a Service in another time zone rebuilds
// the aggregates in its days, and reports in that zone come from them.
func TestAggregatesFollowTheZone(t *testing.T) {
	f := reportFixture(t)
	bogota, err := time.LoadLocation("America/Bogota")
	if err != nil {
		t.Skip(err)
	}
	if err := f.store.useZone(bogota, slog.New(slog.DiscardHandler)); err != nil {
		t.Fatal(err)
	}
	checkAggregatesRebuild(t, f.store)
	q := ReportQuery{From: time.Date(2026, 3, 2, 0, 0, 0, 0, bogota), To: time.Date(2026, 3, 6, 0, 0, 0, 0, bogota), By: []Dim{DimDay, DimTier}, Loc: bogota}
	var agg, scan Report
	err = f.store.db.View(func(tx *bolt.Tx) error {
		var ok bool
		if agg, ok, err = reportAgg(tx, q); err != nil || !ok {
			return fmt.Errorf("aggregates: ok %v, %v", ok, err)
		}
		scan, err = reportScan(tx, q)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if a, s := fmt.Sprintf("%+v", agg), fmt.Sprintf("%+v", scan); a != s {
		t.Fatalf("aggregates:\n%s\nscan:\n%s", a, s)
	}
	// Bogotá is 5 hours behind: #2, opened Monday 17:30 UTC, is Monday's
	// there too, while #1's first answer (09:30 UTC) is 04:30 there.
	if len(agg.Rows) == 0 || agg.Rows[0].Group[0] != "2026-03-02" {
		t.Fatalf("rows %+v", agg.Rows)
	}
}

// checkStatsCounters fails t unless Stats from the counters equals Stats
// from reading every ticket.
func checkStatsCounters(t *testing.T, s *Store) {
	t.Helper()
	var counted, scanned Stats
	err := s.db.Update(func(tx *bolt.Tx) (err error) {
		if counted, err = stats(tx); err != nil {
			return err
		}
		if err := tx.DeleteBucket(bucketAggState); err != nil {
			return err
		}
		if scanned, err = stats(tx); err != nil {
			return err
		}
		return errRollback
	})
	if !errors.Is(err, errRollback) {
		t.Fatal(err)
	}
	for _, st := range []*Stats{&counted, &scanned} {
		st.byQueueType = nil
		for i := range st.ByType {
			st.ByType[i].fr, st.ByType[i].res = hist{}, hist{}
		}
	}
	if c, s := fmt.Sprintf("%+v", counted), fmt.Sprintf("%+v", scanned); c != s {
		t.Fatalf("stats from counters\n%s\nfrom the tickets\n%s", c, s)
	}
	if counted.Tickets == 0 || counted.Events == 0 || counted.MessageIDs == 0 {
		t.Fatalf("stats count nothing: %+v", counted)
	}
}

// TestStatsDefaultTypesPerQueue: tickets stored before types existed
// count as their own queue's default type.
func TestStatsDefaultTypesPerQueue(t *testing.T) {
	f := newQueuesFixture(t, nil)
	f.apply(msg("a@c", "pedro@client.com", "Impresora", "No imprime."))
	m := msg("b@c", "rosa@client.com", "Quote", "Price please.")
	m.To = []Address{{Email: "ventas@ventas.example"}}
	f.apply(m)
	if err := f.store.db.Update(func(tx *bolt.Tx) error {
		for _, id := range []uint64{1, 2} {
			tk, err := getTicket(tx, id)
			if err != nil {
				return err
			}
			tk.Type = ""
			if err := putTicket(tx, &tk); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	checkStatsCounters(t, f.store)
	st, err := f.store.Stats()
	if err != nil {
		t.Fatal(err)
	}
	st.DefaultTypes(func(queue string) tiers.Type {
		if queue == "ventas" {
			return tiers.TypeRequest
		}
		return tiers.TypeIncident
	})
	got := ""
	for _, r := range st.ByType {
		got += fmt.Sprintf("%s:%d ", r.Type, r.Tickets)
	}
	for _, c := range st.Counts {
		got += fmt.Sprintf("%s/%s:%d ", c.Queue, c.Type, c.N)
	}
	if got != "incident:1 request:1 /incident:1 ventas/request:1 " {
		t.Fatalf("by type: %s", got)
	}
}

// reportThenMigrate checks that a read-only open of the database in dir,
// before its migration, reports q as want; then opens it for writing,
// which migrates it, and returns it at the current schema.
func reportThenMigrate(t *testing.T, dir string, q ReportQuery, want Report) *Store {
	t.Helper()
	ro, err := OpenReadOnly(dir, time.Second)
	if err != nil {
		t.Fatal(err)
	}
	got, err := ro.Report(q)
	ro.Close()
	if err != nil || fmt.Sprintf("%+v", got) != fmt.Sprintf("%+v", want) {
		t.Fatalf("read-only report before the migration: %v\n%+v\nwant\n%+v", err, got, want)
	}
	s, err := Open(dir, time.Second)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	if st, err := s.Stats(); err != nil || st.Schema != SchemaVersion {
		t.Fatalf("schema %d, %v", st.Schema, err)
	}
	return s
}

// TestMigrationBuildsAggregates: a schema-2 database (before the
// aggregates) gets them at open, as a rebuild makes them, and reports
// from them equal the scan's.
func TestMigrationBuildsAggregates(t *testing.T) {
	f := reportFixture(t)
	var want Report
	q := ReportQuery{From: time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC), To: time.Date(2026, 3, 5, 0, 0, 0, 0, time.UTC), By: []Dim{DimTier, DimDay}, Loc: time.UTC}
	want, err := f.store.Report(q)
	if err != nil {
		t.Fatal(err)
	}
	// Read-only, not migrated: reports read every ticket instead.
	s := reportThenMigrate(t, unmigrateAggregates(t, f.store), q, want)
	checkAggregatesRebuild(t, s)
	checkStatsCounters(t, s)
	compareWithScan(t, s, q.From, q.To)
	if got, err := s.Report(q); err != nil || fmt.Sprintf("%+v", got) != fmt.Sprintf("%+v", want) {
		t.Fatalf("after the migration: %v\n%+v\nwant\n%+v", err, got, want)
	}
}
