package tickets

import (
	"cmp"
	"math/bits"
	"slices"
	"sync"
	"time"
)

// The arithmetic of the figures: counters and duration histograms that
// add up (a group, a day, a period are sums of facts), read the same way
// by the scan (aggregate_scan.go) and by the stored aggregates
// (store_aggregate.go), so both give the same report.

// counter indexes acc.n.
type counter int

const (
	cOpened counter = iota
	cResolved
	cReopened
	cEscalated
	cAnswers
	cFRMet
	cFRBreached
	cResMet
	cResBreached
	cRating1  // … cRating1+4: ratings 1–5
	nCounters = cRating1 + 5
)

// hist is a log-scale histogram of durations in whole seconds: bucket i
// holds the values v with histBucket(v) == i, counted and summed. Values
// below 256 have a bucket each; above, buckets are 1/128 of their
// magnitude wide. A quantile is the mean of its bucket's values: exact
// when they are equal, within the bucket's width (0.8 %) otherwise.
type hist struct {
	n, sum int64      // values, and their sum in seconds
	b      []histCell // the buckets used (sparse: a day has few); by index unless loose
	// loose: b was appended to without keeping it sorted, and may hold a
	// bucket more than once. A report adds thousands of days' cells into
	// few rows: appending them and sorting once (tidy) costs a fraction of
	// keeping every row sorted on each merge.
	loose  bool
	tidied int // len(b) after the last tidy: a loose b grows to at most twice that (plus a margin) before the next
}

// histCell is one bucket: its index, count and sum.
type histCell struct {
	i      uint32
	n, sum int64
}

// addBucket counts n values in bucket i summing sum.
func (h *hist) addBucket(i uint32, n, sum int64) {
	h.tidy()
	j, ok := slices.BinarySearchFunc(h.b, i, func(c histCell, i uint32) int { return cmp.Compare(c.i, i) })
	if !ok {
		h.b = slices.Insert(h.b, j, histCell{i: i})
	}
	h.b[j].n += n
	h.b[j].sum += sum
}

// appendCells adds cells to b in any order, to be tidied when b is
// read in order. A b grown well beyond its distinct buckets (a million
// tickets' single cells merged one by one) is tidied on the way, so it
// stays within about twice its tidy size.
func (h *hist) appendCells(cells ...histCell) {
	if len(h.b) == 0 && !h.loose {
		h.b = append(h.b, cells...)
		h.loose = !slices.IsSortedFunc(cells, func(x, y histCell) int { return cmp.Compare(x.i, y.i) })
		return
	}
	h.b = append(h.b, cells...)
	h.loose = true
	if len(h.b) > 2*h.tidied+1024 {
		h.tidy()
	}
}

// tidy sorts b by bucket and adds up the cells of one bucket.
func (h *hist) tidy() {
	if !h.loose {
		return
	}
	if len(h.b) >= denseTidy && h.tidyDense() {
		return
	}
	h.tidyBySort()
}

// tidyBySort is tidy by sorting the cells.
func (h *hist) tidyBySort() {
	slices.SortFunc(h.b, func(x, y histCell) int { return cmp.Compare(x.i, y.i) })
	out := h.b[:0]
	for _, c := range h.b {
		if k := len(out) - 1; k >= 0 && out[k].i == c.i {
			out[k].n += c.n
			out[k].sum += c.sum
			continue
		}
		out = append(out, c)
	}
	h.b, h.loose, h.tidied = out, false, len(out)
}

// denseTidy is the number of cells from which tidy adds them up in a table
// indexed by bucket instead of sorting them: a report's rows and totals
// gather the cells of hundreds of records, and sorting them was ~2 % of
// the 1,000,000-ticket digest's CPU (perf).
const denseTidy = 128

// tidyTable is tidyDense's table: each bucket's count and sum, and which
// buckets hold something. It is left zeroed after use.
type tidyTable struct {
	n, sum [histBuckets]int64
	used   [(histBuckets + 63) / 64]uint64
}

// histBuckets is the number of buckets histBucket can return.
const histBuckets = 256 + 55*128

var tidyTables = sync.Pool{New: func() any { return new(tidyTable) }}

// tidyDense does tidy's work in O(cells + buckets): it adds the cells up in
// a tidyTable and reads them back in bucket order. false (b unchanged)
// when a cell's bucket is out of the table's range.
func (h *hist) tidyDense() bool {
	for _, c := range h.b {
		if c.i >= histBuckets {
			return false
		}
	}
	t := tidyTables.Get().(*tidyTable)
	defer tidyTables.Put(t)
	for _, c := range h.b {
		t.n[c.i] += c.n
		t.sum[c.i] += c.sum
		t.used[c.i/64] |= 1 << (c.i % 64)
	}
	out := h.b[:0]
	for w, bitsLeft := range t.used {
		for ; bitsLeft != 0; bitsLeft &= bitsLeft - 1 {
			i := uint32(w*64 + bits.TrailingZeros64(bitsLeft))
			out = append(out, histCell{i: i, n: t.n[i], sum: t.sum[i]})
			t.n[i], t.sum[i] = 0, 0
		}
		t.used[w] = 0
	}
	h.b, h.loose, h.tidied = out, false, len(out)
	return true
}

func histBucket(v int64) uint32 {
	if v < 256 {
		return uint32(max(v, 0))
	}
	e := bits.Len64(uint64(v)) - 8 // ≥ 1
	m := uint64(v) >> e            // 128–255
	return uint32(256 + (e-1)*128 + int(m-128))
}

func (h *hist) add(secs, n int64) {
	h.addBucket(histBucket(secs), n, secs*n)
	h.n += n
	h.sum += secs * n
}

// merge adds o's values to h; o is left as it was (its cells are only
// read).
func (h *hist) merge(o *hist) {
	if o.n == 0 && len(o.b) == 0 {
		return // a delta's o.n may be 0 with cells that move a value between buckets
	}
	h.appendCells(o.b...)
	h.n += o.n
	h.sum += o.sum
}

// figures returns N, the median and 90th percentile (nearest rank) and
// the mean.
func (h *hist) figures() DurationFigures {
	if h.n <= 0 {
		return DurationFigures{}
	}
	h.tidy()
	rank := func(q float64) time.Duration {
		r := int64(q*float64(h.n) + 0.999999999)
		r = min(max(r, 1), h.n)
		var seen int64
		for _, c := range h.b {
			if c.n <= 0 {
				continue
			}
			if seen += c.n; seen >= r {
				return time.Duration(c.sum/c.n) * time.Second
			}
		}
		return 0
	}
	return DurationFigures{N: int(h.n), Median: rank(0.5), P90: rank(0.9), Mean: time.Duration(h.sum/h.n) * time.Second}
}

// acc gathers the figures of one group.
type acc struct {
	n         [nCounters]int64
	fr, res   hist
	openAtEnd int64
}

func (a *acc) merge(o *acc) {
	for i := range a.n {
		a.n[i] += o.n[i]
	}
	a.fr.merge(&o.fr)
	a.res.merge(&o.res)
	a.openAtEnd += o.openAtEnd
}

func (a *acc) figures() Figures {
	pct := func(x, of int64) float64 {
		if of == 0 {
			return 0
		}
		return float64(x) / float64(of) * 100
	}
	sla := func(target string, met, breached int64) SLAFigures {
		return SLAFigures{Target: target, Met: int(met), Breached: int(breached), Percent: pct(met, met+breached)}
	}
	var csat CSATFigures
	var sum, satisfied int64
	for r := range int64(5) {
		c := a.n[cRating1+counter(r)]
		csat.Responses += int(c)
		sum += (r + 1) * c
		if r+1 >= 4 {
			satisfied += c
		}
	}
	if csat.Responses > 0 {
		csat.Mean = float64(sum) / float64(csat.Responses)
		csat.SatisfiedPct = pct(satisfied, int64(csat.Responses))
	}
	return Figures{
		Opened: int(a.n[cOpened]), Resolved: int(a.n[cResolved]), Reopened: int(a.n[cReopened]),
		Escalated: int(a.n[cEscalated]), OpenAtEnd: int(a.openAtEnd), Answers: int(a.n[cAnswers]),
		FirstResponse: a.fr.figures(), Resolution: a.res.figures(),
		SLA: []SLAFigures{
			sla("first_response", a.n[cFRMet], a.n[cFRBreached]),
			sla("resolution", a.n[cResMet], a.n[cResBreached]),
		},
		CSAT: csat,
	}
}

// maxBucket is the highest bucket index (durations up to 2^62 s).
var maxBucket = histBucket(1 << 62)
