package tickets

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"log/slog"
	"time"

	bolt "go.etcd.io/bbolt"
)

// A rebuild recomputes every aggregate from the tickets and their events,
// in a zone's days: the migration that builds them (schema 3) and a change
// of the desk's time zone. It runs in chunks of tickets, one write
// transaction each, so its memory (the delta and the transaction's dirty
// pages) does not grow with the database, and each chunk commits with how
// far it got (meta agg_build), so a crash resumes from there: every
// ticket's contributions, to however many days and buckets, are added in
// the one chunk that commits it. While agg_build is there the aggregates
// are partial: readers (aggReady) answer by reading the tickets instead,
// and writes count only the tickets the rebuild has passed
// (aggWriteZone). The last chunk deletes agg_build and records agg_zone.

// keyAggBuild in meta marks a rebuild in progress: u64be(last ticket
// counted; 0: none yet) | the zone name it counts days in.
var keyAggBuild = []byte("agg_build")

// rebuildChunk is how many tickets one transaction of a rebuild counts.
// At ~200 bytes of agg_facts each plus the day keys they touch, a few MB
// of dirty pages; the commit's fsync is amortised over them. A variable
// for the tests.
var rebuildChunk = 4096

// rebuildLogEvery is how many chunks pass between two progress lines.
const rebuildLogEvery = 16

// rebuildHook, when set (tests), runs inside each chunk's transaction
// before its commit with the last ticket it counted: it may write as the
// workflow would between two chunks; an error rolls the chunk back and
// stops the rebuild, as a crash there would.
var rebuildHook func(tx *bolt.Tx, last uint64) error

// aggBuild is a rebuild in progress, as agg_build holds it.
type aggBuild struct {
	done uint64 // the last ticket counted; the next chunk starts after it
	zone string
}

// buildOf returns the rebuild in progress in tx; false when there is none.
func buildOf(tx *bolt.Tx) (aggBuild, bool, error) {
	v := tx.Bucket(bucketMeta).Get(keyAggBuild)
	if v == nil {
		return aggBuild{}, false, nil
	}
	if len(v) < 8 {
		return aggBuild{}, true, fmt.Errorf("aggregate rebuild marker: %w", errAggCorrupt)
	}
	return aggBuild{done: binary.BigEndian.Uint64(v), zone: string(v[8:])}, true, nil
}

func (b *aggBuild) put(tx *bolt.Tx) error {
	return tx.Bucket(bucketMeta).Put(keyAggBuild, append(u64(b.done), b.zone...))
}

// aggReady reports whether tx holds whole aggregates: built, and no
// rebuild in progress. Every reader of the aggregates asks it first.
func aggReady(tx *bolt.Tx) bool {
	return tx.Bucket(bucketAggDays) != nil && tx.Bucket(bucketMeta).Get(keyAggBuild) == nil
}

// startRebuild empties the aggregates and marks a rebuild in loc's days
// from the first ticket; finishRebuild (or rebuildStep) does the work.
func startRebuild(tx *bolt.Tx, loc *time.Location) error {
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
	if err := tx.Bucket(bucketMeta).Delete(keyAggZone); err != nil {
		return err
	}
	b := aggBuild{zone: loc.String()}
	return b.put(tx)
}

// rebuildStep counts the next limit tickets of the rebuild in progress in
// tx, with their events; after the last ticket it also counts what
// belongs to none (events of no ticket, Message-IDs) and marks the
// aggregates whole. It returns where the rebuild is and whether it ended
// (true too when none was in progress).
func rebuildStep(tx *bolt.Tx, limit int) (aggBuild, bool, error) {
	b, ok, err := buildOf(tx)
	if err != nil || !ok {
		return b, err == nil, err
	}
	loc, err := loadZone(b.zone)
	if err != nil {
		return b, false, fmt.Errorf("rebuild aggregates: %w", err)
	}
	facts := tx.Bucket(bucketAggFacts)
	facts.FillPercent = 1 // written in key order, after the chunks before
	d := newAggDelta(loc)
	events := int64(0)
	from := []byte{} // the first key: events of no ticket may precede ticket 1
	if b.done > 0 {
		from = u64(b.done + 1)
	}
	ec := tx.Bucket(bucketEvents).Cursor()
	ek, ev := ec.Seek(from)
	tc := tx.Bucket(bucketTickets).Cursor()
	k, v := tc.Seek(from)
	for n := 0; k != nil && n < limit; k, v = tc.Next() {
		var t Ticket
		if err := decodeTicket(v, &t); err != nil {
			return b, false, fmt.Errorf("rebuild aggregates: ticket %x: %w", k, err)
		}
		rec, part := ticketPart(&t)
		val := append(binary.AppendUvarint(make([]byte, 0, len(part)+8), uint64(len(part))), part...)
		// Events are keyed by ticket too: walk them alongside. Those of
		// no ticket before k are counted here, once: the next chunk
		// starts after k.
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
				return b, false, fmt.Errorf("rebuild aggregates: event %x: %w", ek, err)
			}
			if f, ok := eventFact(&e); ok {
				rec.events = append(rec.events, f)
				val = appendFact(val, &f)
			}
		}
		d.record(&rec, 1, true)
		if err := facts.Put(bytes.Clone(k), val); err != nil {
			return b, false, fmt.Errorf("rebuild aggregates: %w", err)
		}
		b.done = binary.BigEndian.Uint64(k)
		n++
	}
	end := k == nil
	if end {
		for ; ek != nil; ek, _ = ec.Next() {
			events++
		}
		// Message-IDs belong to no ticket: while the rebuild ran, new
		// ones were not counted (aggWriteZone), so all are counted now.
		msgids := int64(0)
		if err := tx.Bucket(bucketMsgIDs).ForEach(func(k, v []byte) error { msgids++; return nil }); err != nil {
			return b, false, fmt.Errorf("rebuild aggregates: %w", err)
		}
		d.counts[string(keyAggMsgIDs)] = msgids
	}
	d.counts[string(keyAggEvents)] = events
	if err := d.apply(tx); err != nil {
		return b, false, fmt.Errorf("rebuild aggregates: %w", err)
	}
	meta := tx.Bucket(bucketMeta)
	if end {
		if err := meta.Delete(keyAggBuild); err != nil {
			return b, false, err
		}
		if err := meta.Put(keyAggZone, []byte(b.zone)); err != nil {
			return b, false, err
		}
	} else if err := b.put(tx); err != nil {
		return b, false, err
	}
	if rebuildHook != nil {
		if err := rebuildHook(tx, b.done); err != nil {
			return b, false, err
		}
	}
	return b, end, nil
}

// finishRebuild runs the rebuild in progress in db, if any, to its end,
// one chunk per write transaction, logging its progress: an admin waits
// for it at the first start after an upgrade.
func finishRebuild(db *bolt.DB, log *slog.Logger) error {
	var (
		b        aggBuild
		building bool
		last     uint64 // the highest ticket: how far there is to go
	)
	if err := db.View(func(tx *bolt.Tx) (err error) {
		b, building, err = buildOf(tx)
		if k, _ := tx.Bucket(bucketTickets).Cursor().Last(); len(k) == 8 {
			last = binary.BigEndian.Uint64(k)
		}
		return err
	}); err != nil || !building {
		return err
	}
	start := time.Now()
	log.Info("building report aggregates", "zone", b.zone, "from_ticket", b.done+1, "last_ticket", last)
	for i := 1; ; i++ {
		var end bool
		readAround(db) // the walk reads most of the file: not a page per fault
		err := updateFilled(db, func(tx *bolt.Tx) (err error) {
			b, end, err = rebuildStep(tx, rebuildChunk)
			return err
		})
		if err != nil {
			return err
		}
		if end {
			log.Info("report aggregates built", "zone", b.zone, "tickets", last, "took", time.Since(start).Round(time.Millisecond))
			return nil
		}
		if i%rebuildLogEvery == 0 {
			log.Info("building report aggregates", "zone", b.zone, "ticket", b.done, "last_ticket", last, "took", time.Since(start).Round(time.Second))
		}
	}
}

// mayCount is a cheap look at an encoded event: false when it cannot be
// one eventFact counts, so most are never decoded. A binary event
// (codec_event.go) says its kind second; JSON is searched for the words.
func mayCount(v []byte) bool {
	if b, ok := binaryEvent(v); ok {
		k := binaryEventKind(b)
		return string(k) == string(EventAnswer) || string(k) == string(EventEscalated)
	}
	return bytes.Contains(v, []byte(`"answer"`)) || bytes.Contains(v, []byte(`"escalated"`))
}

// useZone makes the aggregates count days in loc, rebuilding them when
// they were kept in another zone (the desk's zone changed, or the
// migration built them before the Service said which).
func (s *Store) useZone(loc *time.Location, log *slog.Logger) error {
	var have string
	if err := s.view(func(tx *bolt.Tx) error {
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
	log.Info("report aggregates: the desk's time zone changed, rebuilding", "from", have, "to", loc.String())
	if err := s.update(func(tx *bolt.Tx) error { return startRebuild(tx, loc) }); err != nil {
		return err
	}
	return finishRebuild(s.db, log)
}
