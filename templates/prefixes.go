package templates

import (
	"bytes"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

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
// ("Recibimos su solicitud:", "New:", "Escalated to Tier 2:"), as one
// case-insensitive pattern anchored at the start. Variable parts (a tier
// name, a duration) match any short text. Deriving it from the templates
// in use keeps overridden wording recognised too.
//
// It also returns the prefixes' literal beginnings, for StripOwnPrefix
// to refuse most subjects without running the pattern.
func (s *Set) ownPrefixes() ownPrefix {
	data := Data{Token: markToken, Subject: markSubject, Desk: markAny, TierName: markAny, FromTierName: markAny,
		Left: markAny, Clock: markAny, Ticket: markNumber, Tier: markNumber, Rating: markNumber,
		Requester: markAny, RequesterEmail: markAny, Digest: &Digest{}}
	seen := map[string]bool{}
	var alts []string
	heads := prefixHeads{}
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
			alts = append(alts, prefixPattern(words))
			heads = addHead(heads, words)
		}
	}
	if len(alts) == 0 {
		return ownPrefix{}
	}
	// Longest first, so "Escalado a X:" is not cut at a shorter sibling.
	sort.Slice(alts, func(i, j int) bool { return len(alts[i]) > len(alts[j]) })
	return ownPrefix{regexp.MustCompile(`(?i)^\s*(?:` + strings.Join(alts, "|") + `)\s*`), heads}
}

// ownPrefix is what StripOwnPrefix runs: the pattern of the prefixes (nil
// when the templates put none) and their literal beginnings.
type ownPrefix struct {
	re    *regexp.Regexp
	heads prefixHeads
}

// prefixHeads are the literal beginnings of the prefixes, by the folded
// first rune (foldKey): StripOwnPrefix runs the pattern only on a subject
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
	k := foldKey(r)
	if !slices.Contains(h[k], head) {
		h[k] = append(h[k], head)
	}
	return h
}

// foldKey is the smallest rune of r's case-folding orbit: the runes the
// pattern's (?i) takes for r share it.
func foldKey(r rune) rune {
	k := r
	for f := unicode.SimpleFold(r); f != r; f = unicode.SimpleFold(f) {
		k = min(k, f)
	}
	return k
}

// mayStart reports whether subject (its white space trimmed as \s does)
// begins with one of the heads, runes compared as (?i) compares them.
func (h prefixHeads) mayStart(subject string) bool {
	subject = strings.TrimLeft(subject, " \t\n\f\r")
	r, _ := utf8.DecodeRuneInString(subject)
	for _, head := range h[foldKey(r)] {
		if hasFoldPrefix(subject, head) {
			return true
		}
	}
	return false
}

// hasFoldPrefix reports whether s begins with prefix, rune by rune under
// simple case folding (what (?i) matches; lengths in bytes may differ).
func hasFoldPrefix(s, prefix string) bool {
	for _, p := range prefix {
		r, size := utf8.DecodeRuneInString(s)
		if size == 0 || foldKey(r) != foldKey(p) {
			return false
		}
		s = s[size:]
	}
	return true
}

// replyWord is a leading "Re:" in a template's subject.
var replyWord = lazyre.New(`(?i)^re\s*:`)

// prefixPattern turns extracted words into a pattern: literal text, with
// the markers as wildcards and runs of spaces flexible.
func prefixPattern(words string) string {
	num := strconv.Itoa(markNumber)
	var b strings.Builder
	for i, part := range strings.Split(words, markAny) {
		if i > 0 {
			b.WriteString(`.{1,80}?`)
		}
		for j, p := range strings.Split(part, num) {
			if j > 0 {
				b.WriteString(`\d{1,18}`)
			}
			b.WriteString(strings.Join(mapQuote(strings.Fields(p)), `\s+`))
			if strings.HasSuffix(p, " ") {
				b.WriteString(`\s*`)
			}
		}
	}
	return b.String()
}

func mapQuote(ws []string) []string {
	for i, w := range ws {
		ws[i] = regexp.QuoteMeta(w)
	}
	return ws
}

// StripOwnPrefix removes one of ticketd's own subject prefixes from the
// start of subject, reporting whether it did.
func (s *Set) StripOwnPrefix(subject string) (string, bool) {
	p := s.prefixes()
	if p.re == nil {
		return subject, false
	}
	if p.heads != nil && !p.heads.mayStart(subject) {
		return subject, false
	}
	loc := p.re.FindStringIndex(subject)
	if loc == nil || loc[1] == 0 {
		return subject, false
	}
	return subject[loc[1]:], true
}
