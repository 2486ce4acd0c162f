package tickets

import (
	"strings"
	"unicode"
)

// replaceFold replaces every occurrence of the address old in s, in any
// case (as strings.EqualFold compares) — whole addresses only: with
// agent ana@example.com, "mariana@example.com" and "ana@example.com.co"
// stay as they are.
//
// It compares rune by rune and keeps the byte offsets of s: lower-casing
// the whole text and searching that would misplace every offset after a
// letter whose lower case has another length ("İ", the Kelvin sign "K"),
// and leave the address in the text.
func replaceFold(s, old, repl string) string {
	pat := foldRunes(old)
	if len(pat) == 0 {
		return s
	}
	var text []rune // s, folded
	var offs []int  // offs[i]: byte offset in s of text[i]; then len(s)
	for i, r := range s {
		text = append(text, foldRune(r))
		offs = append(offs, i)
	}
	offs = append(offs, len(s))
	var b strings.Builder
	copied := 0
	for i := 0; i+len(pat) <= len(text); {
		start, end := offs[i], offs[i+len(pat)]
		if !runesEqual(text[i:i+len(pat)], pat) || continuesAddress(s, start, end) {
			i++
			continue
		}
		b.WriteString(s[copied:start])
		b.WriteString(repl)
		copied = end
		i += len(pat)
	}
	b.WriteString(s[copied:])
	return b.String()
}

// foldRune maps r to the smallest rune of its case-folding orbit
// (unicode.SimpleFold): two runes fold alike exactly when
// strings.EqualFold holds them equal.
func foldRune(r rune) rune {
	least := r
	for f := unicode.SimpleFold(r); f != r; f = unicode.SimpleFold(f) {
		least = min(least, f)
	}
	return least
}

func foldRunes(s string) []rune {
	var out []rune
	for _, r := range s {
		out = append(out, foldRune(r))
	}
	return out
}

func runesEqual(a, b []rune) bool {
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return len(a) == len(b)
}

// continuesAddress reports whether s[start:end] is part of a longer
// address: an address character touches it, or a dot with one beyond it
// ("maria.ana@…", "…@example.com.co"; "write to ana@example.com." ends a
// sentence).
func continuesAddress(s string, start, end int) bool {
	if start > 0 && (isAddrChar(s[start-1]) || s[start-1] == '.' && start > 1 && isAddrChar(s[start-2])) {
		return true
	}
	return end < len(s) && (isAddrChar(s[end]) || s[end] == '.' && end+1 < len(s) && isAddrChar(s[end+1]))
}

// isAddrChar reports whether c can continue an address on either side.
func isAddrChar(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' ||
		c == '_' || c == '+' || c == '-' || c == '%'
}
