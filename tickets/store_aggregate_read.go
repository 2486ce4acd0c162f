package tickets

import (
	"encoding/binary"
	"fmt"
	"slices"
	"time"

	bolt "go.etcd.io/bbolt"
)

// reportAgg computes q from the aggregates (reportsAgg); false when they
// cannot answer it exactly.
func reportAgg(tx *bolt.Tx, q ReportQuery) (Report, bool, error) {
	rs, ok, err := reportsAgg(tx, []ReportQuery{q})
	if err != nil || !ok[0] {
		return Report{}, false, err
	}
	return rs[0], true, nil
}

// reportsAgg computes the queries qs from the aggregates: for each
// period, its records are read once for all the queries of that period,
// and one walk of agg_spans gives every query's open-at-end figures (the
// digest asks for seven reports over a few periods). A period's whole
// months come from agg_months when no query groups finer than a month,
// its edges from agg_days. ok[i] is false when the aggregates cannot
// answer qs[i] exactly — not built (a read-only database before its
// migration) or being rebuilt (aggReady), kept in another time zone, or
// bounds that are not midnight there — and reportScan answers it.
func reportsAgg(tx *bolt.Tx, qs []ReportQuery) ([]Report, []bool, error) {
	rs, ok := make([]Report, len(qs)), make([]bool, len(qs))
	for i := range qs {
		if err := qs[i].check(); err != nil {
			return nil, nil, err
		}
	}
	loc, built := aggZone(tx)
	if !built {
		return rs, ok, nil
	}
	// The groupers of each period, in the order first asked.
	var gs []*grouper
	var periods [][]*grouper
	for i, q := range qs {
		if loc.String() != q.Loc.String() {
			continue
		}
		dFrom, dTo := dayOf(unixOf(q.From), loc), dayOf(unixOf(q.To), loc)
		if !dayStart(dFrom, loc).Equal(q.From) || !dayStart(dTo, loc).Equal(q.To) {
			continue
		}
		ok[i] = true
		g := newGrouper(q)
		gs = append(gs, g)
		j := slices.IndexFunc(periods, func(p []*grouper) bool { return p[0].from == g.from && p[0].to == g.to })
		if j < 0 {
			periods = append(periods, nil)
			j = len(periods) - 1
		}
		periods[j] = append(periods[j], g)
	}
	if len(gs) == 0 {
		return rs, ok, nil
	}
	names := map[string]string{}
	for _, p := range periods {
		if err := readPeriod(tx, p, loc, names); err != nil {
			return nil, nil, err
		}
	}
	if err := openAtEnds(tx, gs, loc); err != nil {
		return nil, nil, err
	}
	for i, j := 0, 0; i < len(qs); i++ {
		if ok[i] {
			rs[i] = gs[j].report()
			j++
		}
	}
	return rs, ok, nil
}

// readPeriod adds the records of the period of gs (all the same) to each:
// the whole months inside it from agg_months when none of gs groups by
// day or week, the rest from agg_days.
func readPeriod(tx *bolt.Tx, gs []*grouper, loc *time.Location, names map[string]string) error {
	days := tx.Bucket(bucketAggDays)
	dFrom, dTo := dayOf(gs[0].from, loc), dayOf(gs[0].to, loc)
	monthly := !slices.ContainsFunc(gs, func(g *grouper) bool {
		return slices.Contains(g.q.By, DimDay) || slices.Contains(g.q.By, DimWeek)
	})
	// agg_months exists from schema 4 on, whole whenever the days are
	// (aggReady); a read-only store of schema 3 has none.
	if months := tx.Bucket(bucketAggMonths); monthly && months != nil {
		m0, m1 := dFrom, monthOf(dTo) // the whole months: [m0, m1)
		if monthOf(dFrom) != dFrom {
			m0 = nextMonth(dFrom)
		}
		if m0 < m1 {
			for _, r := range [...]struct {
				b        *bolt.Bucket
				from, to uint32
			}{{days, dFrom, m0}, {months, m0, m1}, {days, m1, dTo}} {
				if err := readRecords(r.b, r.from, r.to, gs, loc, names); err != nil {
					return err
				}
			}
			return nil
		}
	}
	return readRecords(days, dFrom, dTo, gs, loc, names)
}

// readRecords adds b's records (agg_days' encoding) keyed from day from
// to before day to into each of gs' groups.
func readRecords(b *bolt.Bucket, from, to uint32, gs []*grouper, loc *time.Location, names map[string]string) error {
	if from >= to {
		return nil
	}
	var lastDay uint32
	var at int64
	var one acc // a record's figures, when several groupers add them
	c := b.Cursor()
	for k, v := c.Seek(binary.BigEndian.AppendUint32(nil, from)); k != nil && binary.BigEndian.Uint32(k) < to; k, v = c.Next() {
		day := binary.BigEndian.Uint32(k)
		kr := reader{b: k[4:], names: names}
		t := kr.tuple()
		if kr.err != nil {
			return fmt.Errorf("aggregate %x: %w", k, errAggCorrupt)
		}
		if day != lastDay {
			lastDay, at = day, dayStart(day, loc).Unix()
		}
		vr := reader{b: v}
		if len(gs) > 1 {
			one = acc{fr: hist{b: one.fr.b[:0]}, res: hist{b: one.res.b[:0]}}
			vr.acc(&one)
		}
		for _, g := range gs {
			for i, d := range g.q.By {
				g.key[i] = dimValue(d, &t.class, t.tier, t.agent, at, loc)
			}
			if len(gs) > 1 {
				g.row().acc.merge(&one)
			} else {
				vr.acc(&g.row().acc)
			}
		}
		if vr.err != nil {
			return fmt.Errorf("aggregate %x: %w", k, errAggCorrupt)
		}
	}
	return nil
}

// openAtEnds adds the open-at-end figures to each of gs, in one walk of
// agg_spans: open at day E = open now − opened on E or later + ended on
// E or later, per tuple.
func openAtEnds(tx *bolt.Tx, gs []*grouper, loc *time.Location) error {
	// The days the figures are taken at, latest first.
	var ends []uint32
	for _, g := range gs {
		ends = append(ends, dayOf(g.to, loc))
		for _, p := range g.periods {
			ends = append(ends, dayOf(p.end, loc))
		}
	}
	slices.Sort(ends)
	ends = slices.Compact(ends)
	slices.Reverse(ends)
	tuples := map[string]tuple{}
	now := map[string]int64{}
	suffix := map[string]int64{}
	open := map[uint32]map[string]int64{}
	snapshot := func(day uint32) {
		m := map[string]int64{}
		for k := range tuples {
			if n := now[k] - suffix[k]; n != 0 {
				m[k] = n
			}
		}
		open[day] = m
	}
	read := func(k, v []byte) (string, int64, int64, error) {
		tk := string(k[4:])
		if _, ok := tuples[tk]; !ok {
			r := reader{b: k[4:]}
			tuples[tk] = r.tuple()
			if r.err != nil {
				return "", 0, 0, fmt.Errorf("aggregate %x: %w", k, r.err)
			}
		}
		r := reader{b: v}
		a, b := r.varint(), r.varint()
		if r.err != nil {
			return "", 0, 0, fmt.Errorf("aggregate %x: %w", k, r.err)
		}
		return tk, a, b, nil
	}
	c := tx.Bucket(bucketAggSpans).Cursor()
	nowKey := binary.BigEndian.AppendUint32(nil, spanNow)
	for k, v := c.Seek(nowKey); k != nil; k, v = c.Next() {
		tk, n, _, err := read(k, v)
		if err != nil {
			return err
		}
		now[tk] += n
	}
	k, v := c.Seek(nowKey)
	if k == nil {
		k, v = c.Last()
	} else {
		k, v = c.Prev()
	}
	ei := 0
	for ; k != nil && ei < len(ends); k, v = c.Prev() {
		day := binary.BigEndian.Uint32(k)
		for ei < len(ends) && day < ends[ei] {
			snapshot(ends[ei])
			ei++
		}
		if ei == len(ends) {
			break
		}
		tk, opened, ended, err := read(k, v)
		if err != nil {
			return err
		}
		suffix[tk] += opened - ended
	}
	for ; ei < len(ends); ei++ {
		snapshot(ends[ei])
	}
	for _, g := range gs {
		for _, n := range open[dayOf(g.to, loc)] {
			g.total.openAtEnd += n
		}
		for _, p := range g.periods {
			for tk, n := range open[dayOf(p.end, loc)] {
				t := tuples[tk]
				for i, d := range g.q.By {
					if d.isTime() {
						g.key[i] = p.vals[i]
					} else {
						g.key[i] = dimValue(d, &t.class, t.tier, "", 0, loc)
					}
				}
				g.row().acc.openAtEnd += n
			}
		}
	}
	return nil
}

// backlogAgg counts the open tickets by age from agg_backlog; false when
// the aggregates are not built.
func backlogAgg(tx *bolt.Tx, now time.Time) ([]AgeBucket, bool, error) {
	out := slices.Clone(backlogAges)
	ok, err := openHours(tx, func(hour time.Time, n int64) bool {
		countAge(out, now, hour.Unix()/3600, n)
		return true
	})
	if !ok {
		return nil, false, err
	}
	return out, true, err
}

// openHours calls f with each hour (unix seconds of its start) in which
// tickets open now were opened, oldest first, and how many: the report
// aggregates' agg_backlog, the one reader of its records (the digest's
// oldest open tickets and backlogAgg).
// false when the store has no whole aggregates (aggReady).
func openHours(tx *bolt.Tx, f func(hour time.Time, n int64) bool) (bool, error) {
	b := tx.Bucket(bucketAggBacklog)
	if b == nil || !aggReady(tx) {
		return false, nil
	}
	c := b.Cursor()
	for k, v := c.First(); k != nil; k, v = c.Next() {
		r := reader{b: v}
		n := r.varint()
		if len(k) != 4 || r.err != nil {
			return true, fmt.Errorf("aggregate %x: %w", k, errAggCorrupt)
		}
		if n > 0 && !f(time.Unix(int64(binary.BigEndian.Uint32(k))*3600, 0), n) {
			break
		}
	}
	return true, nil
}
