package tickets

import (
	"errors"
	"fmt"
	"runtime"
	"slices"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/ticketd/ticketd/tiers"
)

// putMany stores tickets from+1..to directly, with statuses, tiers, types
// and categories in turn, as a listing's fixture.
func putMany(t *testing.T, s *Store, from, to int) {
	t.Helper()
	statuses := []Status{StatusNew, StatusOpen, StatusPending, StatusResolved, StatusClosed}
	now := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	const perTx = 5000
	for lo := from; lo < to; lo += perTx {
		err := s.db.Update(func(tx *bolt.Tx) error {
			for i := lo + 1; i <= min(to, lo+perTx); i++ {
				tk := Ticket{ID: uint64(i), Subject: fmt.Sprintf("No imprime la impresora %d del piso 3", i), Status: statuses[i%5],
					Tier: 1 + i%3, Requester: NewAddress("Usuario", fmt.Sprintf("user%d@cliente.example", i)), Created: now, Updated: now,
					Category: []string{"", "Impresoras", "VPN"}[i%3]}
				if i%4 == 0 {
					tk.Type = tiers.TypeRequest
				}
				if err := putTicket(tx, &tk); err != nil {
					return err
				}
			}
			return tx.Bucket(bucketTickets).SetSequence(uint64(min(to, lo+perTx)))
		})
		if err != nil {
			t.Fatal(err)
		}
	}
}

func TestEachSummaryMatchesSummaries(t *testing.T) {
	s, err := Open(t.TempDir(), time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	n := 3*eachChunk + 17 // several chunks and a short last one
	putMany(t, s, 0, n)
	vpn := "VPN"
	for _, f := range []Filter{
		{},
		{Status: StatusOpen},
		{Tier: 2, Type: tiers.TypeRequest},
		{Category: vpn},
		{Category: "none"},
		{Status: StatusClosed, Tier: 2, Category: "impresoras"},
	} {
		want, err := s.Summaries(f)
		if err != nil {
			t.Fatal(err)
		}
		var got []Summary
		if err := s.EachSummary(f, func(sm Summary) error { got = append(got, sm); return nil }); err != nil {
			t.Fatal(err)
		}
		if len(want) == 0 {
			t.Fatalf("filter %+v: the fixture has no match", f)
		}
		if !slices.EqualFunc(got, want, func(a, b Summary) bool { return a.ID == b.ID && a.Status == b.Status && a.Subject == b.Subject }) {
			t.Fatalf("filter %+v: EachSummary gave %d tickets, Summaries %d (or another order)", f, len(got), len(want))
		}
	}

	// ErrStop ends it cleanly; another error comes back.
	seen := 0
	if err := s.EachSummary(Filter{}, func(Summary) error {
		seen++
		if seen == eachChunk+5 {
			return ErrStop
		}
		return nil
	}); err != nil || seen != eachChunk+5 {
		t.Fatalf("ErrStop after %d: err %v, saw %d", eachChunk+5, err, seen)
	}
	boom := errors.New("boom")
	if err := s.EachSummary(Filter{}, func(Summary) error { return boom }); !errors.Is(err, boom) {
		t.Fatalf("callback error: got %v", err)
	}

	// A ticket created while the listing runs, after its chunk, is listed.
	seen = 0
	last := uint64(0)
	if err := s.EachSummary(Filter{}, func(sm Summary) error {
		seen++
		last = sm.ID
		if seen == 1 {
			putMany(t, s, n, n+1)
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if seen != n+1 || last != uint64(n+1) {
		t.Fatalf("listing while a ticket is created: saw %d, last #%d; want %d, #%d", seen, last, n+1, n+1)
	}
}

// TestEachSummaryMemoryFlat: listing every ticket holds one chunk, so the
// heap while it runs does not grow with the database (Summaries' slice of
// every summary adds 20 MB at 60,000 tickets: measured once).
func TestEachSummaryMemoryFlat(t *testing.T) {
	s, err := Open(t.TempDir(), time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	peak := func(want int) uint64 {
		runtime.GC()
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		base, top := ms.HeapAlloc, ms.HeapAlloc
		n := 0
		err := s.EachSummary(Filter{}, func(Summary) error {
			n++
			if n%500 == 0 {
				runtime.ReadMemStats(&ms)
				top = max(top, ms.HeapAlloc)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if n != want {
			t.Fatalf("listed %d tickets, want %d", n, want)
		}
		return top - min(top, base)
	}
	const small, large = 10_000, 60_000
	putMany(t, s, 0, small)
	p1 := peak(small)
	putMany(t, s, small, large)
	p2 := peak(large)
	t.Logf("heap growth while listing: %.1f MB at %d tickets, %.1f MB at %d", float64(p1)/1e6, small, float64(p2)/1e6, large)
	const bound = 8 << 20 // the GC's 4 MB minimum target, twice
	if p2 > bound || p2 > 2*p1+(2<<20) {
		t.Fatalf("heap grew by %d bytes listing %d tickets (%d at %d): not flat", p2, large, p1, small)
	}
}
