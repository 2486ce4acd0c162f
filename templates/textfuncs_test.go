package templates

import (
	htmltemplate "html/template"
	"strings"
	"testing"
)

// The references quote, lines and oneLineBytes are held equal to: how
// they were written before they built their strings in one piece.

func quoteReference(s string) string {
	s = strings.TrimRight(normalizeNewlines(s), "\n")
	if s == "" {
		return ""
	}
	ls := strings.Split(s, "\n")
	for i, l := range ls {
		if l == "" {
			ls[i] = ">"
		} else {
			ls[i] = "> " + l
		}
	}
	return strings.Join(ls, "\n")
}

func linesReference(s string) htmltemplate.HTML {
	s = strings.TrimRight(normalizeNewlines(s), "\n")
	ls := strings.Split(s, "\n")
	for i, l := range ls {
		ls[i] = htmltemplate.HTMLEscapeString(l)
	}
	return htmltemplate.HTML(strings.Join(ls, "<br>\n"))
}

var textFuncSeeds = []string{"", "\n", "\n\n", "a", "a\n", "\na", "a\n\nb", "a\r\nb\rc\n", " x \n\t", "<b>&\"'</b>\n\x00",
	"Hola,\n\nno puedo imprimir.\n-- \nAna", "\xff\xfe", "a\u00a0b\u0085c\u2028d", "  many   spaces\t\tand\ttabs  ", "\u3000x\u3000"}

func checkTextFuncs(t *testing.T, s string) {
	if got, want := quote(s), quoteReference(s); got != want {
		t.Errorf("quote(%q) = %q, want %q", s, got, want)
	}
	if got, want := lines(s), linesReference(s); got != want {
		t.Errorf("lines(%q) = %q, want %q", s, got, want)
	}
	if got, want := oneLineBytes([]byte(s)), oneLine(s); got != want {
		t.Errorf("oneLineBytes(%q) = %q, want %q", s, got, want)
	}
}

func TestTextFuncsMatchReference(t *testing.T) {
	for _, s := range textFuncSeeds {
		checkTextFuncs(t, s)
	}
}

func FuzzTextFuncs(f *testing.F) {
	for _, s := range textFuncSeeds {
		f.Add(s)
	}
	f.Fuzz(checkTextFuncs)
}
