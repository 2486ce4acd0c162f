// Package fold compares text as a case-insensitive regexp does ((?i):
// Unicode simple case folding, so "ſ" is an "s" and "K" (Kelvin) a "k"):
// each rune maps to one representative of the runes it is equal to, the
// smallest of its folding orbit. mailparse's filters and matchers,
// templates' subject prefixes and tickets' blank-answer check use it, so
// that they agree with the regexps they stand in for.
package fold

import (
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"
)

// Rune maps r to the smallest rune of its simple case-folding orbit: two
// runes that (?i) takes as equal map to the same rune.
func Rune(r rune) rune {
	if r < utf8.RuneSelf {
		if 'a' <= r && r <= 'z' {
			return r - 'a' + 'A' // the upper case letter is the smallest of an ASCII orbit
		}
		return r
	}
	if r < tableSize {
		return table()[r] // Latin, Greek, Cyrillic: the accented letters of most mail
	}
	return orbit(r)
}

// orbit is Rune by a walk of r's orbit.
func orbit(r rune) rune {
	m := r
	for f := unicode.SimpleFold(r); f != r; f = unicode.SimpleFold(f) {
		m = min(m, f)
	}
	return m
}

// table holds orbit of the runes below tableSize: the walk is a binary
// search of the case tables per step.
const tableSize = 0x530

var table = sync.OnceValue(func() *[tableSize]rune {
	var t [tableSize]rune
	for r := range rune(tableSize) {
		t[r] = orbit(r)
	}
	return &t
})

// String is s with every rune folded (Rune); invalid bytes become U+FFFD.
func String(s string) string {
	ascii := true
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			ascii = false
			break
		}
	}
	if ascii {
		return strings.ToUpper(s)
	}
	var b strings.Builder
	b.Grow(len(s) + 8)
	for i := 0; i < len(s); {
		if c := s[i]; c < utf8.RuneSelf {
			b.WriteByte(byte(Rune(rune(c))))
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		b.WriteRune(Rune(r))
		i += size
	}
	return b.String()
}
