package tickets

import (
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
)

// filledStore makes a database with enough data for several pages and
// free pages (a desk that has run for a while) and returns its directory
// and file path, closed.
func filledStore(t *testing.T) (dir, path string) {
	t.Helper()
	dir = t.TempDir()
	s, err := Open(dir, time.Second)
	if err != nil {
		t.Fatal(err)
	}
	val := []byte(strings.Repeat("x", 200))
	for batch := range 5 {
		err := s.db.Update(func(tx *bolt.Tx) error {
			for i := range 400 {
				if err := tx.Bucket(bucketEvents).Put(u64(uint64(batch*400+i)), val); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	err = s.db.Update(func(tx *bolt.Tx) error { // frees pages
		for i := range 1000 {
			if err := tx.Bucket(bucketEvents).Delete(u64(uint64(i))); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := loadSecret(s); err != nil {
		t.Fatal(err)
	}
	s.Close()
	return dir, filepath.Join(dir, "ticketd.db")
}

// metas returns the file's two meta pages as parsed (zero when broken) and
// the page size.
func metas(t *testing.T, data []byte) (m0, m1 boltMeta, pageSize int) {
	t.Helper()
	m0, err := parseBoltMeta(data[boltPageHeader:])
	if err != nil {
		t.Fatal(err)
	}
	pageSize = int(m0.pageSize)
	m1, err = parseBoltMeta(data[pageSize+boltPageHeader:])
	if err != nil {
		t.Fatal(err)
	}
	return m0, m1, pageSize
}

// wantDamaged asserts that both ways of opening dir refuse it with
// ErrDamaged, an error that says why (containing want) and how to restore.
func wantDamaged(t *testing.T, dir, want string) {
	t.Helper()
	for name, open := range map[string]func(string, time.Duration) (*Store, error){"Open": Open, "OpenReadOnly": OpenReadOnly} {
		s, err := open(dir, time.Second)
		if err == nil {
			s.Close()
			t.Fatalf("%s accepted the damaged database", name)
		}
		if !errors.Is(err, ErrDamaged) || !strings.Contains(err.Error(), want) || !strings.Contains(err.Error(), "ticketd backup") {
			t.Fatalf("%s: %v; want ErrDamaged saying %q and how to restore", name, err, want)
		}
	}
}

func TestOpenRefusesEmptyFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "ticketd.db")
	if err := os.WriteFile(path, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	wantDamaged(t, dir, "empty")
	if fi, err := os.Stat(path); err != nil || fi.Size() != 0 {
		t.Fatalf("the empty file was touched: %v, %v", fi, err)
	}
}

func TestOpenRefusesMissingFileWithAttachments(t *testing.T) {
	dir := t.TempDir()
	blobs, err := OpenBlobs(filepath.Join(dir, "attachments"))
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := blobs.Put(strings.NewReader("a kept attachment"), 0); err != nil {
		t.Fatal(err)
	}
	s, err := Open(dir, time.Second)
	if err == nil {
		s.Close()
		t.Fatal("a new database was made beside existing attachments")
	}
	if !errors.Is(err, ErrDamaged) || !strings.Contains(err.Error(), "missing") {
		t.Fatalf("got %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "ticketd.db")); !os.IsNotExist(err) {
		t.Fatalf("ticketd.db was created: %v", err)
	}
}

// TestOpenCreatesAndReopens: a first start makes a file with the schema
// marker and nothing else left behind; it opens again, keeping its key.
func TestOpenCreatesAndReopens(t *testing.T) {
	dir := t.TempDir()
	s, err := Open(dir, time.Second)
	if err != nil {
		t.Fatal(err)
	}
	key, err := loadSecret(s)
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 || entries[0].Name() != "ticketd.db" {
		t.Fatalf("data dir after a first start: %v", entries)
	}
	s, err = Open(dir, time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	again, _ := loadSecret(s)
	if string(again) != string(key) {
		t.Fatal("the Message-ID key changed on reopening")
	}
}

func TestOpenRefusesTruncatedFile(t *testing.T) {
	dir, path := filledStore(t)
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	m0, m1, ps := metas(t, data)
	hwm := int64(max(m0.pgid, m1.pgid)) * int64(ps)
	// Cut inside the pages in use: bbolt would map past the end and the
	// first read there is a SIGBUS that kills the process.
	if err := os.Truncate(path, hwm-int64(ps)); err != nil {
		t.Fatal(err)
	}
	wantDamaged(t, dir, "truncated")
}

func TestOpenRefusesBrokenMetaPages(t *testing.T) {
	dir, path := filledStore(t)
	data, _ := os.ReadFile(path)
	_, _, ps := metas(t, data)
	data[boltPageHeader+boltMetaChecksum] ^= 0x10
	data[ps+boltPageHeader+boltMetaChecksum] ^= 0x01
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	wantDamaged(t, dir, "no valid meta page")
}

// TestOpenRefusesUnreadablePage: flipped bits in the root page make bbolt
// panic on its first read; the panic becomes ErrDamaged.
func TestOpenRefusesUnreadablePage(t *testing.T) {
	dir, path := filledStore(t)
	data, _ := os.ReadFile(path)
	m0, m1, ps := metas(t, data)
	root := m0.root
	if m1.txid > m0.txid {
		root = m1.root
	}
	data[int(root)*ps+8] ^= 0xff // the page's flags: neither branch nor leaf
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	wantDamaged(t, dir, "bbolt cannot read it")
}

// TestOpenChecksAfterBrokenMeta: with the newest meta page broken bbolt
// would silently use the one before; the file then gets the full
// consistency check, which finds the page the older freelist lost.
func TestOpenChecksAfterBrokenMeta(t *testing.T) {
	dir, path := filledStore(t)
	data, _ := os.ReadFile(path)
	m0, m1, ps := metas(t, data)
	newest, older := 0, m1
	if m1.txid > m0.txid {
		newest, older = 1, m0
	}
	data[newest*ps+boltPageHeader+boltMetaChecksum] ^= 0x01
	count := data[int(older.freelist)*ps+10:]
	n := binary.NativeEndian.Uint16(count)
	if n == 0 || n == 0xffff {
		t.Fatalf("freelist count %d: the fixture needs a short freelist", n)
	}
	binary.NativeEndian.PutUint16(count, n-1) // one free page forgotten
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	wantDamaged(t, dir, "consistency check")
}

// TestOpenAcceptsTornOlderMeta: a broken older meta page (a torn write,
// what bbolt's two metas exist for) passes the full check and opens with
// every transaction kept.
func TestOpenAcceptsTornOlderMeta(t *testing.T) {
	dir, path := filledStore(t)
	data, _ := os.ReadFile(path)
	m0, m1, ps := metas(t, data)
	older := 0
	if m0.txid > m1.txid {
		older = 1
	}
	data[older*ps+boltPageHeader+boltMetaChecksum] ^= 0x01
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	s, err := Open(dir, time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	err = s.view(func(tx *bolt.Tx) error {
		if n := tx.Bucket(bucketEvents).Stats().KeyN; n != 1000 {
			return fmt.Errorf("%d events, want 1000", n)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestOpenRefusesFileWithoutSchemaMarker: a bbolt file that is not
// ticketd's (or lost its buckets) is not taken over.
func TestOpenRefusesFileWithoutSchemaMarker(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "ticketd.db")
	db, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	err = db.Update(func(tx *bolt.Tx) error {
		_, err := tx.CreateBucket([]byte("something else"))
		return err
	})
	db.Close()
	if err != nil {
		t.Fatal(err)
	}
	wantDamaged(t, dir, "schema")
}

// TestOpenWhileLockedIsNotDamaged: while another holder writes the file,
// the check waits for the lock and says so: a commit caught half-written
// must never read as a damaged database.
func TestOpenWhileLockedIsNotDamaged(t *testing.T) {
	dir, _ := filledStore(t)
	holder, err := Open(dir, time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer holder.Close()
	for name, open := range map[string]func(string, time.Duration) (*Store, error){"Open": Open, "OpenReadOnly": OpenReadOnly} {
		s, err := open(dir, 100*time.Millisecond)
		if err == nil {
			s.Close()
			t.Fatalf("%s succeeded while the file is locked", name)
		}
		if errors.Is(err, ErrDamaged) || !strings.Contains(err.Error(), "locked by another process") {
			t.Fatalf("%s while locked: %v", name, err)
		}
	}
}

// TestReadOnlyReadOfDamagedLeafIsAnError: a read-only open checks the
// meta pages and the schema marker, not every bucket's edges, so a
// command may meet a damaged leaf later; that
// read ends with ErrDamaged, not a panic.
func TestReadOnlyReadOfDamagedLeafIsAnError(t *testing.T) {
	dir, path := filledStore(t)
	db, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: time.Second}) // Tx.Page needs the freelist
	if err != nil {
		t.Fatal(err)
	}
	var leaves []int
	err = db.View(func(tx *bolt.Tx) error {
		for id := 2; id < int(tx.Size())/db.Info().PageSize; id++ {
			p, err := tx.Page(id)
			if err != nil {
				return err
			}
			if p != nil && p.Type == "leaf" && p.Count >= 10 {
				leaves = append(leaves, id)
			}
		}
		return nil
	})
	db.Close()
	if err != nil || len(leaves) == 0 {
		t.Fatalf("leaf pages of events: %v, %v", leaves, err)
	}
	data, _ := os.ReadFile(path)
	_, _, ps := metas(t, data)
	data[leaves[len(leaves)-1]*ps+8] ^= 0xff // an events leaf: neither branch nor leaf
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	s, err := OpenReadOnly(dir, time.Second)
	if err != nil {
		t.Fatalf("the open checks no middle page, yet: %v", err)
	}
	defer s.Close()
	err = s.view(func(tx *bolt.Tx) error {
		c := tx.Bucket(bucketEvents).Cursor()
		for k, _ := c.First(); k != nil; k, _ = c.Next() {
		}
		return nil
	})
	if !errors.Is(err, ErrDamaged) {
		t.Fatalf("reading every event over a damaged leaf: %v; want ErrDamaged", err)
	}
}
