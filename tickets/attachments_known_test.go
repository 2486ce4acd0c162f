package tickets

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"os"
	"testing"
	"time"
)

// TestKnownBlobIsNotWrittenAgain: content already in the store (a
// signature's logo in every mail) is found by its hash and left as it
// is, small or large; content around the in-memory size is stored whole,
// and the limit holds on both sides of it.
func TestKnownBlobIsNotWrittenAgain(t *testing.T) {
	b, err := OpenBlobs(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	for _, size := range []int{0, 1, 5000, smallBlob - 1, smallBlob, smallBlob + 1, 3 * smallBlob} {
		content := bytes.Repeat([]byte{byte(size)}, size)
		want := sha256.Sum256(content)
		sum, n, err := b.Put(bytes.NewReader(content), int64(4*smallBlob))
		if err != nil || n != int64(size) || sum != hex.EncodeToString(want[:]) {
			t.Fatalf("%d bytes: Put %q %d %v", size, sum, n, err)
		}
		old := time.Now().Add(-time.Hour).Truncate(time.Second)
		if err := os.Chtimes(b.path(sum), old, old); err != nil {
			t.Fatal(err)
		}
		if again, n, err := b.Put(bytes.NewReader(content), int64(4*smallBlob)); err != nil || again != sum || n != int64(size) {
			t.Fatalf("%d bytes: second Put %q %d %v", size, again, n, err)
		}
		fi, err := os.Stat(b.path(sum))
		if err != nil {
			t.Fatal(err)
		}
		if size < smallBlob && !fi.ModTime().Equal(old) {
			t.Errorf("%d bytes: the stored file was written again", size)
		}
		r, err := b.Open(sum)
		if err != nil {
			t.Fatal(err)
		}
		got, _ := io.ReadAll(r)
		r.Close()
		if !bytes.Equal(got, content) {
			t.Fatalf("%d bytes: Open gave %d bytes", size, len(got))
		}
		if size > 1 { // a limit of 0 is none
			if _, n, err := b.Put(bytes.NewReader(content), int64(size-1)); !errors.Is(err, ErrTooLarge) || n != int64(size) {
				t.Fatalf("%d bytes over a limit of %d: %d %v, want ErrTooLarge with the whole size", size, size-1, n, err)
			}
		}
	}
}
