package tickets

import (
	"errors"
	"fmt"
	"log/slog"
	"math"
	"path/filepath"
	"runtime"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
)

// rebuildAggregates rebuilds every aggregate in loc's days inside tx, in
// one step: the reference the chunked rebuild and the kept aggregates are
// compared with.
func rebuildAggregates(tx *bolt.Tx, loc *time.Location) error {
	if err := startRebuild(tx, loc); err != nil {
		return err
	}
	for {
		_, end, err := rebuildStep(tx, math.MaxInt)
		if err != nil || end {
			return err
		}
	}
}

// unmigrateAggregates makes s's database one of schema 2, before the
// aggregates, and closes s; it returns the database's directory.
func unmigrateAggregates(t *testing.T, s *Store) string {
	t.Helper()
	path := s.db.Path()
	if err := s.db.Update(func(tx *bolt.Tx) error {
		for _, name := range aggBuckets {
			if err := tx.DeleteBucket(name); err != nil {
				return err
			}
		}
		if err := tx.Bucket(bucketMeta).Delete(keyAggZone); err != nil {
			return err
		}
		return tx.Bucket(bucketMeta).Put(keySchema, u64(2))
	}); err != nil {
		t.Fatal(err)
	}
	s.Close()
	return filepath.Dir(path)
}

// setRebuild makes rebuilds run chunk tickets per transaction, calling
// hook in each, for the rest of t.
func setRebuild(t *testing.T, chunk int, hook func(tx *bolt.Tx, last uint64) error) {
	oldChunk, oldHook := rebuildChunk, rebuildHook
	rebuildChunk, rebuildHook = chunk, hook
	t.Cleanup(func() { rebuildChunk, rebuildHook = oldChunk, oldHook })
}

var errCrash = errors.New("crash")

// TestMigrationResumesAfterACrash: the migration builds the aggregates a
// ticket per transaction; it stops midway (a chunk rolled back, as a
// SIGKILL before its commit leaves it). Until it is done, readers answer
// from the tickets, never from the partial aggregates; the next open
// resumes after the last chunk committed, and the aggregates are byte for
// byte what a rebuild from scratch makes, with every ticket counted once.
func TestMigrationResumesAfterACrash(t *testing.T) {
	f := reportFixture(t)
	q := ReportQuery{From: time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC), To: time.Date(2026, 3, 5, 0, 0, 0, 0, time.UTC), By: []Dim{DimTier, DimDay}, Loc: time.UTC}
	want, err := f.store.Report(q)
	if err != nil {
		t.Fatal(err)
	}
	wantStats, err := f.store.Stats()
	if err != nil {
		t.Fatal(err)
	}
	var wantAgg map[string]string
	f.store.db.View(func(tx *bolt.Tx) error { wantAgg = dumpAggregates(tx); return nil })
	dir := unmigrateAggregates(t, f.store)

	var chunks []uint64
	setRebuild(t, 1, func(tx *bolt.Tx, last uint64) error {
		if len(chunks) == 2 {
			return errCrash // the third chunk never commits
		}
		chunks = append(chunks, last)
		return nil
	})
	if s, err := Open(dir, time.Second); !errors.Is(err, errCrash) {
		if err == nil {
			s.Close()
		}
		t.Fatalf("open with a crashing migration: %v", err)
	}
	if fmt.Sprint(chunks) != "[1 2]" {
		t.Fatalf("chunks committed %v, want [1 2]", chunks)
	}

	// Half-built: the marker says how far, and nothing reads them.
	ro, err := OpenReadOnly(dir, time.Second)
	if err != nil {
		t.Fatal(err)
	}
	err = ro.db.View(func(tx *bolt.Tx) error {
		b, building, err := buildOf(tx)
		if err != nil || !building || b.done != 2 || b.zone != "UTC" {
			return fmt.Errorf("marker %+v %v %v, want tickets up to 2 done in UTC", b, building, err)
		}
		if _, ok := aggZone(tx); ok {
			return errors.New("aggZone answers for half-built aggregates")
		}
		if _, ok, err := reportAgg(tx, q); ok || err != nil {
			return fmt.Errorf("reportAgg answered from half-built aggregates (%v)", err)
		}
		if ok, err := openHours(tx, func(time.Time, int64) bool { return true }); ok || err != nil {
			return fmt.Errorf("openHours answered from half-built aggregates (%v)", err)
		}
		var st Stats
		if ok, err := statsFromCounters(tx, &st); ok || err != nil {
			return fmt.Errorf("stats answered from half-built counters (%v)", err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	got, err := ro.Report(q)
	if err != nil || fmt.Sprintf("%+v", got) != fmt.Sprintf("%+v", want) {
		t.Fatalf("report while half-built: %v\n%+v\nwant\n%+v", err, got, want)
	}
	gotStats, err := ro.Stats()
	if err != nil || gotStats.Tickets != wantStats.Tickets || gotStats.Events != wantStats.Events || gotStats.MessageIDs != wantStats.MessageIDs {
		t.Fatalf("stats while half-built: %v %+v, want %+v", err, gotStats, wantStats)
	}
	ro.Close()

	// Resumed: it starts after ticket 2.
	chunks = nil
	setRebuild(t, 1, func(tx *bolt.Tx, last uint64) error { chunks = append(chunks, last); return nil })
	s, err := Open(dir, time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if fmt.Sprint(chunks) != "[3 4]" {
		t.Fatalf("chunks after resuming %v, want [3 4]", chunks)
	}
	var gotAgg map[string]string
	s.view(func(tx *bolt.Tx) error { gotAgg = dumpAggregates(tx); return nil })
	if fmt.Sprint(gotAgg) != fmt.Sprint(wantAgg) {
		t.Fatalf("aggregates after a resumed migration\n%v\nwant\n%v", gotAgg, wantAgg)
	}
	checkAggregatesRebuild(t, s)
	checkStatsCounters(t, s)
	if got, err := s.Report(q); err != nil || fmt.Sprintf("%+v", got) != fmt.Sprintf("%+v", want) {
		t.Fatalf("after the migration: %v\n%+v\nwant\n%+v", err, got, want)
	}
}

// TestRebuildCountsWritesBetweenChunksOnce: tickets, events and
// Message-IDs written while a rebuild is under way (between its chunks)
// are counted once: by the write when the rebuild has passed the ticket,
// by the rebuild when it has not.
func TestRebuildCountsWritesBetweenChunksOnce(t *testing.T) {
	f := reportFixture(t)
	at := time.Date(2026, 3, 4, 16, 0, 0, 0, time.UTC)
	setRebuild(t, 1, func(tx *bolt.Tx, last uint64) error {
		if last != 2 {
			return nil
		}
		// Ticket 1 is counted already, ticket 3 not yet.
		for _, id := range []uint64{1, 3} {
			tk, err := getTicket(tx, id)
			if err != nil {
				return err
			}
			tk.Tier, tk.Category = 2, "changed"
			if err := putTicket(tx, &tk); err != nil {
				return err
			}
			if err := addEvent(tx, Event{Ticket: id, Kind: EventAnswer, Actor: "marta@example.com", FromTier: 2, Time: at}); err != nil {
				return err
			}
			if err := indexMsgID(tx, fmt.Sprintf("between-%d@example.com", id), id, dirReceived); err != nil {
				return err
			}
		}
		return nil
	})
	bogota, err := time.LoadLocation("America/Bogota")
	if err != nil {
		t.Skip(err)
	}
	if err := f.store.useZone(bogota, slog.New(slog.DiscardHandler)); err != nil {
		t.Fatal(err)
	}
	checkAggregatesRebuild(t, f.store)
	checkStatsCounters(t, f.store)
}

// TestRebuildMemoryFollowsTheChunk: the live heap at the end of a chunk
// (its transaction's dirty nodes and its delta) is about the same at
// 16,000 tickets as at 2,000: the rebuild's memory is bounded by
// rebuildChunk, not by the database.
func TestRebuildMemoryFollowsTheChunk(t *testing.T) {
	bogota, err := time.LoadLocation("America/Bogota")
	if err != nil {
		t.Skip(err)
	}
	peak := func(n int) int64 {
		s, err := Open(t.TempDir(), time.Second)
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		syntheticHistory(t, s, n, time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC))
		var top int64
		chunks := 0
		setRebuild(t, 256, func(tx *bolt.Tx, last uint64) error {
			// Before the commit the dirty pages are bbolt's nodes on the
			// heap, with the chunk's delta: what is live now.
			var ms runtime.MemStats
			runtime.GC()
			runtime.ReadMemStats(&ms)
			top = max(top, int64(ms.HeapAlloc))
			chunks++
			return nil
		})
		if err := s.useZone(bogota, slog.New(slog.DiscardHandler)); err != nil {
			t.Fatal(err)
		}
		t.Logf("%d tickets: %d chunks, at most %d KiB of live heap at the end of one", n, chunks, top>>10)
		return top
	}
	small, large := peak(2000), peak(16000)
	if large > 2*small {
		t.Fatalf("live heap at the end of a chunk: %d KiB at 16,000 tickets, %d KiB at 2,000", large>>10, small>>10)
	}
}
