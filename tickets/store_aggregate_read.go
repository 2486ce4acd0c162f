package tickets

import (
	"encoding/binary"
	"fmt"
	"slices"
	"time"

	bolt "go.etcd.io/bbolt"
)

// reportAgg computes q from the day aggregates: it reads the days of the
// period and, for the open-at-end figures, the open spans' days from the
// earliest period end on. false when the aggregates cannot answer q
// exactly: not built (a read-only database before its migration) or
// being rebuilt (aggReady), kept in another time zone, or bounds that are not midnight there — reportScan
// answers those.
func reportAgg(tx *bolt.Tx, q ReportQuery) (Report, bool, error) {
	if err := q.check(); err != nil {
		return Report{}, false, err
	}
	loc, ok := aggZone(tx)
	if !ok || loc.String() != q.Loc.String() {
		return Report{}, false, nil
	}
	dFrom, dTo := dayOf(unixOf(q.From), loc), dayOf(unixOf(q.To), loc)
	if !dayStart(dFrom, loc).Equal(q.From) || !dayStart(dTo, loc).Equal(q.To) {
		return Report{}, false, nil
	}
	g := newGrouper(q)
	var lastDay uint32
	var at int64
	names := map[string]string{}
	c := tx.Bucket(bucketAggDays).Cursor()
	for k, v := c.Seek(binary.BigEndian.AppendUint32(nil, dFrom)); k != nil && binary.BigEndian.Uint32(k) < dTo; k, v = c.Next() {
		day := binary.BigEndian.Uint32(k)
		kr := reader{b: k[4:], names: names}
		t := kr.tuple()
		if kr.err != nil {
			return Report{}, false, fmt.Errorf("aggregate %x: %w", k, errAggCorrupt)
		}
		if day != lastDay {
			lastDay, at = day, dayStart(day, loc).Unix()
		}
		for i, d := range q.By {
			g.key[i] = dimValue(d, &t.class, t.tier, t.agent, at, loc)
		}
		vr := reader{b: v}
		vr.acc(&g.row().acc)
		if vr.err != nil {
			return Report{}, false, fmt.Errorf("aggregate %x: %w", k, errAggCorrupt)
		}
	}
	if err := openAtEnds(tx, g, loc); err != nil {
		return Report{}, false, err
	}
	return g.report(), true, nil
}

// openAtEnds adds the open-at-end figures to g: open at day E = open now
// − opened on E or later + ended on E or later, per tuple.
func openAtEnds(tx *bolt.Tx, g *grouper, loc *time.Location) error {
	// The days the figures are taken at, latest first; the last is To's.
	ends := []uint32{dayOf(g.to, loc)}
	for _, p := range g.periods {
		ends = append(ends, dayOf(p.end, loc))
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
