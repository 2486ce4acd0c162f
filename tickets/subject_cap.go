package tickets

import "unicode/utf8"

// capSubject cuts a subject a ticket takes to Limits.SubjectRunes runes
// (the last one an ellipsis), reporting LimitSubject: every mail about
// the ticket repeats its subject, so a 900 KB one would go out in each.
func (a *applier) capSubject(s string) string {
	limit := a.s.opts.Limits.SubjectRunes
	if utf8.RuneCountInString(s) <= limit {
		return s
	}
	a.s.opts.OnLimit(LimitSubject)
	n := 0
	for i := range s {
		if n == limit-1 {
			return s[:i] + "…"
		}
		n++
	}
	return s
}
