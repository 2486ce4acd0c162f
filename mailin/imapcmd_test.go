package mailin

import (
	"bytes"
	"errors"
	"io"
	"testing"
	"testing/iotest"
)

// TestReadLiteral: the whole literal is read whatever size it announced,
// in one allocation when the size was right, and a failing connection
// is an error.
func TestReadLiteral(t *testing.T) {
	msg := bytes.Repeat([]byte("línea de un mensaje\r\n"), 500)
	for _, announced := range []int64{int64(len(msg)), 0, 10, int64(len(msg)) - 1, int64(len(msg)) * 2} {
		got, err := readLiteral(iotest.HalfReader(bytes.NewReader(msg)), announced)
		if err != nil || !bytes.Equal(got, msg) {
			t.Errorf("announced %d: %d bytes, %v", announced, len(got), err)
		}
	}
	allocs := testing.AllocsPerRun(20, func() {
		if _, err := readLiteral(bytes.NewReader(msg), int64(len(msg))); err != nil {
			t.Fatal(err)
		}
	})
	if allocs > 2 {
		t.Errorf("%v allocations for a literal of the announced size", allocs)
	}
	boom := errors.New("connection reset")
	if _, err := readLiteral(io.MultiReader(bytes.NewReader(msg[:100]), iotest.ErrReader(boom)), int64(len(msg))); !errors.Is(err, boom) {
		t.Errorf("a failing read gave %v", err)
	}
}
