package tickets

import (
	"encoding/binary"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"
)

// A migration turns a database of schema version From into From+1. It runs
// inside Open's write transaction, with every bucket of allBuckets present.
type migration struct {
	From int
	Name string // what it changes, for errors
	Run  func(tx *bolt.Tx) error
}

// migrations are the forward steps from schema 1 (the first released
// layout) to SchemaVersion, in order: migrations[i].From == i+1. To change
// the layout, append a step, bump SchemaVersion and update doc.go; never
// edit a step that has shipped.
var migrations = []migration{
	{From: 1, Name: "SLA clocks, vendor refs, knowledge base, requester index", Run: func(tx *bolt.Tx) error {
		// The new buckets exist already; the clocks need the tier policy,
		// so the Service starts them (and files every ticket under its
		// requester) when it next opens the store.
		return tx.Bucket(bucketMeta).Put(keySLABackfill, []byte{1})
	}},
	{From: 2, Name: "report aggregates", Run: func(tx *bolt.Tx) error {
		// Only started here: Open then builds them in chunks of tickets,
		// a transaction each, resuming after a crash
		// (store_aggregate_rebuild.go). The schema is 3 from now on, so
		// an older binary refuses the half-built file instead of
		// changing tickets the build has passed; agg_zone, written by
		// the last chunk, says they are done. Built in UTC days: the
		// Service rebuilds them once in the desk's zone when that
		// differs (Store.useZone).
		return startRebuild(tx, time.UTC)
	}},
	{From: 3, Name: "report aggregates by month", Run: func(tx *bolt.Tx) error {
		// The months are sums of the days: cheap (a month's days at a
		// time, one transaction), and right even while a rebuild is in
		// progress, which then goes on writing both.
		return sumMonths(tx)
	}},
	{From: 4, Name: "events in a compact binary form", Run: func(*bolt.Tx) error {
		// Nothing to rewrite: events already stored stay JSON, which
		// decodeEvent still reads (codec_event.go); new ones are binary.
		// The step is the version: an older ticketd, which reads events
		// only as JSON, refuses the file instead of failing on them.
		return nil
	}},
	{From: 5, Name: "tickets in a compact binary form", Run: func(*bolt.Tx) error {
		// As for events: tickets already stored stay JSON, which the
		// ticket decoders still read (codec_ticket.go), and each is
		// written binary at its next change. An older ticketd reads
		// tickets only as JSON: the step makes it refuse the file.
		return nil
	}},
	{From: 6, Name: "outbox mails in a compact binary form", Run: func(*bolt.Tx) error {
		// As for tickets: mails already queued or failed stay JSON,
		// which decodeMail still reads (codec_mail.go); an older
		// ticketd, which reads them only as JSON, refuses the file.
		return nil
	}},
}

// SchemaVersion is the bucket layout this code reads and writes.
const SchemaVersion = 7

// migrate brings the database in tx to the version the steps lead to: a
// new database (no schema key) is stamped with it at once; an older one
// runs every step from its version on, all in tx, so a failing step
// leaves the file as it was (a step may leave work to finish in later
// transactions, resumable: the aggregates' rebuild). A database newer than this code is refused.
func migrate(tx *bolt.Tx, steps []migration) error {
	target := 1 + len(steps)
	meta := tx.Bucket(bucketMeta)
	v := meta.Get(keySchema)
	if v == nil {
		if tx.Bucket(bucketTickets).Stats().KeyN > 0 {
			return fmt.Errorf("database has tickets but no schema version")
		}
		return meta.Put(keySchema, u64(uint64(target)))
	}
	if len(v) != 8 {
		return fmt.Errorf("schema version: %d bytes, want 8", len(v))
	}
	got := int(binary.BigEndian.Uint64(v))
	switch {
	case got > target:
		return fmt.Errorf("database schema %d is newer than this ticketd (%d)", got, target)
	case got < 1:
		return fmt.Errorf("database schema %d is unknown", got)
	}
	for _, step := range steps[got-1:] {
		if err := step.Run(tx); err != nil {
			return fmt.Errorf("migrate schema %d → %d (%s): %w", step.From, step.From+1, step.Name, err)
		}
	}
	if got == target {
		return nil
	}
	return meta.Put(keySchema, u64(uint64(target)))
}
