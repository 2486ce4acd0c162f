package tickets

import (
	"fmt"
	"math/rand/v2"
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
