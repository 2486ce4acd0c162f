package tiers

import (
	"slices"
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// Priority is how urgent a ticket is; targets may differ by priority.
type Priority string

const (
	PriorityLow    Priority = "low"
	PriorityNormal Priority = "normal"
	PriorityHigh   Priority = "high"
	PriorityUrgent Priority = "urgent"
)

// Priorities lists the priorities from lowest to highest.
var Priorities = []Priority{PriorityLow, PriorityNormal, PriorityHigh, PriorityUrgent}

// Valid reports whether p is one of Priorities.
func (p Priority) Valid() bool { return slices.Contains(Priorities, p) }

func (p Priority) rank() int {
	for i, q := range Priorities {
		if p == q {
			return i
		}
	}
	return 1 // unknown counts as normal
}

// priorityWords are what agents may write after #priority, in both languages.
var priorityWords = map[string]Priority{
	"low": PriorityLow, "baja": PriorityLow,
	"normal": PriorityNormal, "media": PriorityNormal,
	"high": PriorityHigh, "alta": PriorityHigh,
	"urgent": PriorityUrgent, "urgente": PriorityUrgent,
}

// ParsePriority reads a priority word in English or Spanish (any case).
func ParsePriority(s string) (Priority, bool) {
	p, ok := priorityWords[Fold(s)]
	return p, ok
}

// DetectPriority decides a new ticket's priority from its subject and the
// priority its sender's client declared (Importance / X-Priority, already
// read by mailin as one of Priorities or ""). The higher of a subject
// keyword's and the declared priority wins; with neither, normal.
func (p *Policy) DetectPriority(subject string, declared Priority) Priority {
	var found []Priority
	if declared.Valid() {
		found = append(found, declared)
	}
	words := Words(subject)
	for pr, keys := range p.keywords {
		for _, k := range keys {
			if containsWords(words, k) {
				found = append(found, pr)
			}
		}
	}
	if len(found) == 0 {
		return PriorityNormal
	}
	best := found[0]
	for _, pr := range found[1:] {
		if pr.rank() > best.rank() {
			best = pr
		}
	}
	return best
}

// containsWords reports whether seq appears in words as consecutive words.
func containsWords(words, seq []string) bool {
	if len(seq) == 0 {
		return false
	}
	for i := 0; i+len(seq) <= len(words); i++ {
		if slices.Equal(words[i:i+len(seq)], seq) {
			return true
		}
	}
	return false
}

// Words splits s into folded words (letters and digits), the form in which
// the desk compares words: priority keywords here, the knowledge base in
// package tickets.
func Words(s string) []string {
	return strings.FieldsFunc(Fold(s), func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
}

// Fold lower-cases s and removes accents, so "URGENTE", "Urgénte" and
// "urgente" compare equal.
func Fold(s string) string {
	s = strings.TrimSpace(s)
	if f, ok := foldLatin(s); ok {
		return f
	}
	return foldRunes(s)
}

// foldRunes is Fold without the trimming: decomposed (NFD), without
// nonspacing marks, lower case.
func foldRunes(s string) string {
	var b strings.Builder
	for _, r := range norm.NFD.String(s) {
		if unicode.Is(unicode.Mn, r) {
			continue
		}
		b.WriteRune(unicode.ToLower(r))
	}
	return b.String()
}
