package tiers

import (
	"math/rand/v2"
	"strings"
	"testing"
)

// TestFoldLatinMatchesFoldRunes: Fold's table path gives what
// normalising the whole text gives, for every rune below 0x300 alone and
// in random texts mixing them with ASCII, combining marks, other scripts
// and invalid UTF-8.
func TestFoldLatinMatchesFoldRunes(t *testing.T) {
	var pool []string
	for r := rune(0); r < 0x300; r++ {
		pool = append(pool, string(r))
	}
	pool = append(pool, "\u0301", "\u0303", "日本", "\u212a", "ﬁ", "\xff", "\xc3", " ", "URGENTE", "Urgénte", "ÅÑÇ")
	texts := append([]string{"", "  URGENTE  ", "Urgénte: no imprime", "e\u0301l", "\u00a0x\u00a0"}, pool...)
	rnd := rand.New(rand.NewPCG(7, 8))
	for range 20000 {
		var b strings.Builder
		for range rnd.IntN(12) {
			b.WriteString(pool[rnd.IntN(len(pool))])
		}
		texts = append(texts, b.String())
	}
	for _, s := range texts {
		want := foldRunes(strings.TrimSpace(s))
		if got := Fold(s); got != want {
			t.Fatalf("Fold(%q) = %q, normalised: %q", s, got, want)
		}
	}
}
