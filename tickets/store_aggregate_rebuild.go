package tickets

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"log/slog"
	"time"

	bolt "go.etcd.io/bbolt"
)

// rebuildAggregates recomputes every aggregate from the tickets and their
// events, kept in loc's days: the migration that builds them, a change of
// the desk's time zone, and the tests' reference.
func rebuildAggregates(tx *bolt.Tx, loc *time.Location) error {
	for _, name := range aggBuckets {
		if tx.Bucket(name) != nil {
			if err := tx.DeleteBucket(name); err != nil {
				return fmt.Errorf("rebuild aggregates: %w", err)
			}
		}
		if _, err := tx.CreateBucket(name); err != nil {
			return fmt.Errorf("rebuild aggregates: %w", err)
		}
	}
	if err := tx.Bucket(bucketMeta).Put(keyAggZone, []byte(loc.String())); err != nil {
		return err
	}
	facts := tx.Bucket(bucketAggFacts)
	facts.FillPercent = 1 // written in key order
	d := newAggDelta(loc)
	events := int64(0)
	ec := tx.Bucket(bucketEvents).Cursor()
	ek, ev := ec.First()
	err := tx.Bucket(bucketTickets).ForEach(func(k, v []byte) error {
		var t Ticket
		if err := decodeTicket(v, &t); err != nil {
			return fmt.Errorf("ticket %x: %w", k, err)
		}
		rec, part := ticketPart(&t)
		val := append(binary.AppendUvarint(make([]byte, 0, len(part)+8), uint64(len(part))), part...)
		// Events are keyed by ticket too: walk them alongside.
		for ; ek != nil && bytes.Compare(ek[:8], k) < 0; ek, ev = ec.Next() {
			events++
		}
		for ; ek != nil && bytes.Equal(ek[:8], k); ek, ev = ec.Next() {
			events++
			if !mayCount(ev) {
				continue
			}
			var e Event
			if err := decodeEvent(ev, &e); err != nil {
				return fmt.Errorf("event %x: %w", ek, err)
			}
			if f, ok := eventFact(&e); ok {
				rec.events = append(rec.events, f)
				val = appendFact(val, &f)
			}
		}
		d.record(&rec, 1, true)
		return facts.Put(bytes.Clone(k), val)
	})
	if err != nil {
		return fmt.Errorf("rebuild aggregates: %w", err)
	}
	for ; ek != nil; ek, _ = ec.Next() {
		events++
	}
	msgids := int64(0)
	if err := tx.Bucket(bucketMsgIDs).ForEach(func(k, v []byte) error { msgids++; return nil }); err != nil {
		return fmt.Errorf("rebuild aggregates: %w", err)
	}
	d.counts[string(keyAggEvents)], d.counts[string(keyAggMsgIDs)] = events, msgids
	if err := d.apply(tx); err != nil {
		return fmt.Errorf("rebuild aggregates: %w", err)
	}
	return nil
}

// mayCount is a cheap look at an encoded event: false when it cannot be
// one eventFact counts, so most are never decoded.
func mayCount(v []byte) bool {
	return bytes.Contains(v, []byte(`"answer"`)) || bytes.Contains(v, []byte(`"escalated"`))
}

// useZone makes the aggregates count days in loc, rebuilding them when
// they were kept in another zone (the desk's zone changed, or the
// migration built them before the Service said which).
func (s *Store) useZone(loc *time.Location, log *slog.Logger) error {
	var have string
	if err := s.db.View(func(tx *bolt.Tx) error {
		have = string(tx.Bucket(bucketMeta).Get(keyAggZone))
		return nil
	}); err != nil {
		return err
	}
	if have == "" {
		have = time.UTC.String()
	}
	if have == loc.String() {
		return nil
	}
	start := time.Now()
	err := s.update(func(tx *bolt.Tx) error { return rebuildAggregates(tx, loc) })
	if err != nil {
		return err
	}
	log.Info("report aggregates rebuilt for the desk's time zone", "from", have, "to", loc.String(), "took", time.Since(start).Round(time.Millisecond))
	return nil
}
