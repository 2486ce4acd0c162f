package tickets

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"slices"
	"time"

	bolt "go.etcd.io/bbolt"
)

// factRecord is what one ticket counts for, as agg_facts keeps it: the
// part its Ticket value gives (counted, class, span, facts), then the
// facts of its events in timeline order.
type factRecord struct {
	state    ticketState // for the counters (store_aggregate_state.go)
	hasState bool
	counted  bool
	cl       class
	sp       span
	facts    []fact
	events   []fact
}

func appendFact(b []byte, f *fact) []byte {
	b = binary.AppendVarint(b, f.at)
	b = binary.AppendUvarint(b, uint64(f.tier))
	b = appendString(b, f.agent)
	b = append(b, byte(f.c+1), byte(f.dur))
	return binary.AppendUvarint(b, uint64(f.secs))
}

func (r *reader) fact() fact {
	f := fact{at: r.varint(), tier: int(r.uvarint()), agent: r.string()}
	if len(r.b) < 2 {
		r.err, r.b = errAggCorrupt, nil
		return f
	}
	f.c, f.dur = counter(r.b[0])-1, durKind(r.b[1])
	r.b = r.b[2:]
	if f.c < noCounter || f.c >= nCounters || f.dur > durResolution {
		r.err = errAggCorrupt
	}
	f.secs = int64(r.uvarint())
	return f
}

// ticketPart returns what t's value counts for, and its encoding.
func ticketPart(t *Ticket) (factRecord, []byte) {
	facts, sp, counted := ticketFacts(t)
	rec := factRecord{state: stateOf(t), hasState: true, counted: counted, facts: facts, sp: sp}
	b := appendState(make([]byte, 0, 96+24*len(facts)), &rec.state)
	if !counted {
		return factRecord{state: rec.state, hasState: true}, append(b, 0)
	}
	rec.cl = classOf(t)
	b = append(b, 1)
	for _, s := range [...]string{rec.cl.queue, rec.cl.typ, rec.cl.category, rec.cl.priority} {
		b = appendString(b, s)
	}
	b = binary.AppendVarint(b, sp.start)
	b = binary.AppendVarint(b, sp.end)
	b = binary.AppendUvarint(b, uint64(sp.tier))
	b = binary.AppendUvarint(b, uint64(len(facts)))
	for i := range facts {
		b = appendFact(b, &facts[i])
	}
	return rec, b
}

// splitRecord returns a stored record's ticket part and event part.
func splitRecord(v []byte) (part, events []byte, err error) {
	if v == nil {
		return nil, nil, nil
	}
	n, k := binary.Uvarint(v)
	if k <= 0 || n > uint64(len(v)-k) {
		return nil, nil, errAggCorrupt
	}
	return v[k : k+int(n)], v[k+int(n):], nil
}

// decodeRecord reads a stored record; events only when withEvents.
func decodeRecord(v []byte, withEvents bool) (factRecord, error) {
	var rec factRecord
	part, events, err := splitRecord(v)
	if err != nil {
		return rec, err
	}
	r := reader{b: part}
	if len(part) > 0 {
		rec.state, rec.hasState = r.state(), true
		if len(r.b) == 0 {
			return rec, errAggCorrupt
		}
		rec.counted = r.b[0] == 1
		r.b = r.b[1:]
	}
	if rec.counted {
		rec.cl = class{queue: r.string(), typ: r.string(), category: r.string(), priority: r.string()}
		rec.sp = span{start: r.varint(), end: r.varint(), tier: int(r.uvarint())}
		n := r.uvarint()
		if n > uint64(len(r.b)) {
			return rec, errAggCorrupt
		}
		rec.facts = make([]fact, n)
		for i := range rec.facts {
			rec.facts[i] = r.fact()
		}
	}
	if withEvents {
		er := reader{b: events}
		for len(er.b) > 0 && er.err == nil {
			rec.events = append(rec.events, er.fact())
		}
		if er.err != nil {
			return rec, er.err
		}
	}
	return rec, r.err
}

// aggDelta gathers changes to the aggregates before they are written.
type aggDelta struct {
	loc     *time.Location
	days    map[string]*acc
	spans   map[string]*[2]int64 // opened, ended (spanNow: open)
	backlog map[uint32]int64     // unix hour → open tickets opened then
	counts  map[string]int64     // agg_state's counts
	types   map[string]*acc      // agg_state's times
}

func newAggDelta(loc *time.Location) *aggDelta {
	return &aggDelta{loc: loc, days: map[string]*acc{}, spans: map[string]*[2]int64{}, backlog: map[uint32]int64{},
		counts: map[string]int64{}, types: map[string]*acc{}}
}

// fact counts n of f for a ticket of class cl.
func (d *aggDelta) fact(cl *class, f *fact, n int64) {
	k := string(dayKey(dayOf(f.at, d.loc), &tuple{tier: f.tier, agent: f.agent, class: *cl}))
	a := d.days[k]
	if a == nil {
		a = &acc{}
		d.days[k] = a
	}
	a.add(f, n)
}

// span counts n tickets open over sp.
func (d *aggDelta) span(cl *class, sp *span, n int64) {
	t := tuple{tier: sp.tier, class: *cl}
	add := func(day uint32, i int) {
		k := string(dayKey(day, &t))
		v := d.spans[k]
		if v == nil {
			v = &[2]int64{}
			d.spans[k] = v
		}
		v[i] += n
	}
	add(dayOf(sp.start, d.loc), 0)
	if sp.end != 0 {
		add(dayOf(sp.end, d.loc), 1)
		return
	}
	add(spanNow, 0)
	d.backlog[uint32(sp.start/3600)] += n
}

// record counts n of everything rec counts for; events too when withEvents.
func (d *aggDelta) record(rec *factRecord, n int64, withEvents bool) {
	if rec.hasState {
		d.state(&rec.state, n)
	}
	if !rec.counted {
		return
	}
	for i := range rec.facts {
		d.fact(&rec.cl, &rec.facts[i], n)
	}
	if withEvents {
		for i := range rec.events {
			d.fact(&rec.cl, &rec.events[i], n)
		}
	}
	d.span(&rec.cl, &rec.sp, n)
}

// apply adds the delta to the stored aggregates, deleting what falls to
// zero, so the buckets hold exactly what a rebuild writes.
func (d *aggDelta) apply(tx *bolt.Tx) error {
	// The months first: addAccs adds the stored days into d.days.
	if err := addAccs(tx.Bucket(bucketAggMonths), monthsOf(d.days)); err != nil {
		return err
	}
	if err := addAccs(tx.Bucket(bucketAggDays), d.days); err != nil {
		return err
	}
	spans := tx.Bucket(bucketAggSpans)
	for _, k := range sortedKeys(d.spans) {
		v := d.spans[k]
		if v[0] == 0 && v[1] == 0 {
			continue
		}
		if old := spans.Get([]byte(k)); old != nil {
			r := reader{b: old}
			v[0] += r.varint()
			v[1] += r.varint()
			if r.err != nil {
				return fmt.Errorf("aggregate %x: %w", k, r.err)
			}
		}
		if err := putOrDelete(spans, []byte(k), v[0] == 0 && v[1] == 0, func() []byte {
			return binary.AppendVarint(binary.AppendVarint(nil, v[0]), v[1])
		}); err != nil {
			return err
		}
	}
	if err := d.applyState(tx.Bucket(bucketAggState)); err != nil {
		return err
	}
	backlog := tx.Bucket(bucketAggBacklog)
	for hour, n := range d.backlog {
		if n == 0 {
			continue
		}
		k := binary.BigEndian.AppendUint32(nil, hour)
		if old := backlog.Get(k); old != nil {
			r := reader{b: old}
			n += r.varint()
			if r.err != nil {
				return fmt.Errorf("aggregate %x: %w", k, r.err)
			}
		}
		if err := putOrDelete(backlog, k, n == 0, func() []byte { return binary.AppendVarint(nil, n) }); err != nil {
			return err
		}
	}
	return nil
}

// unchanged reports whether the delta a changes nothing. isZero is not
// enough: a delta may move a duration from one histogram bucket to
// another (a ticket resolved again, on another day of the month) and
// leave every count as it was.
func (a *acc) unchanged() bool {
	if !a.isZero() {
		return false
	}
	for _, h := range [...]*hist{&a.fr, &a.res} {
		h.tidy()
		for _, c := range h.b {
			if c.n != 0 || c.sum != 0 {
				return false
			}
		}
	}
	return true
}

// addAccs adds deltas (key → counters and histograms, the agg_days
// encoding) to what b holds, deleting the keys that fall to zero. The
// deltas are left holding the sums.
func addAccs(b *bolt.Bucket, deltas map[string]*acc) error {
	for _, k := range sortedKeys(deltas) {
		a := deltas[k]
		if a.unchanged() {
			continue
		}
		if v := b.Get([]byte(k)); v != nil {
			r := reader{b: v}
			r.acc(a)
			if r.err != nil {
				return fmt.Errorf("aggregate %x: %w", k, r.err)
			}
		}
		if err := putOrDelete(b, []byte(k), a.isZero(), func() []byte { return appendAcc(nil, a) }); err != nil {
			return err
		}
	}
	return nil
}

func putOrDelete(b *bolt.Bucket, k []byte, zero bool, value func() []byte) error {
	if zero {
		return b.Delete(k)
	}
	return b.Put(k, value())
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// aggTicket brings the aggregates up to date with t, just written.
func aggTicket(tx *bolt.Tx, t *Ticket) error {
	loc, ok, err := aggWriteZone(tx, t.ID)
	if err != nil || !ok {
		return err // not counted yet: the migration or rebuild will
	}
	fb := tx.Bucket(bucketAggFacts)
	rec, part := ticketPart(t)
	key := u64(t.ID)
	old := fb.Get(key)
	oldPart, events, err := splitRecord(old)
	if err != nil {
		return fmt.Errorf("aggregates of ticket %d: %w", t.ID, err)
	}
	if old != nil && bytes.Equal(oldPart, part) {
		return nil
	}
	prev, err := decodeRecord(old, true)
	if err != nil {
		return fmt.Errorf("aggregates of ticket %d: %w", t.ID, err)
	}
	rec.events = prev.events
	// The events' facts move only when the ticket's class does.
	moved := prev.counted != rec.counted || prev.cl != rec.cl
	d := newAggDelta(loc)
	d.record(&prev, -1, moved)
	d.record(&rec, 1, moved)
	v := append(binary.AppendUvarint(make([]byte, 0, len(part)+len(events)+4), uint64(len(part))), part...)
	if err := fb.Put(key, append(v, events...)); err != nil {
		return err
	}
	return d.apply(tx)
}

// aggEvent counts e, just added, when it is a fact (an answer, an
// escalation).
func aggEvent(tx *bolt.Tx, e *Event) error {
	loc, ok, err := aggWriteZone(tx, e.Ticket)
	if err != nil || !ok {
		return err // not counted yet: the migration or rebuild will
	}
	if err := addCount(tx.Bucket(bucketAggState), keyAggEvents, 1); err != nil {
		return err
	}
	f, ok := eventFact(e)
	if !ok {
		return nil
	}
	fb := tx.Bucket(bucketAggFacts)
	key := u64(e.Ticket)
	old := fb.Get(key)
	var v []byte
	if old == nil {
		v = []byte{0} // no ticket part yet: its putTicket comes later in this transaction
	} else {
		v = bytes.Clone(old)
	}
	if err := fb.Put(key, appendFact(v, &f)); err != nil {
		return err
	}
	rec, err := decodeRecord(old, false)
	if err != nil {
		return fmt.Errorf("aggregates of ticket %d: %w", e.Ticket, err)
	}
	if !rec.counted {
		return nil
	}
	d := newAggDelta(loc)
	d.fact(&rec.cl, &f, 1)
	return d.apply(tx)
}
