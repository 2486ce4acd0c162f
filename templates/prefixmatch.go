package templates

import (
	"unicode/utf8"

	"github.com/ticketd/ticketd/internal/fold"
)

// The own-subject prefixes are matched by hand: the pattern they stand
// for (newOwnPrefix) cost ~2 ms to compile in every process and, with
// its program too large for regexp's pooled machines to survive a
// collection, some 4 KB of allocations per subject it ran on. The
// matcher below is a backtracking search that tries the choices in the
// order Go's leftmost-first semantics prefers them (alternatives in
// order, greedy repeats longest first, the lazy wildcard shortest
// first), so the first match it finds is the one the regexp reports;
// TestPrefixMatchesPattern and FuzzPrefixMatch hold them equal. A
// subject that would make it search long (prefixBudget) is handed to
// the compiled pattern instead, which is linear.

// prefixTok is one piece of a prefix's pattern.
type prefixTok struct {
	kind tokKind
	lit  string // tokLiteral: a word, matched case-insensitively
}

type tokKind uint8

const (
	tokLiteral tokKind = iota // the word, under (?i)
	tokSpaces1                // \s+
	tokSpaces0                // \s*
	tokNumber                 // \d{1,18}
	tokAny                    // .{1,80}?
)

// prefixBudget bounds the steps of one hand match before the compiled
// pattern takes over. A real subject takes a few dozen.
const prefixBudget = 4096

// match returns where the pattern's match of subject ends (the
// prefix and the space after it), or -1 when it does not match.
func (p ownPrefix) match(subject string) int {
	end := p.matchByHand(subject)
	if end != outOfBudget {
		return end
	}
	if loc := p.re().FindStringIndex(subject); loc != nil {
		return loc[1]
	}
	return -1
}

// matchByHand is match without the fallback: outOfBudget when it gave
// up.
func (p ownPrefix) matchByHand(subject string) int {
	m := prefixSearch{s: subject}
	lead := spaces(subject)
	for k := lead; k >= 0; k-- { // ^\s*, greedy
		for _, alt := range p.alts {
			switch end := m.seq(alt, k); {
			case end == outOfBudget:
				return outOfBudget
			case end >= 0:
				return end + spaces(subject[end:]) // \s*, greedy, always matches
			}
		}
	}
	return -1
}

// outOfBudget is seq's answer when it gave up.
const outOfBudget = -2

// prefixSearch is one hand match: the subject and the steps taken.
type prefixSearch struct {
	s     string
	steps int
}

// seq returns where toks, matched from pos, end, taking the first
// choice that lets the rest match; -1 if none does.
func (m *prefixSearch) seq(toks []prefixTok, pos int) int {
	if m.steps++; m.steps > prefixBudget {
		return outOfBudget
	}
	for len(toks) > 0 {
		t := toks[0]
		toks = toks[1:]
		switch t.kind {
		case tokLiteral:
			n := foldPrefixLen(m.s[pos:], t.lit)
			if n < 0 {
				return -1
			}
			pos += n
			continue
		case tokSpaces1, tokSpaces0:
			least := 1
			if t.kind == tokSpaces0 {
				least = 0
			}
			for k := spaces(m.s[pos:]); k >= least; k-- {
				if end := m.seq(toks, pos+k); end != -1 {
					return end
				}
			}
			return -1
		case tokNumber:
			for k := digits(m.s[pos:], 18); k >= 1; k-- {
				if end := m.seq(toks, pos+k); end != -1 {
					return end
				}
			}
			return -1
		case tokAny:
			p := pos
			for range 80 {
				r, size := utf8.DecodeRuneInString(m.s[p:])
				if size == 0 || r == '\n' {
					return -1
				}
				p += size
				if end := m.seq(toks, p); end != -1 {
					return end
				}
			}
			return -1
		}
	}
	return pos
}

// spaces counts the leading bytes of s that \s matches ([\t\n\f\r ]).
func spaces(s string) int {
	n := 0
	for n < len(s) {
		switch s[n] {
		case '\t', '\n', '\f', '\r', ' ':
			n++
		default:
			return n
		}
	}
	return n
}

// digits counts the leading ASCII digits of s (\d), at most max.
func digits(s string, max int) int {
	n := 0
	for n < len(s) && n < max && '0' <= s[n] && s[n] <= '9' {
		n++
	}
	return n
}

// foldPrefixLen returns how many bytes of s the literal lit matches
// under (?i), rune by rune (lengths in bytes may differ: "K" and the
// Kelvin sign), or -1. An invalid byte is U+FFFD, one byte wide, as the
// regexp reads it.
func foldPrefixLen(s, lit string) int {
	n := 0
	for _, l := range lit {
		r, size := utf8.DecodeRuneInString(s[n:])
		if size == 0 || (r != l && fold.Rune(r) != fold.Rune(l)) {
			return -1
		}
		n += size
	}
	return n
}
