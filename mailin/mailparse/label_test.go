package mailparse

import (
	"regexp"
	"strings"
	"sync"
	"testing"
)

// labelRegexps are the patterns labelOf stands for, one per field of
// labelPicks: the reference it must never disagree with.
var labelRegexps = sync.OnceValue(func() []*regexp.Regexp {
	res := make([]*regexp.Regexp, len(labelPicks))
	for i, p := range labelPicks {
		res[i] = regexp.MustCompile(`(?i)^[\s>*]*(` + alternation(p.pick) + `)\s*\*?\s*[:：]`)
	}
	return res
})

func labelOfRegexps(line string) headerLabel {
	for i, re := range labelRegexps() {
		if re.MatchString(line) {
			return labelPicks[i].label
		}
	}
	return labelNone
}

// labelLines are header block lines of every label, spelt the ways the
// patterns allow and some they do not.
func labelLines() []string {
	var lines []string
	for _, p := range labelPicks {
		for _, l := range quoteLanguages {
			for _, w := range p.pick(l) {
				for _, v := range foldVariants(w) {
					for _, s := range []string{v + ": x", "> " + v + ":", "*" + v + ":* x", " >>* " + v + " * ：x", v + "\t:",
						v + "**: x", v + " *  : x", v + "x: y", "x" + v + ": y", v, v + " : a: b", "\f" + v + "\r:",
						strings.ReplaceAll(v, " ", "   ") + ":", strings.ReplaceAll(v, " ", "") + ":", v + ":" + v + ":"} {
						lines = append(lines, s)
					}
				}
			}
		}
	}
	return lines
}

func TestLabelOfIsRegexp(t *testing.T) {
	lines := labelLines()
	for _, text := range corpusTexts(t) { // and the lines of real mail
		lines = append(lines, strings.Split(text, "\n")...)
	}
	found := 0
	for _, l := range lines {
		got, want := labelOf(l), labelOfRegexps(l)
		if got != want {
			t.Errorf("labelOf(%q) = %v, the patterns say %v", l, got, want)
		}
		if want != labelNone {
			found++
		}
	}
	if found < 1000 {
		t.Fatalf("only %d of %d lines have a label", found, len(lines))
	}
}

func FuzzLabelOf(f *testing.F) {
	for i, l := range labelLines() {
		if i%16 == 0 {
			f.Add(l)
		}
	}
	f.Fuzz(func(t *testing.T, line string) {
		if got, want := labelOf(line), labelOfRegexps(line); got != want {
			t.Fatalf("labelOf(%q) = %v, the patterns say %v", line, got, want)
		}
	})
}
