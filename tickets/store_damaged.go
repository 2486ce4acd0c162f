package tickets

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"
	"time"

	bolt "go.etcd.io/bbolt"
)

// ErrDamaged is returned by Open and OpenReadOnly for a database file that
// cannot be trusted: empty where data is expected, truncated, with broken
// meta pages or pages bbolt cannot read, or without ticketd's schema
// marker. ticketd never repairs or re-initialises such a file: a new one
// would mean a new Message-ID key and ticket numbers starting again at 1.
var ErrDamaged = errors.New("damaged database")

// restoreHint says what the admin does about a damaged database.
const restoreHint = "ticketd will not use it; stop ticketd, keep the damaged file aside, " +
	"copy the latest file written by `ticketd backup` to %s and start again " +
	"(README, \"Backup\" and \"Restore\")"

// damaged returns an ErrDamaged error for the file at path, saying why.
func damaged(path, format string, args ...any) error {
	return fmt.Errorf("open store %s: %w: %s; "+restoreHint, path, ErrDamaged, fmt.Sprintf(format, args...), path)
}

// bbolt's on-disk meta page (go.etcd.io/bbolt/internal/common/meta.go),
// read here before bbolt maps the file: bbolt maps past the end of a
// truncated file and the first read there kills the process with SIGBUS.
const (
	boltMagic        = 0xED0CDAED
	boltVersion      = 2
	boltPageHeader   = 16 // id u64, flags u16, count u16, overflow u32
	boltMetaSize     = 64 // magic, version, page size, flags, root, sequence, freelist, pgid, txid, checksum
	boltMetaChecksum = 56 // the checksum is FNV-64a of the bytes before it
	boltNoFreelist   = ^uint64(0)
)

// boltMeta is what the open check needs of one meta page.
type boltMeta struct {
	pageSize uint64
	root     uint64
	freelist uint64
	pgid     uint64 // the high-water mark: pages [0, pgid) are in use
	txid     uint64
}

// parseBoltMeta decodes the meta that follows a page header; an error
// when its magic, version or checksum is wrong. bbolt writes these fields
// in the machine's byte order.
func parseBoltMeta(b []byte) (boltMeta, error) {
	if len(b) < boltMetaSize {
		return boltMeta{}, errors.New("short meta page")
	}
	e := binary.NativeEndian
	if e.Uint32(b[0:]) != boltMagic {
		return boltMeta{}, errors.New("not a bbolt meta page")
	}
	if e.Uint32(b[4:]) != boltVersion {
		return boltMeta{}, fmt.Errorf("bbolt format version %d", e.Uint32(b[4:]))
	}
	h := fnv.New64a()
	h.Write(b[:boltMetaChecksum])
	if h.Sum64() != e.Uint64(b[boltMetaChecksum:]) {
		return boltMeta{}, errors.New("meta page checksum mismatch")
	}
	return boltMeta{pageSize: uint64(e.Uint32(b[8:])), root: e.Uint64(b[16:]), freelist: e.Uint64(b[32:]),
		pgid: e.Uint64(b[40:]), txid: e.Uint64(b[48:])}, nil
}

// fileCheck is what checkFile found in an existing database file.
type fileCheck struct {
	// deep: one of the two meta pages is broken, so bbolt would silently
	// fall back to the transaction before; the whole file gets bbolt's
	// consistency check before it is used.
	deep bool
}

// checkFile reads the meta pages of the database file at path, as bbolt
// would choose between them, and refuses (ErrDamaged) a file that is
// empty, has no valid meta page, or is shorter than the pages its meta
// says are in use. It reads a few hundred bytes, whatever the file's size,
// under a shared lock (waiting at most timeout): a commit of another
// process half-written is never mistaken for damage.
func checkFile(path string, timeout time.Duration) (fileCheck, error) {
	f, err := os.Open(path)
	if err != nil {
		return fileCheck{}, fmt.Errorf("open store %s: %w", path, err)
	}
	defer f.Close()
	if err := lockShared(f, timeout); err != nil {
		return fileCheck{}, fmt.Errorf("open store %s: %w", path, err)
	}
	info, err := f.Stat()
	if err != nil {
		return fileCheck{}, fmt.Errorf("open store %s: %w", path, err)
	}
	size := uint64(info.Size())
	if size == 0 {
		return fileCheck{}, damaged(path, "the file is empty (0 bytes)")
	}
	readMeta := func(off int64) (boltMeta, error) {
		b := make([]byte, boltPageHeader+boltMetaSize)
		if _, err := f.ReadAt(b, off); err != nil {
			if errors.Is(err, io.EOF) {
				return boltMeta{}, errors.New("meta page beyond the end of the file")
			}
			return boltMeta{}, err
		}
		return parseBoltMeta(b[boltPageHeader:])
	}
	m0, err0 := readMeta(0)
	var m1 boltMeta
	err1 := errors.New("second meta page not found")
	if err0 == nil {
		m1, err1 = readMeta(int64(m0.pageSize))
	} else {
		// Like bbolt: without the first meta, look for the second at
		// every page size it may have been written with.
		for ps := int64(1024); ps <= 1<<24 && uint64(ps) < size; ps <<= 1 {
			if m, err := readMeta(ps); err == nil && m.pageSize == uint64(ps) {
				m1, err1 = m, nil
				break
			}
		}
	}
	var m boltMeta
	switch {
	case err0 != nil && err1 != nil:
		return fileCheck{}, damaged(path, "no valid meta page (%d bytes; first: %v; second: %v)", size, err0, err1)
	case err0 != nil:
		m = m1
	case err1 != nil:
		m = m0
	case m1.txid > m0.txid:
		m = m1
	default:
		m = m0
	}
	if m.pageSize < 1024 || m.pageSize > 1<<24 || m.pageSize&(m.pageSize-1) != 0 {
		return fileCheck{}, damaged(path, "meta page names a page size of %d bytes", m.pageSize)
	}
	if m.pgid < 2 || m.pgid > size/m.pageSize { // pgid×pageSize > size, without overflow
		return fileCheck{}, damaged(path, "the file is truncated: %d bytes, but its meta page says %d pages of %d bytes (%d bytes) are in use",
			size, m.pgid, m.pageSize, m.pgid*m.pageSize)
	}
	if m.root >= m.pgid || m.freelist != boltNoFreelist && m.freelist >= m.pgid {
		return fileCheck{}, damaged(path, "meta page points beyond its %d pages", m.pgid)
	}
	return fileCheck{deep: err0 != nil || err1 != nil}, nil
}

// guard runs fn and turns a bbolt panic (the way it reports a page it
// cannot read) or a memory fault into ErrDamaged for path.
func guard(path string, fn func() error) (err error) {
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	defer func() {
		if v := recover(); v != nil {
			err = damaged(path, "bbolt cannot read it: %v", v)
		}
	}()
	return fn()
}

// consistencyCheck runs bbolt's check of every page (Tx.Check) and
// returns ErrDamaged naming the first problems it finds.
func consistencyCheck(db *bolt.DB, path string) error {
	return db.View(func(tx *bolt.Tx) error {
		var problems []string
		for err := range tx.Check() {
			if len(problems) < 3 {
				problems = append(problems, err.Error())
			}
		}
		if len(problems) > 0 {
			return damaged(path, "consistency check: %s", strings.Join(problems, "; "))
		}
		return nil
	})
}

// checkSchemaMarker refuses a database that lacks the meta bucket and its
// schema version: every file ticketd creates has them from its first
// transaction on (createFile), so their absence means the file is not
// ticketd's or lost its contents.
func checkSchemaMarker(tx *bolt.Tx, path string) error {
	meta := tx.Bucket(bucketMeta)
	if meta == nil || meta.Get(keySchema) == nil {
		return damaged(path, "it has no %q bucket with a %q version (not a ticketd database, or its contents were lost)", bucketMeta, keySchema)
	}
	return nil
}

// expectsData reports why dir looks like a desk that has run before: its
// attachment store holds files. The database missing there means it was
// lost, not that this is a first start.
func expectsData(dir string) (string, bool) {
	shards, err := os.ReadDir(filepath.Join(dir, "attachments"))
	if err != nil {
		return "", false
	}
	for _, s := range shards {
		if !s.IsDir() {
			continue
		}
		if files, _ := os.ReadDir(filepath.Join(dir, "attachments", s.Name())); len(files) > 0 {
			return filepath.Join(dir, "attachments", s.Name(), files[0].Name()), true
		}
	}
	return "", false
}

// view runs a read transaction under guard: a page that bbolt cannot read
// ends the read with ErrDamaged instead of a panic. The open checks only
// the pages a writer needs (the edges of every bucket are checked only by
// a store opened for writing), so a read-only command may meet a damaged
// page first.
func (s *Store) view(fn func(tx *bolt.Tx) error) error {
	return guard(s.db.Path(), func() error { return s.db.View(fn) })
}
