package mailparse

import (
	"bytes"
	"net/textproto"
	"regexp"
	"testing"

	"github.com/ticketd/ticketd/loadtest"
)

// fieldLinePattern is what isFieldLine tests by hand.
var fieldLinePattern = regexp.MustCompile(`^[!-9;-~]+[ \t]*:`)

func TestIsFieldLineIsRegexp(t *testing.T) {
	lines := [][]byte{[]byte("From: x"), []byte("From :"), []byte("From\t \t:x"), []byte(":x"), []byte(" From: x"),
		[]byte("Fr om: x"), []byte("From"), []byte("X-\x7f: y"), []byte("Föö: y"), []byte("a;b<c>~: d"), []byte(""), []byte("From \r\n")}
	raws, _ := loadtest.Corpus(100, 1)
	for _, raw := range append(seedFiles(t), raws...) {
		lines = append(lines, bytes.SplitAfter(raw, []byte("\n"))...)
	}
	for _, l := range lines {
		if got, want := isFieldLine(l), fieldLinePattern.Match(l); got != want {
			t.Errorf("isFieldLine(%q) = %v, the pattern says %v", l, got, want)
		}
	}
}

func FuzzIsFieldLine(f *testing.F) {
	f.Add([]byte("Content-Type: text/plain"))
	f.Add([]byte("Subject \t: x"))
	f.Fuzz(func(t *testing.T, l []byte) {
		if got, want := isFieldLine(l), fieldLinePattern.Match(l); got != want {
			t.Fatalf("isFieldLine(%q) = %v, the pattern says %v", l, got, want)
		}
	})
}

func TestContainsLowerIsBytes(t *testing.T) {
	for _, b := range []string{"", "multipart/mixed", "MULTIPART/Mixed; Boundary=x", "MULTİPART/", "multipart\x0f", "text/plain", "BOUNDAR", "xboundaryx",
		"Content-Type: multipart/alternative; boundary=\"alt-b1\"", "multi part/", "\u212aboundary"} {
		for _, w := range []string{"multipart/", "boundary"} {
			if got, want := containsLower([]byte(b), w), bytes.Contains(bytes.ToLower([]byte(b)), []byte(w)); got != want {
				t.Errorf("containsLower(%q, %q) = %v, want %v", b, w, got, want)
			}
		}
	}
}

func TestVendorAutoHeadersCanonical(t *testing.T) {
	for _, k := range vendorAutoHeaders {
		if c := textproto.CanonicalMIMEHeaderKey(k); c != k {
			t.Errorf("%q is not canonical (%q): every lookup allocates", k, c)
		}
	}
}
