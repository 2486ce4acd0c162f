package tickets

import (
	"slices"
	"strings"
	"time"

	"github.com/ticketd/ticketd/tiers"
)

// TypeStats are the figures of one ticket type: how many tickets, how
// many open (new, open, pending), resolved (or closed after a
// resolution), and the times to first response and to resolution (wall
// clock since opening) of those that got them: medians, and the figures
// of the counters' histograms. Type "" counts tickets
// stored before types existed: DefaultTypes merges them into their
// queue's default.
type TypeStats struct {
	Type          tiers.Type    `json:"type"`
	Tickets       int           `json:"tickets"`
	Open          int           `json:"open"`
	Resolved      int           `json:"resolved"`
	FirstResponse time.Duration `json:"median_first_response,omitempty"`
	Resolution    time.Duration `json:"median_resolution,omitempty"`
	// The figures of the times, for the metrics.
	FirstResponseTimes DurationFigures `json:"first_response_times"`
	ResolutionTimes    DurationFigures `json:"resolution_times"`
	fr, res            hist
}

// CategoryStats counts the tickets of one category ("" : none).
type CategoryStats struct {
	Category string `json:"category"`
	Tickets  int    `json:"tickets"`
	Open     int    `json:"open"`
}

// queueType is a type in one queue.
type queueType struct {
	queue string
	typ   tiers.Type
}

// kindStats gathers TypeStats (per queue, for the default types) and
// CategoryStats.
type kindStats struct {
	byQueueType map[queueType]*TypeStats
	cats        map[string]*CategoryStats
}

func newKindStats() *kindStats {
	return &kindStats{byQueueType: map[queueType]*TypeStats{}, cats: map[string]*CategoryStats{}}
}

func (k *kindStats) typeStats(queue string, typ tiers.Type) *TypeStats {
	ts := k.byQueueType[queueType{queue, typ}]
	if ts == nil {
		ts = &TypeStats{Type: typ}
		k.byQueueType[queueType{queue, typ}] = ts
	}
	return ts
}

// count adds n tickets of queue, type, category and status.
func (k *kindStats) count(queue string, typ tiers.Type, cat string, status Status, n int) {
	ts := k.typeStats(queue, typ)
	cs := k.cats[cat]
	if cs == nil {
		cs = &CategoryStats{Category: cat}
		k.cats[cat] = cs
	}
	ts.Tickets += n
	cs.Tickets += n
	switch status {
	case StatusNew, StatusOpen, StatusPending:
		ts.Open += n
		cs.Open += n
	}
}

// times adds the resolved count and the times of a (counters' form).
func (k *kindStats) times(queue string, typ tiers.Type, a *acc) {
	ts := k.typeStats(queue, typ)
	ts.Resolved += int(a.n[cResolved])
	ts.fr.merge(&a.fr)
	ts.res.merge(&a.res)
}

// add counts a ticket, read in part when the database has no counters
// (read-only, before its migration).
func (k *kindStats) add(t *ticketHead) {
	k.count(t.Queue, t.Type, t.Category, t.Status, 1)
	st := stateOf(&Ticket{Status: t.Status, Created: t.Created, FirstResponse: t.FirstResponse, ResolvedAt: t.ResolvedAt})
	var a acc
	if st.firstResp >= 0 {
		a.fr.add(st.firstResp, 1)
	}
	if st.resolved >= 0 {
		a.n[cResolved]++
		a.res.add(st.resolved, 1)
	}
	k.times(t.Queue, t.Type, &a)
}

// merged returns the figures per type, every queue together.
func merged(byQueueType map[queueType]*TypeStats, typeOf func(queueType) tiers.Type) []TypeStats {
	byType := map[tiers.Type]*TypeStats{}
	for qt, ts := range byQueueType {
		typ := typeOf(qt)
		r := byType[typ]
		if r == nil {
			r = &TypeStats{Type: typ}
			byType[typ] = r
		}
		r.Tickets += ts.Tickets
		r.Open += ts.Open
		r.Resolved += ts.Resolved
		r.fr.merge(&ts.fr)
		r.res.merge(&ts.res)
	}
	var types []TypeStats
	for _, r := range byType {
		r.FirstResponseTimes, r.ResolutionTimes = r.fr.figures(), r.res.figures()
		r.FirstResponse, r.Resolution = r.FirstResponseTimes.Median, r.ResolutionTimes.Median
		types = append(types, *r)
	}
	sortTypes(types)
	return types
}

// rows returns the figures in a stable order: types as tiers.Types, then
// categories by name, none last.
func (k *kindStats) rows() ([]TypeStats, []CategoryStats) {
	types := merged(k.byQueueType, func(qt queueType) tiers.Type { return qt.typ })
	var cats []CategoryStats
	for _, cs := range k.cats {
		cats = append(cats, *cs)
	}
	slices.SortFunc(cats, func(a, b CategoryStats) int {
		if (a.Category == "") != (b.Category == "") {
			if a.Category == "" {
				return 1
			}
			return -1
		}
		return strings.Compare(a.Category, b.Category)
	})
	return types, cats
}

// sortTypes orders rows as tiers.Types, unknown and "" last.
func sortTypes(rows []TypeStats) {
	rank := func(t tiers.Type) int {
		if i := slices.Index(tiers.Types, t); i >= 0 {
			return i
		}
		return len(tiers.Types)
	}
	slices.SortFunc(rows, func(a, b TypeStats) int { return rank(a.Type) - rank(b.Type) })
}

// sortCounts orders counts by queue, status, tier, then type.
func sortCounts(counts []Count) {
	slices.SortFunc(counts, func(a, b Count) int {
		if c := strings.Compare(a.Queue, b.Queue); c != 0 {
			return c
		}
		if c := statusRank(a.Status) - statusRank(b.Status); c != 0 {
			return c
		}
		if a.Tier != b.Tier {
			return a.Tier - b.Tier
		}
		return strings.Compare(string(a.Type), string(b.Type))
	})
}

// DefaultType counts the tickets without a type (stored before types
// existed) as typ, as everything else reads them.
func (st *Stats) DefaultType(typ tiers.Type) {
	st.DefaultTypes(func(string) tiers.Type { return typ })
}

// DefaultTypes counts the tickets without a type (stored before types
// existed) as their queue's default type, def(Ticket.Queue). A Stats
// decoded from JSON lacks the per-queue figures: its untyped times go to
// the default queue's default.
func (st *Stats) DefaultTypes(def func(queue string) tiers.Type) {
	counts := slices.Clone(st.Counts)
	for i := range counts {
		if counts[i].Type == "" {
			counts[i].Type = def(counts[i].Queue)
		}
	}
	sortCounts(counts)
	st.Counts = mergeCounts(counts)
	if st.byQueueType == nil {
		st.byQueueType = map[queueType]*TypeStats{}
		for i := range st.ByType {
			r := st.ByType[i]
			st.byQueueType[queueType{typ: r.Type}] = &r
		}
	}
	st.ByType = merged(st.byQueueType, func(qt queueType) tiers.Type {
		if qt.typ == "" {
			return def(qt.queue)
		}
		return qt.typ
	})
}

// mergeCounts adds up neighbours (sorted) of the same queue, status, tier
// and type.
func mergeCounts(counts []Count) []Count {
	var out []Count
	for _, c := range counts {
		if n := len(out); n > 0 && out[n-1].Queue == c.Queue && out[n-1].Status == c.Status && out[n-1].Tier == c.Tier && out[n-1].Type == c.Type {
			out[n-1].N += c.N
			continue
		}
		out = append(out, c)
	}
	return out
}
