package mailparse

import (
	"slices"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"github.com/ticketd/ticketd/internal/fold"
)

// The case-insensitive regexps of autoreply.go are slow to run over every
// message (regexp tries each start position), and almost every message
// fails them. A foldFilter rules a regexp out first, exactly: it lists
// words at least one of which any match must contain, compared the way
// (?i) compares (Unicode simple case folding: "ſ" is an "s", "K" a "k"),
// so that skipping the regexp when none is present never changes a
// result.

// foldFields is fold.String(textfields.Join(s)) in one pass: the words of s
// folded, one space apart.
func foldFields(s string) string {
	var stack [512]byte // most texts folded: the string is the one allocation
	b := stack[:0]
	space := false // white space since the last word
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf { // ASCII without a call
			i++
			switch {
			case c == ' ' || '\t' <= c && c <= '\r': // unicode.IsSpace
				space = len(b) > 0
				continue
			case 'a' <= c && c <= 'z':
				c -= 'a' - 'A'
			}
			if space {
				b, space = append(b, ' '), false
			}
			b = append(b, c)
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		i += size
		if unicode.IsSpace(r) {
			space = len(b) > 0
			continue
		}
		if space {
			b, space = append(b, ' '), false
		}
		b = utf8.AppendRune(b, fold.Rune(r))
	}
	return string(b)
}

// foldFilter is a disjunction of conjunctions: a text passes when, for
// some clause, it contains one word of each of the clause's lists.
type foldFilter struct {
	clauses [][][]string // the words, folded
	// The distinct words (at most 64, else nil: pass then searches
	// word by word), those starting with each byte, and each list of
	// each clause as a set of them.
	words   []string
	byFirst [256][]uint8
	lists   [][]uint64
	empty   uint64 // the empty words, in every text
	// starts has a bit for each pair of bytes a word starts with (a
	// one-byte word: its byte and any other), so that the scan passes
	// most positions of a text at the cost of one test.
	starts [1 << 16 / 64]uint64
}

// newFoldFilter returns the filter of clauses, their words folded at its
// first use: the filters are package variables, and folding them all at
// init cost every command (ticketd stats, list...) ~0.15 ms.
func newFoldFilter(clauses ...[][]string) func() *foldFilter {
	return sync.OnceValue(func() *foldFilter { return foldClauses(clauses) })
}

// foldClauses folds the words of clauses.
func foldClauses(clauses [][][]string) *foldFilter {
	f := &foldFilter{clauses: make([][][]string, len(clauses))}
	index := map[string]int{}
	for i, c := range clauses {
		f.clauses[i] = make([][]string, len(c))
		for j, words := range c {
			for _, w := range words {
				k := fold.String(w)
				f.clauses[i][j] = append(f.clauses[i][j], k)
				if _, ok := index[k]; !ok {
					index[k] = len(f.words)
					f.words = append(f.words, k)
				}
			}
		}
	}
	if len(f.words) > 64 {
		f.words = nil
		return f
	}
	for n, w := range f.words {
		switch len(w) {
		case 0:
			f.empty |= 1 << n
			continue
		case 1:
			for c := range 256 {
				f.setStart(w[0], byte(c))
			}
		default:
			f.setStart(w[0], w[1])
		}
		f.byFirst[w[0]] = append(f.byFirst[w[0]], uint8(n))
	}
	for _, c := range f.clauses {
		var sets []uint64
		for _, words := range c {
			var set uint64
			for _, w := range words {
				set |= 1 << index[w]
			}
			sets = append(sets, set)
		}
		f.lists = append(f.lists, sets)
	}
	return f
}

// pass reports whether the folded text (fold.String) may match. The words
// are found in one scan of key (at each byte, the words starting with
// it) rather than a search of key per word.
func (f *foldFilter) pass(key string) bool {
	if f.words == nil {
		return f.passEach(key)
	}
	found := f.empty
	for i := 0; i < len(key); i++ {
		if i+1 < len(key) && !f.startsWith(key[i], key[i+1]) {
			continue
		}
		for _, n := range f.byFirst[key[i]] {
			if found&(1<<n) == 0 && strings.HasPrefix(key[i:], f.words[n]) {
				found |= 1 << n
			}
		}
	}
	for _, sets := range f.lists {
		ok := true
		for _, set := range sets {
			if set&found == 0 {
				ok = false
				break
			}
		}
		if ok {
			return true
		}
	}
	return false
}

func (f *foldFilter) setStart(a, b byte) {
	p := uint(a)<<8 | uint(b)
	f.starts[p/64] |= 1 << (p % 64)
}

func (f *foldFilter) startsWith(a, b byte) bool {
	p := uint(a)<<8 | uint(b)
	return f.starts[p/64]&(1<<(p%64)) != 0
}

// passEach is pass, word by word.
func (f *foldFilter) passEach(key string) bool {
	for _, clause := range f.clauses {
		ok := true
		for _, words := range clause {
			if !containsAny(key, words) {
				ok = false
				break
			}
		}
		if ok {
			return true
		}
	}
	return false
}

func containsAny(s string, words []string) bool {
	for _, w := range words {
		if strings.Contains(s, w) {
			return true
		}
	}
	return false
}

// Filters of autoReplyStatement and awayStatement, alternative by
// alternative. They run on autoReplyText's top, in which white space is
// single spaces, so that `\s+` there is " " here.
var (
	// Every alternative says "autom…" or "auto".
	autoReplyStatementFilter = newFoldFilter([][]string{{"auto"}})
	// Each alternative: a first-person verb, then what the writer is.
	awayStatementFilter = newFoldFilter(
		[][]string{{"i am", "i'm", "i’m", "i will", "i'll", "i’ll"},
			{"out of", "away from", "vacation", "holiday", "leave", "travel", "business trip", "out until", "away until", "not in the office"}},
		[][]string{{"estoy", "estar", "me encuentro", "me encontrar", "permanecer"},
			{"fuera", "ausente", "vacaciones", "licencia", "permiso", "sin acceso"}},
		[][]string{{"je suis", "je serai"}, {"absent", "cong", "vacances", "placement"}},
		[][]string{{"ich bin"}, {"nicht im b", "abwesend", "im urlaub"}},
		[][]string{{"sono", "saro", "sarò"}, {"fuori ufficio", "fuori sede", "in ferie", "assente"}},
		[][]string{{"estou", "estarei"}, {"fora do escrit", "ausente", "de férias", "de ferias"}},
	)
)

// mobileFooterFilter holds, for each phrase of mobileFooter, its longest
// word: a line without any of them is no footer.
var mobileFooterFilter = sync.OnceValue(func() *foldFilter {
	return longestWords(func(l quoteLanguage) []string { return slices.Concat(l.mobile, l.mobileEnd) })
})

// longestWords is the filter of the phrases picked from every language
// (regexp alternatives, see alternation): the longest word of each. A
// phrase with other regexp syntax than an escaped "(" gives "", which
// every text contains.
func longestWords(pick func(quoteLanguage) []string) *foldFilter {
	var words []string
	for _, l := range quoteLanguages {
		for _, w := range pick(l) {
			w, _, _ = strings.Cut(w, `\`) // "napisał\(a\)": "napisał"
			longest := ""
			for _, f := range strings.Fields(w) {
				if len(f) > len(longest) {
					longest = f
				}
			}
			if strings.ContainsAny(w, `.?*+[]{}()|^$`) {
				longest = ""
			}
			words = append(words, longest)
		}
	}
	return foldClauses([][][]string{{words}})
}
