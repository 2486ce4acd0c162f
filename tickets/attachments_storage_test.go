package tickets

import (
	"bytes"
	"errors"
	"io"
	"os"
	"strings"
	"testing"
)

// breakDir replaces the directory dir with a regular file: writing under
// it then fails with ENOTDIR even for root, whom permissions do not stop.
func breakDir(t *testing.T, dir string) {
	t.Helper()
	if err := os.RemoveAll(dir); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(dir, []byte("not a directory"), 0o600); err != nil {
		t.Fatal(err)
	}
}

// TestBlobsStorageErrors: a disk that refuses a write, or a stored file
// that cannot be read, is ErrStorage, never ErrTooLarge; a body that
// cannot be read is neither.
func TestBlobsStorageErrors(t *testing.T) {
	dir := t.TempDir()
	b, err := OpenBlobs(dir)
	if err != nil {
		t.Fatal(err)
	}
	sum, _, err := b.Put(strings.NewReader("captura"), 100)
	if err != nil {
		t.Fatal(err)
	}

	// The stored file became unreadable: a directory where it was.
	if err := os.Remove(b.path(sum)); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(b.path(sum), 0o700); err != nil {
		t.Fatal(err)
	}
	r, err := b.Open(sum)
	if err == nil {
		_, err = io.ReadAll(r)
		r.Close()
	}
	if !errors.Is(err, ErrStorage) {
		t.Fatalf("reading an unreadable attachment: %v, want ErrStorage", err)
	}
	// Gone altogether.
	os.Remove(b.path(sum))
	if _, err := b.Open(sum); !errors.Is(err, ErrStorage) {
		t.Fatalf("opening a missing attachment: %v, want ErrStorage", err)
	}

	// A reader that fails is the message's problem, not the disk's.
	_, _, err = b.Put(io.MultiReader(strings.NewReader("abc"), errReader{}), 100)
	if err == nil || errors.Is(err, ErrStorage) || errors.Is(err, ErrTooLarge) {
		t.Fatalf("Put with a failing reader: %v", err)
	}

	breakDir(t, dir)
	_, n, err := b.Put(bytes.NewReader(make([]byte, 50)), 100)
	if !errors.Is(err, ErrStorage) || errors.Is(err, ErrTooLarge) {
		t.Fatalf("Put into a broken store: %v (size %d), want ErrStorage", err, n)
	}
}

type errReader struct{}

func (errReader) Read([]byte) (int, error) { return 0, errors.New("bad base64") }
