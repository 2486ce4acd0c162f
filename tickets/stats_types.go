package tickets

import (
	"slices"
	"strings"
	"time"

	"github.com/ticketd/ticketd/tiers"
)

// TypeStats are the figures of one ticket type: how many tickets, how
// many open (new, open, pending), resolved (or closed after a
// resolution), and the median times to first response and to resolution
// of those that got them. Type "" counts tickets stored before types
// existed: DefaultType merges them into the desk's default.
type TypeStats struct {
	Type          tiers.Type    `json:"type"`
	Tickets       int           `json:"tickets"`
	Open          int           `json:"open"`
	Resolved      int           `json:"resolved"`
	FirstResponse time.Duration `json:"median_first_response,omitempty"`
	Resolution    time.Duration `json:"median_resolution,omitempty"`
	// The times themselves, for DefaultType and the metrics' summaries.
	FirstResponses []time.Duration `json:"-"`
	Resolutions    []time.Duration `json:"-"`
}

// CategoryStats counts the tickets of one category ("" : none).
type CategoryStats struct {
	Category string `json:"category"`
	Tickets  int    `json:"tickets"`
	Open     int    `json:"open"`
}

// statsTicket is what Stats decodes of a ticket.
type statsTicket struct {
	Queue         string     `json:"queue"`
	Status        Status     `json:"status"`
	Tier          int        `json:"tier"`
	Type          tiers.Type `json:"type"`
	Category      string     `json:"category"`
	Created       time.Time  `json:"created"`
	FirstResponse time.Time  `json:"first_response"`
	ResolvedAt    time.Time  `json:"resolved_at"`
}

// kindStats gathers TypeStats and CategoryStats over the tickets.
type kindStats struct {
	types map[tiers.Type]*TypeStats
	cats  map[string]*CategoryStats
}

func newKindStats() *kindStats {
	return &kindStats{types: map[tiers.Type]*TypeStats{}, cats: map[string]*CategoryStats{}}
}

func (k *kindStats) add(t *statsTicket) {
	ts := k.types[t.Type]
	if ts == nil {
		ts = &TypeStats{Type: t.Type}
		k.types[t.Type] = ts
	}
	cs := k.cats[t.Category]
	if cs == nil {
		cs = &CategoryStats{Category: t.Category}
		k.cats[t.Category] = cs
	}
	ts.Tickets++
	cs.Tickets++
	switch t.Status {
	case StatusNew, StatusOpen, StatusPending:
		ts.Open++
		cs.Open++
	}
	if !t.FirstResponse.IsZero() {
		ts.FirstResponses = append(ts.FirstResponses, t.FirstResponse.Sub(t.Created))
	}
	if !t.ResolvedAt.IsZero() && (t.Status == StatusResolved || t.Status == StatusClosed) {
		ts.Resolved++
		ts.Resolutions = append(ts.Resolutions, t.ResolvedAt.Sub(t.Created))
	}
}

// rows returns the figures in a stable order: types as tiers.Types, then
// categories by name, none last.
func (k *kindStats) rows() ([]TypeStats, []CategoryStats) {
	var types []TypeStats
	for _, ts := range k.types {
		ts.FirstResponse, ts.Resolution = median(ts.FirstResponses), median(ts.Resolutions)
		types = append(types, *ts)
	}
	sortTypes(types)
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
// existed) as typ, the desk's default, as everything else reads them.
func (st *Stats) DefaultType(typ tiers.Type) {
	counts := slices.Clone(st.Counts)
	for i := range counts {
		if counts[i].Type == "" {
			counts[i].Type = typ
		}
	}
	sortCounts(counts)
	st.Counts = mergeCounts(counts)
	i := slices.IndexFunc(st.ByType, func(r TypeStats) bool { return r.Type == "" })
	if i < 0 {
		return
	}
	old := st.ByType[i]
	st.ByType = slices.Delete(st.ByType, i, i+1)
	j := slices.IndexFunc(st.ByType, func(r TypeStats) bool { return r.Type == typ })
	if j < 0 {
		old.Type = typ
		st.ByType = append(st.ByType, old)
		sortTypes(st.ByType)
		return
	}
	r := &st.ByType[j]
	r.Tickets += old.Tickets
	r.Open += old.Open
	r.Resolved += old.Resolved
	r.FirstResponses = append(r.FirstResponses, old.FirstResponses...)
	r.Resolutions = append(r.Resolutions, old.Resolutions...)
	r.FirstResponse, r.Resolution = median(r.FirstResponses), median(r.Resolutions)
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
