package textfields

import (
	"strings"
	"testing"
)

var seeds = []string{"", " ", "a", " a", "a ", "a b", "a  b", "a\tb", "a\u00a0b", "\u2003a\u3000b\u0085",
	"Re: [Soporte #12] No puedo", "café \xff bar", "\xc3", "a \xe2\x80", "  Pérez,\r\n\tJuan  ", "ſ\u212a ΣΑΣ σας ǅ",
	"Ω\u2126 Å\u212b ꭰ \U00010400", "Ana\r\nBcc: x@evil.test", "Ana\u2028P", "\xff\xfe x", "Ana\x00Pérez"}

// checkJoin: Join is strings.Join(strings.Fields(s), " "), and Joined
// says when that is s itself (returned without a copy).
func checkJoin(t *testing.T, s string) {
	t.Helper()
	want := strings.Join(strings.Fields(s), " ")
	if got := Join(s); got != want {
		t.Fatalf("Join(%q) = %q, want %q", s, got, want)
	}
	if Joined(s) != (s == want) {
		t.Fatalf("Joined(%q) = %v", s, Joined(s))
	}
}

func TestJoinIsStringsFields(t *testing.T) {
	for _, s := range seeds {
		checkJoin(t, s)
	}
}

func FuzzJoin(f *testing.F) {
	for _, s := range seeds {
		f.Add(s)
	}
	f.Fuzz(checkJoin)
}
