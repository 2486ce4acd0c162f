package mailparse

import (
	"strings"
	"testing"

	"github.com/ticketd/ticketd/internal/fold"
	"github.com/ticketd/ticketd/internal/textfields"
)

func joinFieldsStrings(s string) string { return strings.Join(strings.Fields(s), " ") }

var joinFieldsSeeds = []string{"", " ", "a", " a", "a ", "a b", "a  b", "a\tb", "a\u00a0b", "\u2003a\u3000b\u0085",
	"Re: [Soporte #12] No puedo", "café \xff bar", "\xc3", "a \xe2\x80", "  Pérez,\r\n\tJuan  ", "ſ\u212a ΣΑΣ σας ǅ", "Ω\u2126 Å\u212b ꭰ \U00010400"}

// checkFields: textfields.Join on what mail brings, and foldFields (its
// folded form in one pass), against the splits they stand for.
func checkFields(t *testing.T, s string) {
	t.Helper()
	if got, want := textfields.Join(s), joinFieldsStrings(s); got != want {
		t.Fatalf("textfields.Join(%q) = %q, want %q", s, got, want)
	}
	if got, want := foldFields(s), fold.String(joinFieldsStrings(s)); got != want {
		t.Fatalf("foldFields(%q) = %q, want %q", s, got, want)
	}
}

func TestJoinFieldsIsStrings(t *testing.T) {
	for _, s := range append(corpusTexts(t), joinFieldsSeeds...) {
		checkFields(t, s)
	}
}

func FuzzJoinFields(f *testing.F) {
	for _, s := range joinFieldsSeeds {
		f.Add(s)
	}
	f.Fuzz(checkFields)
}
