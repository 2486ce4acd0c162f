package tickets

import (
	"encoding/binary"
	"errors"
	"fmt"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
)

// checkMonthsSumDays fails t unless agg_months holds, key for key, the
// sums of agg_days by month (what the migration to schema 4 makes).
func checkMonthsSumDays(t *testing.T, s *Store) {
	t.Helper()
	var kept, summed map[string]string
	err := s.db.Update(func(tx *bolt.Tx) error {
		kept = dumpBucket(tx, bucketAggMonths)
		if err := tx.DeleteBucket(bucketAggMonths); err != nil {
			return err
		}
		if _, err := tx.CreateBucket(bucketAggMonths); err != nil {
			return err
		}
		if err := sumMonths(tx); err != nil {
			return err
		}
		summed = dumpBucket(tx, bucketAggMonths)
		return errRollback
	})
	if !errors.Is(err, errRollback) {
		t.Fatal(err)
	}
	if a, b := fmt.Sprint(kept), fmt.Sprint(summed); a != b {
		t.Fatalf("months kept\n%s\nsums of the days\n%s", a, b)
	}
}

func dumpBucket(tx *bolt.Tx, name []byte) map[string]string {
	out := map[string]string{}
	tx.Bucket(name).ForEach(func(k, v []byte) error {
		out[fmt.Sprintf("%x", k)] = fmt.Sprintf("%x", v)
		return nil
	})
	return out
}

// compareMonthsWithDays checks that reports over whole months (and over
// whole months with partial ones at both edges) are the same read from
// agg_months as from agg_days only, for every dimension a month record
// can answer.
func compareMonthsWithDays(t *testing.T, s *Store, from, to time.Time) {
	t.Helper()
	var queries []ReportQuery
	for _, d := range append([]Dim{""}, Dims...) {
		if d == DimDay || d == DimWeek {
			continue
		}
		var by []Dim
		if d != "" {
			by = []Dim{d}
		}
		queries = append(queries,
			ReportQuery{From: from, To: to, By: by, Loc: time.UTC},
			ReportQuery{From: from.AddDate(0, 0, -3), To: to.AddDate(0, 0, 2), By: by, Loc: time.UTC})
	}
	queries = append(queries, ReportQuery{From: from, To: to, By: []Dim{DimMonth, DimTier}, Loc: time.UTC})
	var withMonths, fromDays []Report
	err := s.db.Update(func(tx *bolt.Tx) error {
		n := 0
		c := tx.Bucket(bucketAggMonths).Cursor()
		for k, _ := c.Seek(binary.BigEndian.AppendUint32(nil, dayOf(from.Unix(), time.UTC))); k != nil && binary.BigEndian.Uint32(k) < dayOf(to.Unix(), time.UTC); k, _ = c.Next() {
			n++
		}
		if n == 0 {
			return errors.New("no month records in the period: nothing compared")
		}
		var ok []bool
		var err error
		if withMonths, ok, err = reportsAgg(tx, queries); err != nil || !ok[0] {
			return fmt.Errorf("with months: %v %v", ok, err)
		}
		if err := tx.DeleteBucket(bucketAggMonths); err != nil {
			return err
		}
		if fromDays, ok, err = reportsAgg(tx, queries); err != nil || !ok[0] {
			return fmt.Errorf("from days: %v %v", ok, err)
		}
		return errRollback
	})
	if !errors.Is(err, errRollback) {
		t.Fatal(err)
	}
	counted := 0
	for i, q := range queries {
		if a, b := fmt.Sprintf("%+v", withMonths[i]), fmt.Sprintf("%+v", fromDays[i]); a != b {
			t.Fatalf("by %v from %s to %s: with months\n%s\nfrom days\n%s", q.By, q.From, q.To, a, b)
		}
		counted += withMonths[i].Total.Opened
	}
	if counted == 0 {
		t.Fatal("the reports counted nothing")
	}
}

// TestMigrationSumsMonths: a schema-3 database (days, no months) gets its
// month records at open, the sums of its days, as the write path and a
// rebuild make them; before that, a read-only store reports from the days.
func TestMigrationSumsMonths(t *testing.T) {
	f := reportFixture(t)
	f.now = time.Date(2026, 4, 7, 10, 0, 0, 0, time.UTC)
	f.apply(msg("april@c", "pedro@client.com", "Abril", "No imprime otra vez."))
	f.now = f.now.Add(time.Hour)
	f.apply(msg("april-a@e", "ana@example.com", "Re: [Soporte #3] x", "#resolve\nListo."))
	compareMonthsWithDays(t, f.store, time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC), time.Date(2026, 5, 1, 0, 0, 0, 0, time.UTC))
	q := ReportQuery{From: time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC), To: time.Date(2026, 5, 1, 0, 0, 0, 0, time.UTC), By: []Dim{DimTier, DimMonth}, Loc: time.UTC}
	want, err := f.store.Report(q)
	if err != nil {
		t.Fatal(err)
	}
	var wantAgg map[string]string
	f.store.db.View(func(tx *bolt.Tx) error { wantAgg = dumpAggregates(tx); return nil })
	if err := f.store.db.Update(func(tx *bolt.Tx) error {
		if err := tx.DeleteBucket(bucketAggMonths); err != nil {
			return err
		}
		return tx.Bucket(bucketMeta).Put(keySchema, u64(3))
	}); err != nil {
		t.Fatal(err)
	}
	dir := f.store.db.Path()
	f.store.Close()
	dir = dir[:len(dir)-len("/ticketd.db")]

	s := reportThenMigrate(t, dir, q, want)
	var gotAgg map[string]string
	s.db.View(func(tx *bolt.Tx) error { gotAgg = dumpAggregates(tx); return nil })
	if a, b := fmt.Sprint(gotAgg), fmt.Sprint(wantAgg); a != b {
		t.Fatalf("aggregates after the migration\n%s\nkept before\n%s", a, b)
	}
	checkAggregatesRebuild(t, s)
	if got, err := s.Report(q); err != nil || fmt.Sprintf("%+v", got) != fmt.Sprintf("%+v", want) {
		t.Fatalf("after the migration: %v\n%+v\nwant\n%+v", err, got, want)
	}
}

// TestDeltaMovingADurationIsWritten: a delta that moves a duration from
// one histogram bucket to another, every count unchanged (a month's
// record when a resolution moves to another day of it, the time taken
// changed), is still written.
func TestDeltaMovingADurationIsWritten(t *testing.T) {
	f := newFixture(t)
	var stored acc
	stored.n[cResolved] = 1
	stored.res.add(1000, 1)
	moved := func() *acc {
		var m acc
		m.res.add(1000, -1)
		m.res.add(5000, 1)
		return &m
	}
	if len(monthsOf(map[string]*acc{"\x40\x00\x00\x00k": moved()})) != 1 {
		t.Fatal("monthsOf dropped the delta")
	}
	// Both writers of such records: the day and month aggregates
	// (addAccs), and the counters' wall-clock times (applyState).
	writers := map[string]struct {
		bucket []byte
		write  func(b *bolt.Bucket) error
	}{
		"addAccs":    {bucketAggMonths, func(b *bolt.Bucket) error { return addAccs(b, map[string]*acc{"k": moved()}) }},
		"applyState": {bucketAggState, func(b *bolt.Bucket) error { return (&aggDelta{types: map[string]*acc{"k": moved()}}).applyState(b) }},
	}
	for name, w := range writers {
		var got acc
		err := f.store.db.Update(func(tx *bolt.Tx) error {
			b := tx.Bucket(w.bucket)
			if err := b.Put([]byte("k"), appendAcc(nil, &stored)); err != nil {
				return err
			}
			if err := w.write(b); err != nil {
				return err
			}
			r := reader{b: b.Get([]byte("k"))}
			if r.acc(&got); r.err != nil {
				return r.err
			}
			return errRollback
		})
		if !errors.Is(err, errRollback) {
			t.Fatal(name, err)
		}
		if fig := got.res.figures(); fig.N != 1 || fig.Mean != 5000*time.Second {
			t.Fatalf("%s: resolution after the move: %+v, want one of 5000s", name, fig)
		}
	}
}
