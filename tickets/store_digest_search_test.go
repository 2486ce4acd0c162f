package tickets

import (
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
)

// TestFirstCreatedFrom checks the galloping search against reading the
// tickets in order: numbers with gaps (never written), several tickets in
// an hour, empty hours, and every start the digest may give it.
func TestFirstCreatedFrom(t *testing.T) {
	db, err := bolt.Open(filepath.Join(t.TempDir(), "t.db"), 0o600, &bolt.Options{Timeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rng := rand.New(rand.NewPCG(1, 2))
	base := time.Date(2025, 1, 6, 8, 0, 0, 0, time.UTC)
	type row struct {
		id      uint64
		created time.Time
	}
	var rows []row
	at := base
	for id := uint64(1); id <= 3000; id++ {
		at = at.Add(time.Duration(rng.IntN(40)) * time.Minute) // 0–39 min apart: some hours empty, some crowded
		if rng.IntN(10) == 0 {
			continue // a number never written
		}
		rows = append(rows, row{id, at})
	}
	err = db.Update(func(tx *bolt.Tx) error {
		b, err := tx.CreateBucket(bucketTickets)
		if err != nil {
			return err
		}
		for _, r := range rows {
			if err := b.Put(u64(r.id), fmt.Appendf(nil, `{"id":%d,"created":%q}`, r.id, r.created.Format(time.RFC3339Nano))); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	// want is the first number at or after from whose ticket was created
	// at or after hour, read in order; the last number + 1 if none.
	want := func(from uint64, hour time.Time) uint64 {
		for _, r := range rows {
			if r.id >= from && !r.created.Before(hour) {
				return r.id
			}
		}
		return rows[len(rows)-1].id + 1
	}
	err = db.View(func(tx *bolt.Tx) error {
		for hour := base.Add(-time.Hour); hour.Before(at.Add(2 * time.Hour)); hour = hour.Add(time.Hour) {
			w := want(1, hour)
			for _, from := range []uint64{0, 1, w / 3, w / 2, max(w, 1) - 1, w} {
				got, err := firstCreatedFrom(tx, from, hour)
				if err != nil {
					return err
				}
				// A number never written may be returned in place of the
				// next one: reading from it finds the same ticket.
				if got > w || want(got, hour) != w {
					t.Fatalf("hour %s from %d: %d, want %d", hour, from, got, w)
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
