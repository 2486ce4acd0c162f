package tickets

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// TestHistAddsRecordsInAnyOrder: a histogram that adds stored records
// (decoded in place, reader.hist; a few cells, or a month's hundreds) and
// other histograms holds what adding each value one by one gives.
func TestHistAddsRecordsInAnyOrder(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	var got, want hist
	for range 3000 {
		var rec hist
		// Mostly small records of a few buckets, sometimes a month's.
		n := 1 + rng.IntN(4)
		if rng.IntN(20) == 0 {
			n = 50 + rng.IntN(400)
		}
		for range n {
			secs := rng.Int64N(1 << uint(8+rng.IntN(16)))
			rec.add(secs, 1)
			want.add(secs, 1)
		}
		if rng.IntN(10) == 0 {
			got.merge(&rec)
			continue
		}
		r := reader{b: appendHist(nil, &rec)}
		r.hist(&got, r.varint())
		if r.err != nil || len(r.b) != 0 {
			t.Fatalf("decode: %v, %d bytes left", r.err, len(r.b))
		}
	}
	got.tidy()
	if g, w := fmt.Sprint(got.n, got.sum, got.b), fmt.Sprint(want.n, want.sum, want.b); g != w {
		t.Fatalf("added\n%s\nwant\n%s", g, w)
	}
}

// TestTidyDenseMatchesSort: tidying by table (many cells) gives what
// sorting gives: every bucket once, in order, its counts and sums added
// (deltas included: negative, or adding up to nothing).
func TestTidyDenseMatchesSort(t *testing.T) {
	if b := histBucket(math.MaxInt64); b >= histBuckets {
		t.Fatalf("histBucket(MaxInt64) = %d, beyond the table's %d buckets", b, histBuckets)
	}
	rng := rand.New(rand.NewPCG(3, 4))
	for _, n := range []int{denseTidy, 1000, 20000} {
		var cells []histCell
		for range n {
			i := histBucket(rng.Int64N(1 << uint(rng.IntN(63))))
			c := histCell{i: i, n: rng.Int64N(5) - 1}
			c.sum = c.n * int64(i)
			cells = append(cells, c)
		}
		dense, sorted := hist{b: slices.Clone(cells), loose: true}, hist{b: slices.Clone(cells), loose: true}
		dense.tidy()
		sorted.tidyBySort()
		if g, w := fmt.Sprint(dense.b, dense.tidied), fmt.Sprint(sorted.b, sorted.tidied); g != w {
			t.Fatalf("%d cells: by table\n%s\nby sort\n%s", n, g, w)
		}
	}
	// A bucket out of the table's range (a corrupt record's) is sorted.
	h := hist{b: make([]histCell, denseTidy), loose: true}
	h.b[0].i = histBuckets
	h.tidy()
	if len(h.b) != 2 || h.b[1].i != histBuckets {
		t.Fatalf("out of range: %v", h.b)
	}
}
