package tickets

import (
	"math/rand/v2"
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"
)

// signOffEmailRE is the pattern hasEmail implements.
var signOffEmailRE = regexp.MustCompile(`\S+@\S+`)

// cutSignOffReference is cutSignOff as it was before it walked the lines
// in place and refused lines before their regexps: the lines split, every
// regexp run.
func cutSignOffReference(text string) string {
	isValediction := func(line string) bool {
		l := strings.TrimRight(strings.TrimSpace(line), ",.!¡ ")
		return valediction().MatchString(strings.TrimLeft(l, "¡"))
	}
	isSignature := func(line string) bool {
		l := strings.TrimSpace(line)
		if utf8.RuneCountInString(l) > 72 || strings.HasSuffix(l, "?") || strings.HasSuffix(l, ":") {
			return false
		}
		if signOffPhone().MatchString(l) || signOffURL().MatchString(l) || signOffEmailRE.MatchString(l) {
			return true
		}
		return signatureLine(l) // the same words test after the regexps
	}
	lines := strings.Split(strings.TrimRight(text, " \t\r\n"), "\n")
	firstContent := -1
	for i, l := range lines {
		if strings.TrimSpace(l) != "" {
			firstContent = i
			break
		}
	}
	nonEmpty := 0
	for i := len(lines) - 1; i > firstContent && nonEmpty <= maxSignOffLines; i-- {
		l := lines[i]
		if strings.TrimSpace(l) == "" {
			continue
		}
		if isValediction(l) && nonEmpty > 0 {
			return strings.Join(lines[:i+1], "\n")
		}
		if v, ok := valedictionAndName(l); ok {
			return strings.Join(append(lines[:i:i], v), "\n")
		}
		if !isSignature(l) {
			return text
		}
		nonEmpty++
	}
	return text
}

// TestCutSignOffMatchesReference: the same cut as the regexps alone, on
// the sign-off cases and on random mails built from their lines and from
// lines near the prefilters' edges (long closings, digits, dots, @).
func TestCutSignOffMatchesReference(t *testing.T) {
	var pool []string
	for _, c := range signOffs {
		pool = append(pool, strings.Split(c.in, "\n")...)
	}
	pool = append(pool, "", "  ", "\t", "Saludos", "Un     cordial     saludo     afectuoso", "quedo a sus entera disposición!",
		"un cordiales saludos afectuosos, Ana María", "Muchas gracias.", "Ana", "ana @ x", "a@b", "@x", "x@", "tel 3", "  Tel: 300",
		"Móvil 300 555 0102", "ofi.cina", "http://x", "https://intranet/mesa", "Mesa de ayuda.", "Regards, Luis Pérez",
		"KIND REGARDS", "\u212aind regards", "whatſapp 555", "Ext. 12", "¡Saludos!", "Best wishes,", "Cheers",
		strings.Repeat("saludos ", 8), "x\u00a0@\u00a0y", "a\t@b")
	for _, c := range signOffs {
		if got, want := cutSignOff(c.in), cutSignOffReference(c.in); got != want {
			t.Fatalf("%s: cut %q, reference %q", c.name, got, want)
		}
	}
	rnd := rand.New(rand.NewPCG(5, 6))
	for range 20000 {
		lines := make([]string, rnd.IntN(10))
		for i := range lines {
			lines[i] = pool[rnd.IntN(len(pool))]
		}
		text := strings.Join(lines, "\n") + []string{"", "\n", "\r\n", " \n\n"}[rnd.IntN(4)]
		if got, want := cutSignOff(text), cutSignOffReference(text); got != want {
			t.Fatalf("%q: cut %q, reference %q", text, got, want)
		}
	}
	for _, l := range pool {
		if got, want := hasEmail(strings.TrimSpace(l)), signOffEmailRE.MatchString(strings.TrimSpace(l)); got != want {
			t.Errorf("%q: hasEmail %v, regexp %v", l, got, want)
		}
		if !maybePhone(l) && signOffPhone().MatchString(l) || !maybeURL(l) && signOffURL().MatchString(l) {
			t.Errorf("%q: a prefilter refuses what its regexp matches", l)
		}
		trimmed := strings.TrimLeft(strings.TrimRight(strings.TrimSpace(l), ",.!¡ "), "¡")
		if tooLongForValediction(trimmed) && valediction().MatchString(trimmed) {
			t.Errorf("%q: refused as too long, but a valediction", l)
		}
	}
}
