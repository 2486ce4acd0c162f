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
// for byte, what rebuildAggregates makes of the tickets and events.
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
