// The delivery log: the file ticketd.db.sent beside the database. The
// sender records each SMTP transaction the server accepted there (LogSent)
// before the next one on that connection can be accepted: one append and
// one fsync for the transactions of every connection waiting at that
// moment, instead of a database commit (two fsyncs and the pages of the
// outbox, its due index and the events). The deliveries it holds are
// applied to the database (Mail.Done, the outbox, delivery events) in one
// transaction per round of mails: by ApplySent, by the next outbox
// operation (DueMail, NextMailDue, MarkRetry, …), by Close, and — after a
// crash — by Open, which replays the file and removes it.
//
// The file is written over in place: it is filled with zeros when created
// (logPrealloc), so that an append changes no file size and its sync no
// metadata (it is opened O_DSYNC: the write is the sync; on Linux with
// O_DIRECT too, so an append writes whole blocks: the block the last
// record ends in, again, with the same bytes, and the new records); after
// each application the writer starts again at offset 0 with the next
// epoch. Record: u32be(length) | u32be(crc32c(epoch |
// payload)) | u32be(epoch) | payload (JSON). A replay takes the records
// of the first record's epoch up to the first that is torn (a crash
// during the append, never acknowledged), of another epoch (left from an
// earlier round, already applied) or zeros. Applying a delivery twice
// changes nothing (settle skips recipients already settled), so a crash
// between an application's commit and the next record, which replays
// records already applied, is harmless.

package tickets

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"hash/crc32"
	"io/fs"
	"os"
	"sync"
	"syscall"
	"time"
	"unsafe"

	bolt "go.etcd.io/bbolt"
)

// sentLog is a Store's delivery log; nil for a read-only Store.
type sentLog struct {
	mu    sync.Mutex
	path  string
	f     *os.File // opened at the first LogSent
	off   int64    // where the next record goes
	epoch uint32
	buf   []byte
	// img holds the records of this epoch, from offset 0 to off, in
	// memory aligned for direct I/O: appends write whole blocks of it.
	img     []byte
	pending []Delivery // logged, not yet in the database
}

// logBlock is the alignment of direct I/O's buffers, offsets and lengths:
// a page, a multiple of every disk's logical block size up to 4 KB.
const logBlock = 4096

// logPrealloc is the size the log is created with: a round of mails
// (200 records of about 150 bytes) fits many times.
const logPrealloc = 1 << 20

// logHeader is the length, checksum and epoch before each payload.
const logHeader = 12

// loggedDelivery is a Delivery as the log stores it (no Mail copy).
type loggedDelivery struct {
	ID       uint64      `json:"id"`
	Time     time.Time   `json:"t"`
	Accepted []string    `json:"a,omitempty"`
	Rejected []Rejection `json:"r,omitempty"`
}

// crcTable is made at the first use of a delivery log, not at package
// init: Castagnoli's tables cost ~0.3 ms, and the read-only commands
// (stats, list, show) never open the log.
var crcTable = sync.OnceValue(func() *crc32.Table { return crc32.MakeTable(crc32.Castagnoli) })

// maxLogRecord bounds a record read back: a length beyond it is damage.
const maxLogRecord = 16 << 20

// withSentLog gives a Store opened for writing its delivery log, replaying
// (applying) what a crash left in it.
func withSentLog(s *Store, err error) (*Store, error) {
	if err != nil {
		return nil, err
	}
	s.sent = &sentLog{path: s.db.Path() + ".sent", epoch: uint32(time.Now().UnixNano())}
	if err := s.replaySent(); err != nil {
		s.db.Close()
		return nil, fmt.Errorf("open store: delivery log: %w", err)
	}
	return s, nil
}

// LogSent records ds durably like MarkSent, but in the delivery log (one
// append and one fsync, no database transaction); the database shows them
// once applied (ApplySent, or the next outbox operation). Each Delivery
// must carry the sender's copy of its mail (Delivery.Mail), from which
// the ids of the mails that left the outbox are returned; without one, or
// on a read-only Store, LogSent is MarkSent.
func (s *Store) LogSent(ds []Delivery) ([]uint64, error) {
	l := s.sent
	if l == nil {
		return s.MarkSent(ds)
	}
	for _, d := range ds {
		if d.Mail == nil || d.Mail.ID != d.ID {
			return s.MarkSent(ds)
		}
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if err := l.append(ds); err != nil {
		return nil, fmt.Errorf("log %d deliveries: %w", len(ds), err)
	}
	l.pending = append(l.pending, ds...)
	var left []uint64
	for _, d := range ds {
		if leaves(d) {
			left = append(left, d.ID)
		}
	}
	return left, nil
}

// leaves reports whether d settles the last pending recipients of its
// mail, as the sender's copy shows them.
func leaves(d Delivery) bool {
	settled := make(map[string]bool, len(d.Accepted)+len(d.Rejected))
	for _, r := range d.Accepted {
		settled[r] = true
	}
	for _, r := range d.Rejected {
		settled[r.Rcpt] = true
	}
	for _, r := range d.Mail.Pending() {
		if !settled[r] {
			return false
		}
	}
	return true
}

// create makes the log file, filled with zeros, and opens it for
// synchronous writes (logSync: each write returns once durable, one
// system call instead of a write and an fdatasync).
func (l *sentLog) create() error {
	f, err := os.OpenFile(l.path, os.O_RDWR|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return err
	}
	_, err = f.WriteAt(make([]byte, logPrealloc), 0)
	if err == nil {
		err = f.Sync()
	}
	if err = errors.Join(err, f.Close()); err != nil {
		return err
	}
	l.f, err = os.OpenFile(l.path, os.O_RDWR|logSync|logDirect, 0)
	if errors.Is(err, syscall.EINVAL) && logDirect != 0 {
		// A file system without direct I/O (tmpfs): through the cache.
		l.f, err = os.OpenFile(l.path, os.O_RDWR|logSync, 0)
	}
	if err != nil {
		return err
	}
	l.off = 0
	return nil
}

// write makes img[l.off:end] durable at l.off, in whole blocks from the
// one l.off is in.
func (l *sentLog) write(end int) error {
	start := int(l.off) &^ (logBlock - 1)
	last := (end + logBlock - 1) &^ (logBlock - 1)
	clear(l.img[end:last]) // no byte of an earlier epoch behind the records
	_, err := l.f.WriteAt(l.img[start:last], int64(start))
	if errors.Is(err, syscall.EINVAL) && logDirect != 0 {
		// The disk wants larger blocks than logBlock: through the cache.
		f, ferr := os.OpenFile(l.path, os.O_RDWR|logSync, 0)
		if ferr != nil {
			return errors.Join(err, ferr)
		}
		l.f.Close()
		l.f = f
		_, err = l.f.WriteAt(l.img[start:last], int64(start))
	}
	return err
}

// grow makes img hold at least n bytes (and whole blocks), aligned.
func (l *sentLog) grow(n int) {
	if n <= len(l.img) {
		return
	}
	size := max(2*len(l.img), 64<<10)
	for size < n+logBlock {
		size *= 2
	}
	raw := make([]byte, size+logBlock)
	skip := (logBlock - int(uintptr(unsafe.Pointer(&raw[0])))&(logBlock-1)) & (logBlock - 1)
	img := raw[skip : skip+size : skip+size]
	copy(img, l.img[:l.off])
	l.img = img
}

// append writes ds after the records of this epoch, durably.
func (l *sentLog) append(ds []Delivery) error {
	if l.f == nil {
		if err := l.create(); err != nil {
			return err
		}
	}
	buf := l.buf[:0]
	for _, d := range ds {
		start := len(buf)
		buf = append(buf, 0, 0, 0, 0, 0, 0, 0, 0) // length and checksum, below
		buf = binary.BigEndian.AppendUint32(buf, l.epoch)
		var err error
		buf, err = appendJSON(buf, loggedDelivery{ID: d.ID, Time: d.Time, Accepted: d.Accepted, Rejected: d.Rejected})
		if err != nil {
			return err
		}
		binary.BigEndian.PutUint32(buf[start:], uint32(len(buf)-start-logHeader))
		binary.BigEndian.PutUint32(buf[start+4:], crc32.Checksum(buf[start+8:], crcTable()))
	}
	l.buf = buf
	end := int(l.off) + len(buf)
	l.grow(end)
	copy(l.img[l.off:], buf)
	if err := l.write(end); err != nil {
		return err
	}
	l.off = int64(end)
	return nil
}

func appendJSON(buf []byte, v any) ([]byte, error) {
	data, err := json.Marshal(v)
	return append(buf, data...), err
}

// ApplySent applies the logged deliveries to the database in one
// transaction and empties the log.
func (s *Store) ApplySent() error {
	return s.updateOutbox(func(*bolt.Tx) error { return nil })
}

// applyLogged applies the logged deliveries, if any, before an outbox
// read.
func (s *Store) applyLogged() error {
	if l := s.sent; l != nil {
		l.mu.Lock()
		n := len(l.pending)
		l.mu.Unlock()
		if n > 0 {
			return s.ApplySent()
		}
	}
	return nil
}

// updateOutbox runs f in a write transaction that first applies the logged
// deliveries: an outbox operation always sees every recorded delivery.
func (s *Store) updateOutbox(f func(tx *bolt.Tx) error) error {
	l := s.sent
	if l == nil {
		return s.update(f)
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.pending) == 0 {
		return s.update(f)
	}
	err := s.update(func(tx *bolt.Tx) error {
		if err := settleEach(tx, s.untried, l.pending, false, nil); err != nil {
			return fmt.Errorf("apply %d logged deliveries: %w", len(l.pending), err)
		}
		return f(tx)
	})
	if err != nil {
		return err
	}
	return l.emptied()
}

// emptied forgets the deliveries the database now holds: the next record
// starts a new epoch at the start of the file.
func (l *sentLog) emptied() error {
	clear(l.pending) // drop the mail copies
	l.pending = l.pending[:0]
	l.off = 0
	l.epoch++
	return nil
}

// replaySent applies what the log on disk holds (left by a crash) and
// empties it.
func (s *Store) replaySent() error {
	l := s.sent
	data, err := os.ReadFile(l.path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	ds, err := readSentLog(data)
	if err != nil {
		return err
	}
	if len(ds) > 0 {
		err := s.update(func(tx *bolt.Tx) error { return settleEach(tx, s.untried, ds, false, nil) })
		if err != nil {
			return fmt.Errorf("replay %d deliveries: %w", len(ds), err)
		}
	}
	// Applied: the next LogSent makes a new file.
	return os.Remove(l.path)
}

// readSentLog decodes the records of the first record's epoch, up to the
// first torn one or one of another epoch.
func readSentLog(data []byte) ([]Delivery, error) {
	var ds []Delivery
	var epoch uint32
	for len(data) >= logHeader {
		n := binary.BigEndian.Uint32(data)
		if n == 0 || n > maxLogRecord || int(n) > len(data)-logHeader {
			break // zeros, or torn: never acknowledged
		}
		if crc32.Checksum(data[8:logHeader+n], crcTable()) != binary.BigEndian.Uint32(data[4:]) {
			break
		}
		e := binary.BigEndian.Uint32(data[8:])
		if len(ds) == 0 {
			epoch = e
		} else if e != epoch {
			break // left from an earlier round
		}
		var ld loggedDelivery
		if err := json.Unmarshal(data[logHeader:logHeader+n], &ld); err != nil {
			return nil, fmt.Errorf("record: %w", err)
		}
		ds = append(ds, Delivery{ID: ld.ID, Time: ld.Time, Accepted: ld.Accepted, Rejected: ld.Rejected})
		data = data[logHeader+n:]
	}
	return ds, nil
}

// closeSentLog applies what is logged, closes the file and, everything
// applied, removes it.
func (s *Store) closeSentLog() error {
	l := s.sent
	if l == nil {
		return nil
	}
	err := s.ApplySent()
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.f != nil {
		err = errors.Join(err, l.f.Close())
		l.f = nil
		if err == nil {
			err = os.Remove(l.path)
		}
	}
	return err
}
