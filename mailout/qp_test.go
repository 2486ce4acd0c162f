package mailout

import (
	"bytes"
	"io"
	"math/rand/v2"
	"mime/quotedprintable"
	"strings"
	"testing"
)

// quotedPrintable is what appendQP must match: the Writer, one Write of s
// and a Close.
func quotedPrintable(s string) string {
	var b bytes.Buffer
	w := quotedprintable.NewWriter(&b)
	io.WriteString(w, s)
	w.Close()
	return b.String()
}

func TestAppendQPMatchesQuotedPrintable(t *testing.T) {
	cases := []string{
		"", " ", "\t", "a", "=", "\r", "\n", "\r\n", "\n\r", "\r\r\n", "a \n", "a\t\r\nb",
		"\r\xff\n", "caf\xc3\xa9 ", strings.Repeat("x", 75), strings.Repeat("x", 76),
		strings.Repeat("x", 74) + " \n", strings.Repeat("x", 73) + "=", strings.Repeat("x", 74) + "\xe9",
		strings.Repeat("x", 75) + " ", strings.Repeat("a ", 100), "Buenos días,\r\n\r\nsu solicitud <b>#42</b> está = abierta. \r\n-- \r\n",
	}
	// Random text from an alphabet that hits every branch: line breaks,
	// trailing white space, "=", UTF-8 and control bytes, long runs.
	alphabet := []string{"a", "b", " ", "\t", "\r", "\n", "\r\n", "=", "é", "ñ", "\x00", "\x7f", "<p>", strings.Repeat("w", 70)}
	rng := rand.New(rand.NewPCG(1, 2))
	for range 20000 {
		var b strings.Builder
		for range rng.IntN(60) {
			b.WriteString(alphabet[rng.IntN(len(alphabet))])
		}
		cases = append(cases, b.String())
	}
	for _, s := range cases {
		if got, want := string(appendQP(nil, s)), quotedPrintable(s); got != want {
			t.Fatalf("appendQP(%q) =\n%q\nwant\n%q", s, got, want)
		}
	}
}

func FuzzAppendQP(f *testing.F) {
	f.Add("Buenos días =\r\n \t\r\n")
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := string(appendQP(nil, s)), quotedPrintable(s); got != want {
			t.Fatalf("appendQP(%q) = %q, want %q", s, got, want)
		}
	})
}
