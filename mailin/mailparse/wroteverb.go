package mailparse

import (
	"regexp"
	"strings"
	"sync"
	"unicode"

	"github.com/ticketd/ticketd/internal/fold"
	"github.com/ticketd/ticketd/internal/textfields"
)

// hasWroteVerb is wroteVerb().MatchString(s) — an attribution's verb
// ("wrote", "escribió", "a écrit", "写道") as a word — matched by hand:
// the regexp, an alternation of some forty phrases between two classes,
// tries every one at every position and took ~16 µs on a 60-byte line;
// every reply's attribution runs it. A match is a verb phrase, its
// letters compared as (?i) compares them (fold.Rune) and its spaces
// standing for runs of white space, that starts the text or follows a
// rune of the left class and ends the text or precedes one of the right
// class (TestWroteVerbMatcherIsRegexp, FuzzHasWroteVerb).
func hasWroteVerb(s string) bool {
	m := wroteVerbs()
	if m.phrases == nil {
		return wroteVerb().MatchString(s) // a verb the matcher cannot read
	}
	prevOK := true // ^
	for i := 0; i < len(s); {
		r, size := textfields.RuneAt(s, i)
		if prevOK {
			f := fold.Rune(r)
			for _, p := range m.phrases {
				if p[0] == f {
					if end, ok := matchFolded(s, i, p); ok && (end == len(s) || wroteRight(s, end)) {
						return true
					}
				}
			}
		}
		prevOK = wroteLeft(r)
		i += size
	}
	return false
}

// wroteVerbs are the verbs of wroteVerb as runes, folded (fold.Rune), a
// space standing for \s+; phrases is nil when one of them is not a
// plain phrase (regexp syntax other than an escaped parenthesis).
var wroteVerbs = sync.OnceValue(func() (m struct{ phrases [][]rune }) {
	for _, l := range quoteLanguages {
		for _, w := range l.wrote {
			plain := strings.NewReplacer(`\(`, "(", `\)`, ")").Replace(w)
			if strings.ReplaceAll(regexp.QuoteMeta(plain), " ", "") != strings.ReplaceAll(w, " ", "") || strings.Contains(w, "  ") ||
				plain == "" || plain != strings.TrimSpace(plain) {
				m.phrases = nil
				return m
			}
			var p []rune
			for _, r := range plain {
				p = append(p, fold.Rune(r))
			}
			m.phrases = append(m.phrases, p)
		}
	}
	return m
})

// matchFolded matches the folded phrase p at s[i:] and returns where the
// match ends.
func matchFolded(s string, i int, p []rune) (end int, ok bool) {
	for _, pr := range p {
		if pr == ' ' {
			j := i
			for j < len(s) && isRegexpSpace(s[j]) {
				j++
			}
			if j == i {
				return 0, false
			}
			i = j
			continue
		}
		if i >= len(s) {
			return 0, false
		}
		r, size := textfields.RuneAt(s, i)
		if fold.Rune(r) != pr {
			return 0, false
		}
		i += size
	}
	return i, true
}

// wroteLeft is the class a verb follows: [\s,:"'(>\d\p{Han}\p{Hiragana}\p{Katakana}].
func wroteLeft(r rune) bool {
	if r < 0x80 {
		return isRegexpSpace(byte(r)) || strings.IndexByte(`,:"'(>`, byte(r)) >= 0 || '0' <= r && r <= '9'
	}
	return unicode.In(r, unicode.Han, unicode.Hiragana, unicode.Katakana)
}

// wroteRight is whether the rune at s[i:] is of the class a verb
// precedes: [\s:：,)-].
func wroteRight(s string, i int) bool {
	if c := s[i]; isRegexpSpace(c) || c == ':' || c == ',' || c == ')' || c == '-' {
		return true
	}
	return strings.HasPrefix(s[i:], "：")
}
