package mailparse

import (
	"bufio"
	"bytes"
	"io"
	"slices"
	"strings"
	"testing"

	"github.com/emersion/go-message/textproto"

	"github.com/ticketd/ticketd/loadtest"
)

// checkHeaderBytes compares readHeaderBytes with textproto.ReadHeader
// (through go-message's limit) on raw: when the fast path reads raw, the
// fields (names, values, raw bytes, in order and by name) and the body
// must be ReadHeader's.
func checkHeaderBytes(t testing.TB, raw []byte) bool {
	got, body, ok := readHeaderBytes(raw)
	if !ok {
		return false
	}
	br := bufio.NewReader(&headerLimit{r: bytes.NewReader(raw), n: maxHeaderBytes})
	want, err := textproto.ReadHeader(br)
	if err != nil {
		t.Fatalf("%q: read by the fast path, ReadHeader fails: %v", raw, err)
	}
	type field struct {
		k, v string
		raw  []byte
	}
	fields := func(h textproto.Header) (fs []field) {
		for f := h.Fields(); f.Next(); {
			r, _ := f.Raw()
			fs = append(fs, field{f.Key(), f.Value(), r})
		}
		return fs
	}
	gf, wf := fields(got), fields(want)
	if !slices.EqualFunc(gf, wf, func(a, b field) bool { return a.k == b.k && a.v == b.v && bytes.Equal(a.raw, b.raw) }) {
		t.Fatalf("%q: fields %q, ReadHeader %q", raw, gf, wf)
	}
	for _, f := range wf {
		if g, w := got.Values(f.k), want.Values(f.k); !slices.Equal(g, w) || got.Get(f.k) != want.Get(f.k) {
			t.Fatalf("%q: values of %s %q, ReadHeader %q", raw, f.k, g, w)
		}
	}
	rest, _ := io.ReadAll(br)
	if !bytes.Equal(raw[body:], rest) {
		t.Fatalf("%q: body %q, ReadHeader leaves %q", raw, raw[body:], rest)
	}
	return true
}

var headerSeeds = []string{"From: a\r\n\r\nbody", "From: a\r\nTo: b\r\n c\r\n\td\r\n\r\n", "From: a\n\nbody", " From: a\r\n\r\n",
	"From : a\r\n\r\n", ": a\r\n\r\n", "From: a\r\n", "From: a\r\nno colon\r\n\r\n", "From: a\rb\r\n\r\n", "X: 1\r\nX: 2\r\nx: 3\r\n\r\n",
	"Fr\xc3\xb6m: a\r\n\r\n", "From:\r\n\r\n", "\r\nbody", "", "From: a\r\n \r\n\r\n", "A: " + strings.Repeat("x", 5000) + "\r\n\r\n"}

func TestReadHeaderBytesIsReadHeader(t *testing.T) {
	raws, _ := loadtest.Corpus(300, 1)
	for _, s := range headerSeeds {
		raws = append(raws, []byte(s))
	}
	read := 0
	for _, raw := range append(seedFiles(t), raws...) {
		for _, r := range [][]byte{raw, repairRaw(raw)} {
			if checkHeaderBytes(t, r) {
				read++
			}
		}
	}
	if read < 500 {
		t.Errorf("the fast path read only %d headers", read)
	}
}

func FuzzReadHeaderBytes(f *testing.F) {
	for _, s := range headerSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		checkHeaderBytes(t, raw)
	})
}
