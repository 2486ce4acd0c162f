package tickets

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	bolt "go.etcd.io/bbolt"
	berrors "go.etcd.io/bbolt/errors"
)

// ErrNotFound is returned when a ticket or mail does not exist.
var ErrNotFound = errors.New("not found")

var (
	bucketMeta       = []byte("meta")
	bucketTickets    = []byte("tickets")
	bucketEvents     = []byte("events")
	bucketMsgIDs     = []byte("msgids")
	bucketOutbox     = []byte("outbox")
	bucketOutboxDue  = []byte("outbox_due")
	bucketFailed     = []byte("failed")
	bucketSLADue     = []byte("sla_due")
	bucketVendorRef  = []byte("vendor_refs")
	bucketKB         = []byte("kb")
	bucketKBTerms    = []byte("kb_terms")
	bucketKBByTicket = []byte("kb_by_ticket")
	bucketRequesters = []byte("requesters")
	keySchema        = []byte("schema")
	keyLastDigest    = []byte("last_digest")
	keySLABackfill   = []byte("sla_backfill") // set when tickets from schema 1 need SLA clocks
	// Mail handling (bounce.go, ratelimit.go).
	bucketUndeliverable = []byte("undeliverable")
	bucketAcks          = []byte("acks")
	allBuckets          = [][]byte{bucketMeta, bucketTickets, bucketEvents, bucketMsgIDs, bucketOutbox, bucketOutboxDue, bucketFailed, bucketSLADue, bucketVendorRef,
		bucketKB, bucketKBTerms, bucketKBByTicket, bucketRequesters, bucketUndeliverable, bucketAcks,
		bucketProblemIncidents,                                                                           // store_problems.go
		bucketAggFacts, bucketAggDays, bucketAggMonths, bucketAggSpans, bucketAggBacklog, bucketAggState, // store_aggregate*.go
	}
)

// Message-ID index directions.
const (
	dirReceived = 'i'
	dirSent     = 'o'
	dirIgnored  = 'x'
	dirSpam     = 's' // received and filed as spam (spam.go)
)

// Store is the bbolt database.
type Store struct {
	db   *bolt.DB
	sent *sentLog // delivery_log.go; nil when read-only
	// untried counts the outbox's mails never attempted
	// (store_outbox_count.go); nil when read-only.
	untried *untriedCount
}

// OpenReadOnly opens the database in dir for reading, waiting at most
// timeout for a writer's lock. A damaged file is refused with ErrDamaged.
func OpenReadOnly(dir string, timeout time.Duration) (*Store, error) {
	path := filepath.Join(dir, "ticketd.db")
	fc, err := checkFile(path, timeout)
	if err != nil {
		return nil, err
	}
	return openChecked(path, fc, &bolt.Options{Timeout: timeout, ReadOnly: true}, nil)
}

// Open opens the database file ticketd.db in dir, creating it when it does
// not exist and dir holds no attachments (a first start). It waits at most
// timeout for another process's lock. An existing file is checked before
// use and refused with ErrDamaged when it is empty, truncated, unreadable
// or not ticketd's; it is never re-initialised.
func Open(dir string, timeout time.Duration) (*Store, error) {
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return nil, fmt.Errorf("open store: %w", err)
	}
	path := filepath.Join(dir, "ticketd.db")
	if _, err := os.Lstat(path); errors.Is(err, fs.ErrNotExist) {
		if blob, ok := expectsData(dir); ok {
			return nil, damaged(path, "the file is missing, but the attachment store has data (%s)", blob)
		}
		if err := createFile(dir, path); err != nil {
			return nil, err
		}
	}
	fc, err := checkFile(path, timeout)
	if err != nil {
		return nil, err
	}
	return withUntried(withSentLog(openChecked(path, fc, &bolt.Options{Timeout: timeout, InitialMmapSize: initialMap}, setupBuckets)))
}

// initialMap is how much of the file the writer maps from the start.
// bbolt maps the file anew each time it outgrows the mapping (doubling
// from 32 KB): the writer then copies every node it holds out of the old
// mapping and waits for every reader (the sender's) to finish. Address
// space only: what is resident is what is touched, and the file still
// grows with its data.
const initialMap = 256 << 20

// upToDate reports whether setupBuckets would change nothing in tx:
// every bucket is there and the schema is this code's.
func upToDate(tx *bolt.Tx) bool {
	for _, name := range allBuckets {
		if tx.Bucket(name) == nil {
			return false
		}
	}
	v := tx.Bucket(bucketMeta).Get(keySchema)
	return len(v) == 8 && binary.BigEndian.Uint64(v) == SchemaVersion
}

// setupBuckets creates the buckets an older file lacks and migrates it.
func setupBuckets(tx *bolt.Tx) error {
	for _, name := range allBuckets {
		if _, err := tx.CreateBucketIfNotExists(name); err != nil {
			return err
		}
	}
	return migrate(tx, migrations)
}

// createFile makes a new database at path: built under a temporary name
// with its buckets and schema marker, then linked into place, so a
// ticketd.db that lacks the marker is never a half-made file of ours.
func createFile(dir, path string) error {
	tmp, err := os.CreateTemp(dir, ".ticketd.db.new-*")
	if err != nil {
		return fmt.Errorf("create store: %w", err)
	}
	name := tmp.Name()
	tmp.Close()
	defer os.Remove(name)
	db, err := bolt.Open(name, 0o600, &bolt.Options{Timeout: time.Second})
	if err != nil {
		return fmt.Errorf("create store %s: %w", path, err)
	}
	err = db.Update(setupBuckets)
	if cerr := db.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("create store %s: %w", path, err)
	}
	// Link, unlike rename, never replaces a file another process made
	// meanwhile: then that one is opened.
	if err := os.Link(name, path); err != nil && !errors.Is(err, fs.ErrExist) {
		return fmt.Errorf("create store %s: %w", path, err)
	}
	if d, err := os.Open(dir); err == nil {
		_ = d.Sync() // the new name survives a crash
		d.Close()
	}
	return nil
}

// openChecked opens the file checkFile passed with bbolt: a panic or a
// memory fault inside bbolt becomes ErrDamaged, a file with a broken meta
// page gets bbolt's full consistency check first, and the schema marker
// must be there. setup, when not nil, runs in the first write transaction,
// and then any rebuild of the aggregates in progress is finished.
func openChecked(path string, fc fileCheck, opts *bolt.Options, setup func(*bolt.Tx) error) (*Store, error) {
	var db *bolt.DB
	err := guard(path, func() error {
		var err error
		if db, err = bolt.Open(path, 0o600, opts); err != nil {
			switch {
			case errors.Is(err, berrors.ErrTimeout):
				return fmt.Errorf("open store %s: locked by another process (is ticketd running?)", path)
			case errors.Is(err, berrors.ErrInvalid), errors.Is(err, berrors.ErrChecksum), errors.Is(err, berrors.ErrVersionMismatch):
				return damaged(path, "%v", err)
			}
			return fmt.Errorf("open store %s: %w", path, err)
		}
		if fc.deep {
			if err := consistencyCheck(db, path); err != nil {
				return err
			}
		}
		// A read transaction checks; a write one (a commit and an
		// fsync) runs only when setup has something to do.
		needSetup := false
		err = db.View(func(tx *bolt.Tx) error {
			if err := checkSchemaMarker(tx, path); err != nil {
				return err
			}
			if !opts.ReadOnly {
				touchBuckets(tx)
			}
			needSetup = setup != nil && !upToDate(tx)
			return nil
		})
		if err == nil && needSetup {
			err = db.Update(setup)
		}
		if err == nil && setup != nil {
			// A rebuild of the aggregates the migration started, or one
			// a crash interrupted, goes on in transactions of its own.
			err = finishRebuild(db, slog.Default())
		}
		if err != nil && !errors.Is(err, ErrDamaged) {
			return fmt.Errorf("open store %s: %w", path, err)
		}
		return err
	})
	if err != nil {
		if db != nil {
			_ = guard(path, db.Close)
		}
		return nil, err
	}
	return &Store{db: db}, nil
}

// touchBuckets reads the first and last entry of every bucket: the pages
// on both edges of each tree, where every later transaction starts. A
// page bbolt cannot read panics here, at open, inside guard. Only a
// store opened for writing (the daemon, once, the commands that change
// the desk) pays for it: a read-only command (stats, report, digest
// --dry-run) changes nothing that a damaged page could spoil, reads only
// the pages it needs, and at a million tickets the edges of every tree
// cost it a few milliseconds of page faults; the file checks, the meta
// pages and the schema marker are still verified for it.
func touchBuckets(tx *bolt.Tx) {
	for _, name := range allBuckets {
		if b := tx.Bucket(name); b != nil {
			c := b.Cursor()
			c.First()
			c.Last()
		}
	}
}

// Close closes the database.
func (s *Store) Close() error { return errors.Join(s.closeSentLog(), s.db.Close()) }

// Ticket returns ticket id.
func (s *Store) Ticket(id uint64) (Ticket, error) {
	var t Ticket
	err := s.view(func(tx *bolt.Tx) error {
		var err error
		t, err = getTicket(tx, id)
		return err
	})
	return t, err
}

// Tickets returns every ticket in number order.
func (s *Store) Tickets() ([]Ticket, error) {
	var out []Ticket
	err := s.db.View(func(tx *bolt.Tx) error {
		return forTickets(tx, func(t Ticket) error {
			out = append(out, t)
			return nil
		})
	})
	return out, err
}

// Events returns the timeline of ticket id, oldest first.
func (s *Store) Events(id uint64) ([]Event, error) {
	var out []Event
	err := s.view(func(tx *bolt.Tx) error {
		return forEvents(tx, id, func(e Event) { out = append(out, e) })
	})
	return out, err
}

// forEvents calls f with every event of ticket id, oldest first.
func forEvents(tx *bolt.Tx, id uint64, f func(Event)) error {
	prefix := u64(id)
	c := tx.Bucket(bucketEvents).Cursor()
	for k, v := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, v = c.Next() {
		var e Event
		if err := decodeEvent(v, &e); err != nil {
			return fmt.Errorf("event %x: %w", k, err)
		}
		f(e)
	}
	return nil
}

// forEventsNewestFirst calls f with the events of ticket id, newest
// first, until f returns false: a look at a ticket's recent past decodes
// only what it needs, however long the ticket.
func forEventsNewestFirst(tx *bolt.Tx, id uint64, f func(Event) bool) error {
	return eventsNewestFirst(tx, id, decodeEvent, f)
}

// eventsNewestFirst walks the events of ticket id newest first, decoding
// each into a T (a whole Event, or the part a caller reads), until f
// returns false.
func eventsNewestFirst[T any](tx *bolt.Tx, id uint64, decode func([]byte, *T) error, f func(T) bool) error {
	prefix := u64(id)
	c := tx.Bucket(bucketEvents).Cursor()
	// The last key of the prefix is the one before the first key past it.
	k, v := c.Seek(append(prefix, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff))
	if k == nil {
		k, v = c.Last()
	} else {
		k, v = c.Prev()
	}
	for ; k != nil && bytes.HasPrefix(k, prefix); k, v = c.Prev() {
		var e T
		if err := decode(v, &e); err != nil {
			return fmt.Errorf("event %x: %w", k, err)
		}
		if !f(e) {
			return nil
		}
	}
	return nil
}

// outboundEvent returns the event that recorded ticketd's mail msgID on
// ticket; false when there is none.
func outboundEvent(tx *bolt.Tx, ticket uint64, msgID string) (Event, bool, error) {
	// One event per Message-ID (queue signs a new one for every mail);
	// the mail replied to or bounced is most often a recent one.
	var found Event
	ok := false
	err := forEventsNewestFirst(tx, ticket, func(e Event) bool {
		if e.Kind == EventOutbound && e.MessageID == msgID {
			found, ok = e, true
		}
		return !ok
	})
	return found, ok, err
}

func getTicket(tx *bolt.Tx, id uint64) (Ticket, error) {
	var t Ticket
	v := tx.Bucket(bucketTickets).Get(u64(id))
	if v == nil {
		return t, fmt.Errorf("ticket %d: %w", id, ErrNotFound)
	}
	if err := decodeTicket(v, &t); err != nil {
		return t, fmt.Errorf("ticket %d: %w", id, err)
	}
	return t, nil
}

func putTicket(tx *bolt.Tx, t *Ticket) error {
	if err := tx.Bucket(bucketTickets).Put(u64(t.ID), encodeTicket(t)); err != nil {
		return err
	}
	if err := fileAgentOpen(tx, t); err != nil { // the agents' morning mail (store_agentdigest.go)
		return err
	}
	return aggTicket(tx, t) // the report aggregates follow every write (store_aggregate.go)
}

func getMail(tx *bolt.Tx, bucket []byte, id uint64) (Mail, error) {
	var m Mail
	v := tx.Bucket(bucket).Get(u64(id))
	if v == nil {
		return m, fmt.Errorf("mail %d: %w", id, ErrNotFound)
	}
	if err := decodeMail(v, &m); err != nil {
		return m, fmt.Errorf("mail %d: %w", id, err)
	}
	return m, nil
}

// addEvent appends e to its ticket's timeline, numbering it.
func addEvent(tx *bolt.Tx, e Event) error {
	b := tx.Bucket(bucketEvents)
	seq, err := b.NextSequence()
	if err != nil {
		return err
	}
	e.Seq = seq
	if err := putEvent(b, &e); err != nil {
		return err
	}
	return aggEvent(tx, &e)
}

// maxMsgIDKey bounds Message-ID index keys; longer ids (legal, but only
// ever seen in hostile mail) are indexed by their hash, far below bbolt's
// key limit.
const maxMsgIDKey = 250

func msgIDKey(id string) []byte {
	if len(id) <= maxMsgIDKey {
		return []byte(id)
	}
	sum := sha256.Sum256([]byte(id))
	return []byte("sha256-id:" + hex.EncodeToString(sum[:]))
}

// lookupMsgID returns the ticket and direction indexed for a Message-ID.
func lookupMsgID(tx *bolt.Tx, id string) (ticket uint64, dir byte, ok bool) {
	if id == "" {
		return 0, 0, false
	}
	v := tx.Bucket(bucketMsgIDs).Get(msgIDKey(id))
	if len(v) != 9 {
		return 0, 0, false
	}
	return binary.BigEndian.Uint64(v), v[8], true
}

func indexMsgID(tx *bolt.Tx, id string, ticket uint64, dir byte) error {
	if id == "" {
		return nil
	}
	b, k := tx.Bucket(bucketMsgIDs), msgIDKey(id)
	if b.Get(k) == nil { // counted for Stats (store_aggregate_state.go)
		if err := countStored(tx, keyAggMsgIDs, 1, 0); err != nil {
			return err
		}
	}
	return b.Put(k, append(u64(ticket), dir))
}

// putEvent stores e under its ticket and sequence number, in the binary
// form (codec_event.go).
func putEvent(b *bolt.Bucket, e *Event) error {
	data, err := encodeEvent(e)
	if err != nil {
		return err
	}
	return b.Put(append(u64(e.Ticket), u64(e.Seq)...), data)
}

func putJSON(b *bolt.Bucket, key []byte, v any) error {
	data, err := encodeValue(v)
	if err != nil {
		return err
	}
	return b.Put(key, data)
}

func u64From(b []byte) uint64 { return binary.BigEndian.Uint64(b) }

func u64(n uint64) []byte {
	return binary.BigEndian.AppendUint64(make([]byte, 0, 16), n)
}
