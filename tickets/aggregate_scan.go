package tickets

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	bolt "go.etcd.io/bbolt"
)

// reportScan computes a report by reading every ticket and event: the
// reference the stored aggregates are checked against, and the way to
// answer a query the day aggregates cannot (bounds that are not midnight
// in the aggregates' time zone).
func reportScan(tx *bolt.Tx, q ReportQuery) (Report, error) {
	if err := q.check(); err != nil {
		return Report{}, err
	}
	g := newGrouper(q)
	classes := map[uint64]class{}
	type openSpan struct {
		cl class
		sp span
	}
	var spans []openSpan
	err := forTickets(tx, func(t Ticket) error {
		facts, sp, ok := ticketFacts(&t)
		if !ok {
			return nil
		}
		cl := classOf(&t)
		classes[t.ID] = cl
		spans = append(spans, openSpan{cl, sp})
		for i := range facts {
			g.fact(&cl, &facts[i], 1)
		}
		return nil
	})
	if err != nil {
		return Report{}, err
	}
	err = tx.Bucket(bucketEvents).ForEach(func(k, v []byte) error {
		if !mayCount(v) {
			return nil
		}
		var e Event
		if err := json.Unmarshal(v, &e); err != nil {
			return fmt.Errorf("event %x: %w", k, err)
		}
		cl, ok := classes[e.Ticket]
		if !ok {
			return nil
		}
		if f, ok := eventFact(&e); ok {
			g.fact(&cl, &f, 1)
		}
		return nil
	})
	if err != nil {
		return Report{}, err
	}
	for _, s := range spans {
		g.span(&s.cl, &s.sp, 1)
	}
	return g.report(), nil
}

// grouper adds facts and open spans up into a report's groups.
type grouper struct {
	q        ReportQuery
	from, to int64
	rows     map[string]*groupRow
	total    acc // open at end only: the rest is the sum of the rows
	periods  []period // the time-dimension rows' periods; one (To) without
	key      []string
}

type groupRow struct {
	group []string
	acc   acc
}

// period is one combination of the query's time-dimension values (by
// position in By, "" elsewhere) and when it ends (capped at To): the
// instant its open-at-end figure is taken at.
type period struct {
	vals []string
	end  int64
}

func newGrouper(q ReportQuery) *grouper {
	g := &grouper{q: q, from: unixOf(q.From), to: unixOf(q.To), rows: map[string]*groupRow{}, key: make([]string, len(q.By))}
	g.periods = periods(q)
	return g
}

// periods lists the query's time periods in order: the distinct
// combinations of its time dims over the days of [From, To).
func periods(q ReportQuery) []period {
	timed := slices.ContainsFunc(q.By, Dim.isTime)
	if !timed {
		return []period{{vals: make([]string, len(q.By)), end: unixOf(q.To)}}
	}
	var out []period
	y, m, d := q.From.In(q.Loc).Date()
	for day := time.Date(y, m, d, 0, 0, 0, 0, q.Loc); day.Before(q.To); day = time.Date(y, m, d, 0, 0, 0, 0, q.Loc) {
		at := day
		if at.Before(q.From) {
			at = q.From
		}
		p := period{vals: make([]string, len(q.By)), end: unixOf(q.To)}
		for i, dim := range q.By {
			if dim.isTime() {
				p.vals[i] = periodOf(dim, at, q.Loc)
				p.end = min(p.end, unixOf(periodEnd(dim, at, q.Loc)))
			}
		}
		if n := len(out); n == 0 || !slices.Equal(out[n-1].vals, p.vals) {
			out = append(out, p)
		}
		d++
	}
	return out
}

// row returns the row of the group in g.key, made on first use.
func (g *grouper) row() *groupRow {
	k := strings.Join(g.key, "\x00")
	r := g.rows[k]
	if r == nil {
		r = &groupRow{group: slices.Clone(g.key)}
		g.rows[k] = r
	}
	return r
}

// fact counts n of f (of a ticket of class cl) when it falls in the period.
func (g *grouper) fact(cl *class, f *fact, n int64) {
	if f.at < g.from || f.at >= g.to {
		return
	}
	for i, d := range g.q.By {
		g.key[i] = dimValue(d, cl, f.tier, f.agent, f.at, g.q.Loc)
	}
	g.row().acc.add(f, n)
}

// span counts n tickets open over sp where they are open at the end of
// each period and of the query.
func (g *grouper) span(cl *class, sp *span, n int64) {
	openAt := func(at int64) bool { return sp.start < at && (sp.end == 0 || sp.end >= at) }
	if openAt(g.to) {
		g.total.openAtEnd += n
	}
	for _, p := range g.periods {
		if !openAt(p.end) {
			continue
		}
		for i, d := range g.q.By {
			if d.isTime() {
				g.key[i] = p.vals[i]
			} else {
				g.key[i] = dimValue(d, cl, sp.tier, "", 0, g.q.Loc)
			}
		}
		g.row().acc.openAtEnd += n
	}
}

// report returns the figures gathered, rows in order.
func (g *grouper) report() Report {
	r := Report{Query: g.q}
	for _, row := range g.rows {
		if row.acc.isZero() {
			continue
		}
		open := g.total.openAtEnd
		g.total.merge(&row.acc)
		g.total.openAtEnd = open
		r.Rows = append(r.Rows, ReportRow{Group: row.group, Figures: row.acc.figures()})
	}
	r.Total = g.total.figures()
	slices.SortFunc(r.Rows, func(a, b ReportRow) int { return compareGroups(g.q.By, a.Group, b.Group) })
	return r
}

// isZero reports whether a counts nothing (deltas may cancel out).
func (a *acc) isZero() bool {
	return a.n == [nCounters]int64{} && a.fr.n == 0 && a.res.n == 0 && a.openAtEnd == 0
}

// backlogScan counts the open tickets by age, reading every ticket.
func backlogScan(tx *bolt.Tx, now time.Time) ([]AgeBucket, error) {
	out := slices.Clone(backlogAges)
	err := forTickets(tx, func(t Ticket) error {
		_, sp, ok := ticketFacts(&t)
		if ok && sp.end == 0 && (t.Status == StatusNew || t.Status == StatusOpen || t.Status == StatusPending) {
			countAge(out, now, sp.start/3600, 1)
		}
		return nil
	})
	return out, err
}

// countAge adds n tickets opened in the hour (unix hours) to their
// bucket of out.
func countAge(out []AgeBucket, now time.Time, hour, n int64) {
	age := now.Sub(time.Unix(hour*3600, 0))
	for i := len(out) - 1; i >= 0; i-- {
		if age >= out[i].MinAge || i == 0 {
			out[i].N += int(n)
			return
		}
	}
}
