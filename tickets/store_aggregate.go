package tickets

import (
	"encoding/binary"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	bolt "go.etcd.io/bbolt"
)

// The stored aggregates (layout in doc.go). Every ticket write
// (putTicket) and every counted event (addEvent) updates them in the same
// transaction, by difference: agg_facts keeps what each ticket counts for
// now, the new facts are compared with it, and only a change touches the
// day aggregates (and their months'). Most writes change no fact (a mail appended, a
// notification queued): they cost one Get and a compare.

var (
	bucketAggFacts   = []byte("agg_facts")
	bucketAggDays    = []byte("agg_days")
	bucketAggMonths  = []byte("agg_months")
	bucketAggSpans   = []byte("agg_spans")
	bucketAggBacklog = []byte("agg_backlog")
	keyAggZone       = []byte("agg_zone")
	aggBuckets       = [][]byte{bucketAggFacts, bucketAggDays, bucketAggMonths, bucketAggSpans, bucketAggBacklog, bucketAggState}
)

// spanNow is the day key under which agg_spans keeps the tickets open now.
const spanNow = ^uint32(0)

// tuple is where a fact is counted besides its day.
type tuple struct {
	tier  int
	agent string
	class
}

// appendString appends s with its length before it: the strings and
// byte fields of every compact binary record (aggregates, events,
// tickets), read back by reader.bytes and reader.string.
func appendString[S ~string | ~[]byte](b []byte, s S) []byte {
	return append(binary.AppendUvarint(b, uint64(len(s))), s...)
}

// appendTuple encodes t; the key of a day aggregate is u32be(day) + this.
func appendTuple(b []byte, t *tuple) []byte {
	b = binary.AppendUvarint(b, uint64(t.tier))
	for _, s := range [...]string{t.agent, t.queue, t.typ, t.category, t.priority} {
		b = appendString(b, s)
	}
	return b
}

// reader decodes the compact binary forms; the first error sticks.
type reader struct {
	b   []byte
	err error
	// names, when not nil, holds the strings read so far: thousands of
	// records name the same few agents, queues and categories, and a
	// lookup by the bytes allocates nothing.
	names map[string]string
}

var errAggCorrupt = errors.New("aggregate record corrupt")

func (r *reader) uvarint() uint64 {
	v, n := binary.Uvarint(r.b)
	if n <= 0 {
		r.err, r.b = errAggCorrupt, nil
		return 0
	}
	r.b = r.b[n:]
	return v
}

func (r *reader) varint() int64 {
	v, n := binary.Varint(r.b)
	if n <= 0 {
		r.err, r.b = errAggCorrupt, nil
		return 0
	}
	r.b = r.b[n:]
	return v
}

// bytes returns the next length-prefixed field in the record's memory
// (bbolt's, during a transaction): callers copy what they keep.
func (r *reader) bytes() []byte {
	n := r.uvarint()
	if n > uint64(len(r.b)) {
		r.err, r.b = errAggCorrupt, nil
		return nil
	}
	b := r.b[:n:n]
	r.b = r.b[n:]
	return b
}

func (r *reader) string() string {
	b := r.bytes()
	if r.names == nil {
		return string(b)
	}
	if s, ok := r.names[string(b)]; ok {
		return s
	}
	s := string(b)
	r.names[s] = s
	return s
}

// check records a malformed record unless ok, and reports whether the
// reading is still sound.
func (r *reader) check(ok bool) bool {
	if !ok && r.err == nil {
		r.err, r.b = errAggCorrupt, nil
	}
	return ok && r.err == nil
}

// count reads a list's length; each element takes at least min bytes, so
// a damaged length cannot make a huge allocation.
func (r *reader) count(min int) int {
	n := r.uvarint()
	if !r.check(n <= uint64(len(r.b)/min)) {
		return 0
	}
	return int(n)
}

func (r *reader) tuple() tuple {
	var t tuple
	t.tier = int(r.uvarint())
	t.agent, t.queue, t.typ, t.category, t.priority = r.string(), r.string(), r.string(), r.string(), r.string()
	return t
}

// dayKey is the key of day's aggregate of t.
func dayKey(day uint32, t *tuple) []byte {
	return appendTuple(binary.BigEndian.AppendUint32(make([]byte, 0, 48), day), t)
}

// dayOf numbers the civil day holding unix second at in loc (days since
// 1970-01-01, offset to stay positive).
func dayOf(at int64, loc *time.Location) uint32 {
	y, m, d := time.Unix(at, 0).In(loc).Date()
	return uint32(time.Date(y, m, d, 0, 0, 0, 0, time.UTC).Unix()/86400 + 1<<30)
}

// monthOf is the day that starts day's civil month: the key under which
// agg_months sums the days of a month (the same days, so the zone is
// already in them).
func monthOf(day uint32) uint32 {
	y, m, _ := civil(day)
	return uint32(time.Date(y, m, 1, 0, 0, 0, 0, time.UTC).Unix()/86400 + 1<<30)
}

// nextMonth is the first day of the month after day's.
func nextMonth(day uint32) uint32 {
	y, m, _ := civil(day)
	return uint32(time.Date(y, m+1, 1, 0, 0, 0, 0, time.UTC).Unix()/86400 + 1<<30)
}

// civil is day's date.
func civil(day uint32) (int, time.Month, int) {
	return time.Unix((int64(day)-1<<30)*86400, 0).UTC().Date()
}

// dayStart is the instant day starts in loc.
func dayStart(day uint32, loc *time.Location) time.Time {
	y, m, d := civil(day)
	return time.Date(y, m, d, 0, 0, 0, 0, loc)
}

// appendAcc encodes a: a mask of the counters that are not zero and
// their values, then both histograms (n, sum, buckets as index deltas
// and counts, zero ones left out).
func appendAcc(b []byte, a *acc) []byte {
	var mask uint64
	for i, v := range a.n {
		if v != 0 {
			mask |= 1 << i
		}
	}
	b = binary.AppendUvarint(b, mask)
	for _, v := range a.n {
		if v != 0 {
			b = binary.AppendVarint(b, v)
		}
	}
	for _, h := range [...]*hist{&a.fr, &a.res} {
		b = appendHist(b, h)
	}
	return b
}

func appendHist(b []byte, h *hist) []byte {
	b = binary.AppendVarint(b, h.n)
	if h.n == 0 {
		return b
	}
	b = binary.AppendVarint(b, h.sum)
	h.tidy()
	used := 0
	for _, c := range h.b {
		if c.n != 0 {
			used++
		}
	}
	b = binary.AppendUvarint(b, uint64(used))
	prev := uint32(0)
	for _, c := range h.b {
		if c.n == 0 {
			continue
		}
		b = binary.AppendUvarint(b, uint64(c.i-prev))
		b = binary.AppendVarint(b, c.n)
		b = binary.AppendVarint(b, c.sum)
		prev = c.i
	}
	return b
}

// readAcc adds the encoded acc in r to a.
func (r *reader) acc(a *acc) {
	mask := r.uvarint()
	for i := range a.n {
		if mask&(1<<i) != 0 {
			a.n[i] += r.varint()
		}
	}
	for _, h := range [...]*hist{&a.fr, &a.res} {
		r.hist(h, r.varint())
	}
}

func (r *reader) hist(h *hist, n int64) {
	if n == 0 {
		return
	}
	sum := r.varint()
	k := r.uvarint()
	if k > uint64(len(r.b)) {
		r.err, r.b = errAggCorrupt, nil
		return
	}
	// The cells are decoded straight onto h's (no copy per record); on
	// an error the report fails, so h's partial cells are never read.
	start := len(h.b)
	h.b = slices.Grow(h.b, int(k))
	i := uint32(0)
	for j := range int(k) {
		d := r.uvarint()
		if (j > 0 && d == 0) || uint64(i)+d > uint64(maxBucket) {
			r.err, r.b = errAggCorrupt, nil
			return
		}
		i += uint32(d)
		h.b = append(h.b, histCell{i: i, n: r.varint(), sum: r.varint()})
	}
	cells := h.b[start:]
	h.b = h.b[:start]
	h.appendCells(cells...)
	h.n += n
	h.sum += sum
}

// zoneCache holds the time zones loaded by name.
var zoneCache sync.Map

// aggZone returns the zone the aggregates in tx are kept in; false when
// they cannot be read (aggReady): not built (opened read-only before its
// migration) or a rebuild in progress.
func aggZone(tx *bolt.Tx) (*time.Location, bool) {
	if !aggReady(tx) {
		return nil, false
	}
	loc, err := loadZone(string(tx.Bucket(bucketMeta).Get(keyAggZone)))
	return loc, err == nil
}

// aggWriteZone returns the zone in which a change to ticket is counted
// in tx; false when the aggregates do not count the ticket yet: not built
// (a database of an older schema), or a rebuild in progress has not
// reached it (it counts the ticket as it will then be). ticket 0 stands
// for what belongs to no ticket (Message-IDs), which a rebuild counts at
// its end.
func aggWriteZone(tx *bolt.Tx, ticket uint64) (*time.Location, bool, error) {
	if tx.Bucket(bucketAggFacts) == nil {
		return nil, false, nil
	}
	b, building, err := buildOf(tx)
	if err != nil {
		return nil, false, err
	}
	zone := string(tx.Bucket(bucketMeta).Get(keyAggZone))
	if building {
		if ticket == 0 || ticket > b.done {
			return nil, false, nil
		}
		zone = b.zone
	}
	loc, err := loadZone(zone)
	if err != nil {
		return nil, false, fmt.Errorf("aggregates: %w", err)
	}
	return loc, true, nil
}

// loadZone returns the zone named name ("": UTC), loaded once.
func loadZone(name string) (*time.Location, error) {
	if name == "" {
		return time.UTC, nil
	}
	if loc, ok := zoneCache.Load(name); ok {
		return loc.(*time.Location), nil
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		return nil, err
	}
	zoneCache.Store(name, loc)
	return loc, nil
}
