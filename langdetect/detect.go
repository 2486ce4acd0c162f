package langdetect

import (
	"sort"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// Rule says when a guess is confident.
type Rule struct {
	// MinScore is the evidence the best language needs (a word only it
	// has counts 1).
	MinScore float64
	// MinRatio is how many times the runner-up's score the best needs.
	MinRatio float64
	// MinLead is how much more than the runner-up the best needs.
	MinLead float64
}

// DefaultRule is tuned on the table of requests in the tests: two
// distinctive words, twice the runner-up's evidence.
var DefaultRule = Rule{MinScore: 2, MinRatio: 2, MinLead: 1.5}

// Detector guesses the language of a text. It is safe for concurrent use.
type Detector struct {
	langs  []string
	exact  map[string][]int // word → the languages (indexes) that list it
	folded map[string][]int // the same, words without accents
	rule   Rule
}

// New builds a Detector from one word list per language (the map's keys
// are the language codes the guesses return).
func New(lists map[string][]string, rule Rule) *Detector {
	d := &Detector{exact: map[string][]int{}, folded: map[string][]int{}, rule: rule}
	for lang := range lists {
		d.langs = append(d.langs, lang)
	}
	sort.Strings(d.langs)
	for i, lang := range d.langs {
		for _, w := range lists[lang] {
			w = strings.ToLower(w)
			d.exact[w] = addOnce(d.exact[w], i)
			f := fold(w)
			d.folded[f] = addOnce(d.folded[f], i)
		}
	}
	return d
}

func addOnce(s []int, i int) []int {
	for _, v := range s {
		if v == i {
			return s
		}
	}
	return append(s, i)
}

// Guess is what Detect found.
type Guess struct {
	// Language is the best-scoring language ("" when no word was known).
	Language string
	// Confident: the Rule holds, the guess may be acted on.
	Confident bool
	// Scores per language, for tests and logs.
	Scores map[string]float64
}

// Detect guesses the language of texts, read as one text with a line
// break between each: a caller with a subject and a body need not join
// them into a new string.
func (d *Detector) Detect(texts ...string) Guess {
	scores := make([]float64, len(d.langs))
	// The words of text, as Words splits them, scored one by one as they
	// end in a buffer on the stack: no string, no slice per word.
	var stack [64]byte
	word, n := stack[:0], 0
	for i, text := range texts {
		if i > 0 && d.endWord(scores, &word, &n) { // the line break between texts
			return d.guess(scores)
		}
		for _, r := range text {
			switch {
			case unicode.IsLetter(r):
				word = utf8.AppendRune(word, unicode.ToLower(r))
			case (r == '\'' || r == '’') && len(word) > 0:
				word = append(word, '\'')
			default:
				if d.endWord(scores, &word, &n) {
					return d.guess(scores)
				}
			}
		}
	}
	d.endWord(scores, &word, &n) // the text's end ends its last word
	return d.guess(scores)
}

// endWord scores the word in *word, if any, at a character that ends
// words, and reports whether maxWords were read.
func (d *Detector) endWord(scores []float64, word *[]byte, n *int) bool {
	if len(*word) > 0 {
		d.score(scores, *word)
		*word, *n = (*word)[:0], *n+1
	}
	return *n >= maxWords
}

// score adds the evidence of one word (lower case, as Words ends it:
// trailing apostrophes are trimmed here) to scores.
func (d *Detector) score(scores []float64, word []byte) {
	for len(word) > 0 && word[len(word)-1] == '\'' {
		word = word[:len(word)-1]
	}
	langs, ok := d.exact[string(word)] // no allocation: a map index
	if !ok {
		var stack [64]byte
		if f, ok := foldInto(stack[:0], word); ok {
			langs = d.folded[string(f)]
		} else {
			langs = d.folded[fold(string(word))]
		}
	}
	for _, i := range langs {
		scores[i] += 1 / float64(len(langs))
	}
}

// guess turns the scores into a Guess.
func (d *Detector) guess(scores []float64) Guess {
	g := Guess{Scores: make(map[string]float64, len(d.langs))}
	best, second := -1, -1
	for i, s := range scores {
		g.Scores[d.langs[i]] = s
		switch {
		case best < 0 || s > scores[best]:
			best, second = i, best
		case second < 0 || s > scores[second]:
			second = i
		}
	}
	if best < 0 || scores[best] == 0 {
		return g
	}
	g.Language = d.langs[best]
	runnerUp := 0.0
	if second >= 0 {
		runnerUp = scores[second]
	}
	top := scores[best]
	g.Confident = top >= d.rule.MinScore && top >= d.rule.MinRatio*runnerUp && top-runnerUp >= d.rule.MinLead
	return g
}

// maxWords bounds the work on a huge text: the first words decide.
const maxWords = 400

// Words splits text into lower-case words: runs of letters, with
// apostrophes inside a word kept ("don't").
func Words(text string) []string {
	var out []string
	var b strings.Builder
	flush := func() {
		if b.Len() > 0 {
			out = append(out, strings.Trim(b.String(), "'"))
			b.Reset()
		}
	}
	for _, r := range text {
		switch {
		case unicode.IsLetter(r):
			b.WriteRune(unicode.ToLower(r))
		case (r == '\'' || r == '’') && b.Len() > 0:
			b.WriteByte('\'')
		default:
			flush()
			if len(out) >= maxWords {
				return out
			}
		}
	}
	flush()
	return out
}

// fold removes accents: "contraseña" → "contrasena", "não" → "nao":
// decomposed (NFD), without nonspacing marks, composed again (NFC).
// Detect folds every word it does not know as written, so an ASCII word
// (most of them, and one with nothing to remove) returns at once. The
// steps run one by one rather than as a transform.Chain, which allocates
// kilobytes of buffers on every call (New folds every listed word).
func fold(w string) string {
	if isASCII(w) {
		return w
	}
	return norm.NFC.String(strings.Map(dropMark, norm.NFD.String(w)))
}

// dropMark drops nonspacing marks (strings.Map).
func dropMark(r rune) rune {
	if unicode.Is(unicode.Mn, r) {
		return -1
	}
	return r
}

// foldTableSize bounds the runes foldBytes folds from a table: Latin
// letters with their accents (Latin-1, Latin Extended-A and -B). Each is
// a starter that decomposes into a base letter and nonspacing marks, and
// no two such starters compose, so folding them one by one is folding the
// word (TestFoldBytesMatchesFold).
const foldTableSize = 0x250

// foldTable holds fold of each rune below foldTableSize.
var foldTable = sync.OnceValue(func() []string {
	t := make([]string, foldTableSize)
	for r := range rune(foldTableSize) {
		t[r] = fold(string(r))
	}
	return t
})

// foldInto appends fold(string(w)) to dst for a word of runes below
// foldTableSize (most words: ASCII or Latin, folded without a transform
// chain); false for any other word.
func foldInto(dst, w []byte) ([]byte, bool) {
	table := foldTable()
	for i := 0; i < len(w); {
		if c := w[i]; c < utf8.RuneSelf {
			dst, i = append(dst, c), i+1
			continue
		}
		r, size := utf8.DecodeRune(w[i:])
		if r >= foldTableSize || r == utf8.RuneError {
			return dst, false
		}
		dst, i = append(dst, table[r]...), i+size
	}
	return dst, true
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}
