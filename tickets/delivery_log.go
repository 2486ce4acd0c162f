// The delivery log: the file ticketd.db.sent beside the database. The
// sender records each SMTP transaction the server accepted there (LogSent)
// before the next one on that connection can be accepted: one append and
// one fsync for the transactions of every connection waiting at that
// moment, instead of a database commit (two fsyncs and the pages of the
// outbox, its due index and the events). The deliveries it holds are
// applied to the database (Mail.Done, the outbox, delivery events) in one
// transaction per round of mails: by ApplySent, by the next outbox
// operation (DueMail, NextMailDue, MarkRetry, …), by Close, and — after a
// crash — by Open, which replays the file. Applying a delivery twice
// changes nothing (settle skips recipients already settled), so the file
// is simply emptied after each application: a crash between the commit
// and the truncation replays records already applied, harmlessly.
//
// Record: u32be(length) | u32be(crc32c(payload)) | payload (JSON). A torn
// record at the end (a crash during the append, never acknowledged) fails
// its checksum and ends the replay.

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
	"time"

	bolt "go.etcd.io/bbolt"
)

// sentLog is a Store's delivery log; nil for a read-only Store.
type sentLog struct {
	mu      sync.Mutex
	path    string
	f       *os.File // opened at the first LogSent
	size    int64
	buf     []byte
	pending []Delivery // logged, not yet in the database
}

// loggedDelivery is a Delivery as the log stores it (no Mail copy).
type loggedDelivery struct {
	ID       uint64      `json:"id"`
	Time     time.Time   `json:"t"`
	Accepted []string    `json:"a,omitempty"`
	Rejected []Rejection `json:"r,omitempty"`
}

var crcTable = crc32.MakeTable(crc32.Castagnoli)

// maxLogRecord bounds a record read back: a length beyond it is damage.
const maxLogRecord = 16 << 20

// withSentLog gives a Store opened for writing its delivery log, replaying
// (applying) what a crash left in it.
func withSentLog(s *Store, err error) (*Store, error) {
	if err != nil {
		return nil, err
	}
	s.sent = &sentLog{path: s.db.Path() + ".sent"}
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

// append writes ds at the end of the log and syncs it.
func (l *sentLog) append(ds []Delivery) error {
	if l.f == nil {
		f, err := os.OpenFile(l.path, os.O_RDWR|os.O_CREATE, 0o600)
		if err != nil {
			return err
		}
		l.f = f
	}
	buf := l.buf[:0]
	for _, d := range ds {
		payload, err := json.Marshal(loggedDelivery{ID: d.ID, Time: d.Time, Accepted: d.Accepted, Rejected: d.Rejected})
		if err != nil {
			return err
		}
		buf = binary.BigEndian.AppendUint32(buf, uint32(len(payload)))
		buf = binary.BigEndian.AppendUint32(buf, crc32.Checksum(payload, crcTable))
		buf = append(buf, payload...)
	}
	l.buf = buf
	if _, err := l.f.WriteAt(buf, l.size); err != nil {
		return err
	}
	if err := l.f.Sync(); err != nil {
		return err
	}
	l.size += int64(len(buf))
	return nil
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
		return s.db.Update(f)
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.pending) == 0 {
		return s.db.Update(f)
	}
	err := s.db.Update(func(tx *bolt.Tx) error {
		if err := settleEach(tx, l.pending, false, nil); err != nil {
			return fmt.Errorf("apply %d logged deliveries: %w", len(l.pending), err)
		}
		return f(tx)
	})
	if err != nil {
		return err
	}
	return l.emptied()
}

// emptied forgets the deliveries the database now holds.
func (l *sentLog) emptied() error {
	clear(l.pending) // drop the mail copies
	l.pending = l.pending[:0]
	if l.f == nil || l.size == 0 {
		return nil
	}
	if err := l.f.Truncate(0); err != nil {
		return fmt.Errorf("empty the delivery log: %w", err)
	}
	l.size = 0
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
		err := s.db.Update(func(tx *bolt.Tx) error { return settleEach(tx, ds, false, nil) })
		if err != nil {
			return fmt.Errorf("replay %d deliveries: %w", len(ds), err)
		}
	}
	if len(data) > 0 {
		return os.Truncate(l.path, 0)
	}
	return nil
}

// readSentLog decodes the records of a delivery log up to the first torn
// one.
func readSentLog(data []byte) ([]Delivery, error) {
	var ds []Delivery
	for len(data) >= 8 {
		n := binary.BigEndian.Uint32(data)
		if n > maxLogRecord || int(n) > len(data)-8 {
			break // torn: never acknowledged
		}
		payload := data[8 : 8+n]
		if crc32.Checksum(payload, crcTable) != binary.BigEndian.Uint32(data[4:]) {
			break
		}
		var ld loggedDelivery
		if err := json.Unmarshal(payload, &ld); err != nil {
			return nil, fmt.Errorf("record: %w", err)
		}
		ds = append(ds, Delivery{ID: ld.ID, Time: ld.Time, Accepted: ld.Accepted, Rejected: ld.Rejected})
		data = data[8+n:]
	}
	return ds, nil
}

// closeSentLog applies what is logged and closes the file.
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
	}
	return err
}
