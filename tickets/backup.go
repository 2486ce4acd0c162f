package tickets

import (
	"fmt"
	"io"
	"os"
	"path/filepath"

	bolt "go.etcd.io/bbolt"
)

// Backup writes a consistent copy of the whole database to w from one read
// transaction: writers go on meanwhile and the copy is the database as of
// the transaction's start. It returns the bytes written.
func (s *Store) Backup(w io.Writer) (int64, error) {
	return s.BackupTo(func(int64) (io.Writer, error) { return w, nil })
}

// BackupTo is Backup for a writer that needs the copy's size first (an
// HTTP response's Content-Length): open gets the size, from the same
// transaction, and returns where to write.
func (s *Store) BackupTo(open func(size int64) (io.Writer, error)) (int64, error) {
	// Deliveries recorded in the delivery log but not yet in the
	// database go in first: a restored backup must not send them again.
	if err := s.applyLogged(); err != nil {
		return 0, fmt.Errorf("backup: %w", err)
	}
	var n int64
	err := s.view(func(tx *bolt.Tx) error {
		w, err := open(tx.Size())
		if err != nil {
			return err
		}
		n, err = tx.WriteTo(w)
		return err
	})
	if err != nil {
		return n, fmt.Errorf("backup: %w", err)
	}
	return n, nil
}

// WriteFileAtomic writes what fill produces to path by way of a temporary
// file in the same directory, synced and renamed into place: path is
// either the complete new file or untouched.
func WriteFileAtomic(path string, fill func(io.Writer) error) error {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	tmp := f.Name()
	fail := func(err error) error {
		f.Close()
		os.Remove(tmp)
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := fill(f); err != nil {
		return fail(err)
	}
	if err := f.Chmod(0o600); err != nil {
		return fail(err)
	}
	if err := f.Sync(); err != nil {
		return fail(err)
	}
	if err := f.Close(); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := os.Rename(tmp, path); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}
