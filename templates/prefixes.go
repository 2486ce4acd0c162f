package templates

import (
	"bytes"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/ticketd/ticketd/internal/fold"
	"github.com/ticketd/ticketd/internal/lazyre"
)

// Markers stand for the variable parts of a subject while the words a
// template puts around the ticket's own subject are extracted.
const (
	markSubject = "\x00subject\x00"
	markToken   = "\x00token\x00"
	markAny     = "\x00any\x00"
	markNumber  = 987654321
)

// ownPrefixes derives, from every template's subject block in every
// language, the words ticketd writes before a ticket's subject
// ("Recibimos su solicitud:", "New:", "Escalated to Tier 2:"), and what
// StripOwnPrefix matches them with (newOwnPrefix).
//
// The embedded templates' words are a table (embeddedPrefixWords,
// TestEmbeddedPrefixWords keeps it current): deriving them parses and
// trial-renders every text template of every language, some 20 ms of
// CPU that every ticketd once paid at its first reply to one of our
// mails. A Set with overrides derives them here, so overridden wording
// is recognised too.
func (s *Set) ownPrefixes() ownPrefix {
	if s.embeddedOnly {
		return newOwnPrefix(embeddedPrefixWords)
	}
	return newOwnPrefix(s.prefixWords())
}

// prefixWords renders every template's subject block with markers and
// returns the words before the subject, each once, in the order
// newOwnPrefix tries them.
func (s *Set) prefixWords() []string {
	data := Data{Token: markToken, Subject: markSubject, Desk: markAny, TierName: markAny, FromTierName: markAny,
		Left: markAny, Clock: markAny, Ticket: markNumber, Tier: markNumber, Rating: markNumber,
		Requester: markAny, RequesterEmail: markAny, Digest: &Digest{}}
	seen := map[string]bool{}
	var all []string
	for _, e := range s.entries {
		if e.name == AdminAuthFailed {
			continue // its "subject" is a server's name, not a ticket's
		}
		tt := s.textOf(e)
		var b bytes.Buffer
		if tt.err != nil || tt.subject.Execute(&b, data) != nil {
			continue // rendered by New or the tests: cannot happen
		}
		before, _, ok := strings.Cut(b.String(), markSubject)
		if !ok {
			continue // a subject of its own (digest, status reply)
		}
		for _, part := range strings.Split(before, markToken) {
			words := strings.TrimSpace(part)
			// Leading "Re:" is a reply prefix, stripped separately.
			words = strings.TrimSpace(replyWord().ReplaceAllString(words, ""))
			if words == "" || seen[words] {
				continue
			}
			seen[words] = true
			all = append(all, words)
		}
	}
	sortPrefixWords(all)
	return all
}

// sortPrefixWords puts the longest patterns first, so "Escalado a X:"
// is not cut at a shorter sibling, and equal lengths in a fixed order
// (the entries are a map).
func sortPrefixWords(all []string) {
	sort.Slice(all, func(i, j int) bool {
		pi, _ := prefixPattern(all[i])
		pj, _ := prefixPattern(all[j])
		if len(pi) != len(pj) {
			return len(pi) > len(pj)
		}
		return all[i] < all[j]
	})
}

// newOwnPrefix builds the matcher of words (in the order given): the
// pattern `(?i)^\s*(?:w1|w2|...)\s*`, run by hand (prefixmatch.go)
// with the compiled pattern only as the fallback of a pathological
// subject, and the words' literal beginnings.
func newOwnPrefix(words []string) ownPrefix {
	if len(words) == 0 {
		return ownPrefix{}
	}
	p := ownPrefix{heads: prefixHeads{}}
	pats := make([]string, len(words))
	for i, w := range words {
		var toks []prefixTok
		pats[i], toks = prefixPattern(w)
		p.alts = append(p.alts, toks)
		p.heads = addHead(p.heads, w)
	}
	expr := `(?i)^\s*(?:` + strings.Join(pats, "|") + `)\s*`
	p.re = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(expr) })
	return p
}

// ownPrefix is what StripOwnPrefix runs: the prefixes as tokens and as
// the pattern they stand for (nil when the templates put none), and
// their literal beginnings.
type ownPrefix struct {
	alts  [][]prefixTok // the alternatives, in the pattern's order
	re    func() *regexp.Regexp
	heads prefixHeads
}

// prefixHeads are the literal beginnings of the prefixes, by the folded
// first rune (fold.Rune): StripOwnPrefix runs the pattern only on a subject
// that begins with one of them, in any case. nil: a prefix begins with a
// variable part, every subject runs the pattern.
type prefixHeads map[rune][]string

// addHead adds the head of words (prefixPattern): its literal text up to
// the first space (the pattern's \s+), digit (a number may be
// \d{1,18}) or variable part.
func addHead(h prefixHeads, words string) prefixHeads {
	if h == nil {
		return nil
	}
	end := strings.IndexFunc(words, func(r rune) bool { return r == ' ' || r == 0 || ('0' <= r && r <= '9') })
	if end < 0 {
		end = len(words)
	}
	head := words[:end]
	if head == "" {
		return nil
	}
	r, _ := utf8.DecodeRuneInString(head)
	k := fold.Rune(r)
	if !slices.Contains(h[k], head) {
		h[k] = append(h[k], head)
	}
	return h
}

// mayStart reports whether subject (its white space trimmed as \s does)
// begins with one of the heads, runes compared as (?i) compares them.
func (h prefixHeads) mayStart(subject string) bool {
	subject = subject[spaces(subject):]
	r, _ := utf8.DecodeRuneInString(subject)
	for _, head := range h[fold.Rune(r)] {
		if foldPrefixLen(subject, head) >= 0 {
			return true
		}
	}
	return false
}

// replyWord is a leading "Re:" in a template's subject.
var replyWord = lazyre.New(`(?i)^re\s*:`)

// prefixPattern turns extracted words into a pattern: literal text, with
// the markers as wildcards and runs of spaces flexible; and into the same
// as tokens, built side by side so that they cannot differ.
func prefixPattern(words string) (string, []prefixTok) {
	num := strconv.Itoa(markNumber)
	var b strings.Builder
	var toks []prefixTok
	for i, part := range strings.Split(words, markAny) {
		if i > 0 {
			b.WriteString(`.{1,80}?`)
			toks = append(toks, prefixTok{kind: tokAny})
		}
		for j, p := range strings.Split(part, num) {
			if j > 0 {
				b.WriteString(`\d{1,18}`)
				toks = append(toks, prefixTok{kind: tokNumber})
			}
			for k, w := range strings.Fields(p) {
				if k > 0 {
					b.WriteString(`\s+`)
					toks = append(toks, prefixTok{kind: tokSpaces1})
				}
				b.WriteString(regexp.QuoteMeta(w))
				toks = append(toks, prefixTok{kind: tokLiteral, lit: w})
			}
			if strings.HasSuffix(p, " ") {
				b.WriteString(`\s*`)
				toks = append(toks, prefixTok{kind: tokSpaces0})
			}
		}
	}
	return b.String(), toks
}

// StripOwnPrefix removes one of ticketd's own subject prefixes from the
// start of subject, reporting whether it did.
func (s *Set) StripOwnPrefix(subject string) (string, bool) {
	p := s.prefixes()
	if p.alts == nil {
		return subject, false
	}
	if p.heads != nil && !p.heads.mayStart(subject) {
		return subject, false
	}
	end := p.match(subject)
	if end <= 0 {
		return subject, false
	}
	return subject[end:], true
}
