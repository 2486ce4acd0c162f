package tickets

import (
	"strings"

	"github.com/ticketd/ticketd/internal/fold"
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
	return foldText(s).replace(s, foldRunes(old), repl)
}

// replaceFoldAll is replaceFold with each of olds in turn. s is folded
// once for all of them; only from the first one it holds on does each
// replacement fold the text it got (the common text holds none).
func replaceFoldAll(s string, olds []string, repl string) string {
	f := foldText(s)
	for i, old := range olds {
		pat := foldRunes(old)
		if _, found := f.find(s, pat, 0); !found {
			continue // replaceFold would return s as it is
		}
		s = f.replace(s, pat, repl)
		for _, old := range olds[i+1:] {
			s = replaceFold(s, old, repl)
		}
		return s
	}
	return s
}

// folded is a text folded rune by rune (fold.Rune), with the byte offsets
// of its runes in the text.
type folded struct {
	text []rune // s, folded
	offs []int  // offs[i]: byte offset in s of text[i]; then len(s)
}

func foldText(s string) folded {
	var f folded
	for i, r := range s {
		f.text = append(f.text, fold.Rune(r))
		f.offs = append(f.offs, i)
	}
	f.offs = append(f.offs, len(s))
	return f
}

// find returns the rune index, from i on, of the first whole address pat
// in s (folded as f); false when there is none.
func (f folded) find(s string, pat []rune, i int) (int, bool) {
	if len(pat) == 0 {
		return 0, false
	}
	for ; i+len(pat) <= len(f.text); i++ {
		if runesEqual(f.text[i:i+len(pat)], pat) && !continuesAddress(s, f.offs[i], f.offs[i+len(pat)]) {
			return i, true
		}
	}
	return 0, false
}

// replace returns s (folded as f) with every whole address pat replaced
// by repl.
func (f folded) replace(s string, pat []rune, repl string) string {
	var b strings.Builder
	copied := 0
	for i := 0; ; i += len(pat) {
		var found bool
		if i, found = f.find(s, pat, i); !found {
			break
		}
		b.WriteString(s[copied:f.offs[i]])
		b.WriteString(repl)
		copied = f.offs[i+len(pat)]
	}
	b.WriteString(s[copied:])
	return b.String()
}

func foldRunes(s string) []rune {
	var out []rune
	for _, r := range s {
		out = append(out, fold.Rune(r))
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
