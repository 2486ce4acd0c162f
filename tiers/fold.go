package tiers

import (
	"strings"
	"sync"
	"unicode/utf8"
)

// Fold runs on every new ticket's subject and text (priority words,
// intake rules): most text is ASCII or Latin, folded here rune by rune
// from a table instead of normalising the whole text first.

// foldTableSize bounds the runes foldLatin folds from its table (Latin-1,
// Latin Extended-A and -B). Each is a starter that decomposes into a base
// letter and nonspacing marks, so folding them one by one is folding the
// text (TestFoldLatinMatchesFoldRunes).
const foldTableSize = 0x250

// foldTable holds foldRunes of each rune below foldTableSize.
var foldTable = sync.OnceValue(func() []string {
	t := make([]string, foldTableSize)
	for r := range rune(foldTableSize) {
		t[r] = foldRunes(string(r))
	}
	return t
})

// foldLatin is foldRunes(s) for s of runes below foldTableSize; false for
// any other s.
func foldLatin(s string) (string, bool) {
	var table []string
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); {
		if c := s[i]; c < utf8.RuneSelf {
			if 'A' <= c && c <= 'Z' {
				c += 'a' - 'A'
			}
			b.WriteByte(c)
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r >= foldTableSize || r == utf8.RuneError {
			return "", false
		}
		if table == nil {
			table = foldTable()
		}
		b.WriteString(table[r])
		i += size
	}
	return b.String(), true
}
