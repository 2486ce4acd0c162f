package tickets

import (
	"encoding/binary"
	"fmt"

	bolt "go.etcd.io/bbolt"

	"github.com/ticketd/ticketd/tiers"
)

// Counters of the present, for Stats and the metrics: tickets by queue,
// status, tier, type and category; per queue and type, the resolved ones
// and histograms of their wall-clock times to first response and to
// resolution; events and Message-IDs. Kept by difference with the report
// aggregates (agg_facts holds each ticket's state), in agg_state.

var (
	bucketAggState = []byte("agg_state")
	keyAggEvents   = []byte("events")
	keyAggMsgIDs   = []byte("msgids")
)

// ticketState is what the counters count of a ticket now.
type ticketState struct {
	status              Status
	tier                int
	queue, typ, cat     string
	firstResp, resolved int64 // wall-clock seconds since opening; -1: none
}

func stateOf(t *Ticket) ticketState {
	st := ticketState{status: t.Status, tier: t.Tier, queue: t.Queue, typ: string(t.Type), cat: t.Category, firstResp: -1, resolved: -1}
	if !t.FirstResponse.IsZero() {
		st.firstResp = secsOf(t.FirstResponse.Sub(t.Created))
	}
	if !t.ResolvedAt.IsZero() && (t.Status == StatusResolved || t.Status == StatusClosed) {
		st.resolved = secsOf(t.ResolvedAt.Sub(t.Created))
	}
	return st
}

func appendState(b []byte, st *ticketState) []byte {
	b = appendString(b, string(st.status))
	b = binary.AppendUvarint(b, uint64(st.tier))
	for _, s := range [...]string{st.queue, st.typ, st.cat} {
		b = appendString(b, s)
	}
	return binary.AppendVarint(binary.AppendVarint(b, st.firstResp), st.resolved)
}

func (r *reader) state() ticketState {
	st := ticketState{status: Status(r.string()), tier: int(r.uvarint())}
	st.queue, st.typ, st.cat = r.string(), r.string(), r.string()
	st.firstResp, st.resolved = r.varint(), r.varint()
	return st
}

// countKey is the key of the count of tickets in st's queue, status,
// tier, type and category.
func countKey(st *ticketState) string {
	b := appendString([]byte{'c'}, st.queue)
	b = appendString(b, string(st.status))
	b = binary.AppendUvarint(b, uint64(st.tier))
	return string(appendString(appendString(b, st.typ), st.cat))
}

// typeKey is the key of the times of st's queue and type.
func typeKey(st *ticketState) string {
	return string(appendString(appendString([]byte{'t'}, st.queue), st.typ))
}

// state counts n tickets in st.
func (d *aggDelta) state(st *ticketState, n int64) {
	d.counts[countKey(st)] += n
	if st.firstResp < 0 && st.resolved < 0 {
		return
	}
	k := typeKey(st)
	a := d.types[k]
	if a == nil {
		a = &acc{}
		d.types[k] = a
	}
	if st.firstResp >= 0 {
		a.fr.add(st.firstResp, n)
	}
	if st.resolved >= 0 {
		a.n[cResolved] += n
		a.res.add(st.resolved, n)
	}
}

// applyState writes the counters' delta.
func (d *aggDelta) applyState(b *bolt.Bucket) error {
	for _, k := range sortedKeys(d.counts) {
		if err := addCount(b, []byte(k), d.counts[k]); err != nil {
			return err
		}
	}
	// The wall-clock times are kept as the day aggregates are, and a delta
	// that only moves a duration between histogram buckets must be
	// written too (addAccs checks unchanged, not isZero).
	return addAccs(b, d.types)
}

// addCount adds n to the counter at k (deleted at zero).
func addCount(b *bolt.Bucket, k []byte, n int64) error {
	if n == 0 {
		return nil
	}
	if v := b.Get(k); v != nil {
		r := reader{b: v}
		n += r.varint()
		if r.err != nil {
			return fmt.Errorf("counter %x: %w", k, r.err)
		}
	}
	return putOrDelete(b, k, n == 0, func() []byte { return binary.AppendVarint(nil, n) })
}

// countStored counts n events of ticket (key keyAggEvents), or n
// Message-IDs (keyAggMsgIDs, ticket 0), when the aggregates count them
// already (aggWriteZone).
func countStored(tx *bolt.Tx, key []byte, n int64, ticket uint64) error {
	if _, ok, err := aggWriteZone(tx, ticket); err != nil || !ok {
		return err
	}
	return addCount(tx.Bucket(bucketAggState), key, n)
}

// statsFromCounters fills st's ticket figures from the counters; false
// when the database has none whole (aggReady).
func statsFromCounters(tx *bolt.Tx, st *Stats) (bool, error) {
	b := tx.Bucket(bucketAggState)
	if b == nil || !aggReady(tx) {
		return false, nil
	}
	counts := map[listKey]int{}
	kinds := newKindStats()
	err := b.ForEach(func(k, v []byte) error {
		r := reader{b: v}
		switch {
		case string(k) == string(keyAggEvents):
			st.Events = int(r.varint())
		case string(k) == string(keyAggMsgIDs):
			st.MessageIDs = int(r.varint())
		case k[0] == 'c':
			n := int(r.varint())
			kr := reader{b: k[1:]}
			queue, status, tier := kr.string(), Status(kr.string()), int(kr.uvarint())
			typ, cat := tiers.Type(kr.string()), kr.string()
			if kr.err != nil {
				return fmt.Errorf("counter %x: %w", k, kr.err)
			}
			counts[listKey{status: status, tier: tier, queue: queue, typ: typ}] += n
			kinds.count(queue, typ, cat, status, n)
			st.Tickets += n
		case k[0] == 't':
			kr := reader{b: k[1:]}
			queue, typ := kr.string(), tiers.Type(kr.string())
			var a acc
			r.acc(&a)
			if kr.err != nil {
				return fmt.Errorf("counter %x: %w", k, kr.err)
			}
			kinds.times(queue, typ, &a)
		}
		if r.err != nil {
			return fmt.Errorf("counter %x: %w", k, r.err)
		}
		return nil
	})
	if err != nil {
		return false, err
	}
	st.byQueueType = kinds.byQueueType
	st.ByType, st.ByCategory = kinds.rows()
	for k, n := range counts {
		st.Counts = append(st.Counts, Count{Queue: k.queue, Status: k.status, Tier: k.tier, Type: k.typ, N: n})
	}
	sortCounts(st.Counts)
	return true, nil
}
