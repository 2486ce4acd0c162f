// Package textfields collapses white space the way strings.Fields splits
// it, without the slice of fields: subjects, display names and text
// tops are read (mailparse) and written (mailout, templates) by it.
package textfields

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Join is strings.Join(strings.Fields(s), " "): the words of s (split
// at Unicode white space) one space apart. It runs on every subject,
// display name and text top read or sent, where the slice of fields was
// most of the cost; a string already so is returned as is.
func Join(s string) string {
	if Joined(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	start := -1 // of the word being read
	for i := 0; i <= len(s); {
		r, size := ' ', 1 // past the end: the last word ends
		if i < len(s) {
			r, size = RuneAt(s, i)
		}
		switch {
		case unicode.IsSpace(r):
			if start >= 0 {
				if b.Len() > 0 {
					b.WriteByte(' ')
				}
				b.WriteString(s[start:i])
				start = -1
			}
		case start < 0:
			start = i
		}
		i += size
	}
	return b.String()
}

// Joined reports whether Join(s) is s: no white space at either end,
// single spaces between words.
func Joined(s string) bool {
	space := true // at the start, as after a space
	for i := 0; i < len(s); {
		r, size := RuneAt(s, i)
		if unicode.IsSpace(r) {
			if r != ' ' || space {
				return false
			}
			space = true
		} else {
			space = false
		}
		i += size
	}
	return !space || s == ""
}

// RuneAt decodes the rune at s[i:], ASCII without a call.
func RuneAt(s string, i int) (rune, int) {
	if c := s[i]; c < utf8.RuneSelf {
		return rune(c), 1
	}
	return utf8.DecodeRuneInString(s[i:])
}
