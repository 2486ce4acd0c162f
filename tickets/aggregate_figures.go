package tickets

import (
	"math/bits"
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
// holds the values v with histBucket(v) == i. Values below 256 have a
// bucket each; above, buckets are 1/128 of their magnitude wide.
type hist struct {
	n, sum int64   // values, and their sum in seconds
	b      []int64 // by bucket index; grown as needed
}

// bucket returns a pointer to bucket i's count, growing h.b to hold it.
func (h *hist) bucket(i uint32) *int64 {
	if int(i) >= len(h.b) {
		h.b = append(h.b, make([]int64, int(i)+1-len(h.b))...)
	}
	return &h.b[i]
}

func histBucket(v int64) uint32 {
	if v < 256 {
		return uint32(max(v, 0))
	}
	e := bits.Len64(uint64(v)) - 8 // ≥ 1
	m := uint64(v) >> e            // 128–255
	return uint32(256 + (e-1)*128 + int(m-128))
}

// histValue is the middle of bucket i (the value itself when exact).
func histValue(i uint32) int64 {
	if i < 256 {
		return int64(i)
	}
	e := (i-256)/128 + 1
	m := int64((i-256)%128 + 128)
	return m<<e + (int64(1)<<e)/2
}

func (h *hist) add(secs, n int64) {
	*h.bucket(histBucket(secs)) += n
	h.n += n
	h.sum += secs * n
}

func (h *hist) merge(o *hist) {
	if o.n == 0 {
		return
	}
	for i, c := range o.b {
		if c != 0 {
			*h.bucket(uint32(i)) += c
		}
	}
	h.n += o.n
	h.sum += o.sum
}

// figures returns N, the median and 90th percentile (nearest rank) and
// the mean.
func (h *hist) figures() DurationFigures {
	if h.n <= 0 {
		return DurationFigures{}
	}
	idx := sortedBuckets(h)
	rank := func(q float64) time.Duration {
		r := int64(q*float64(h.n) + 0.999999999)
		r = min(max(r, 1), h.n)
		var seen int64
		for _, i := range idx {
			if seen += h.b[i]; seen >= r {
				return time.Duration(histValue(i)) * time.Second
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

// sortedBuckets returns the indexes of h's buckets that are not empty,
// in order.
func sortedBuckets(h *hist) []uint32 {
	var idx []uint32
	for i, c := range h.b {
		if c != 0 {
			idx = append(idx, uint32(i))
		}
	}
	return idx
}

// maxBucket is the highest bucket index (durations up to 2^62 s).
var maxBucket = histBucket(1 << 62)
