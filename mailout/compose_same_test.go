package mailout

import (
	"math/rand/v2"
	"strings"
	"testing"
	"unicode/utf8"
)

// flowedTextBefore is flowedText as it was before it wrote into one
// builder (issue 16): the reference the faster one must match byte for
// byte.
func flowedTextBefore(text string) string {
	text = strings.ReplaceAll(text, "\r\n", "\n")
	var b strings.Builder
	for i, line := range strings.Split(text, "\n") {
		if i > 0 {
			b.WriteString("\n")
		}
		if line == "-- " {
			b.WriteString(line)
			continue
		}
		depth := 0
		for depth < len(line) && line[depth] == '>' {
			depth++
		}
		prefix := strings.Repeat(">", depth)
		content := strings.TrimRight(line[depth:], " ")
		if depth > 0 {
			content = strings.TrimPrefix(content, " ")
		}
		for {
			lead := prefix
			if needsStuffing(prefix, content) {
				lead += " "
			}
			room := maxFlowedLine - utf8.RuneCountInString(lead)
			if utf8.RuneCountInString(content) <= room {
				b.WriteString(lead + content)
				break
			}
			cut := breakAt(content, room)
			if cut <= 0 {
				b.WriteString(lead + content)
				break
			}
			b.WriteString(lead + content[:cut] + "\n")
			content = content[cut:]
		}
	}
	return b.String()
}

// randomText builds text from the pieces that matter to format=flowed:
// quote marks, stuffing triggers, signature separators, long words,
// trailing spaces, CR, CRLF, multi-byte letters.
func randomText(rng *rand.Rand) string {
	pieces := []string{"hola ", "línea ", "ñandú ", "palabra", " ", "  ", "\n", "\r\n", "\r", ">", "> ", ">> ",
		"From ", "-- ", "-- \n", "x", strings.Repeat("largo", 20), strings.Repeat("é", 90), "\t", "日本語 "}
	var b strings.Builder
	for range rng.IntN(120) {
		b.WriteString(pieces[rng.IntN(len(pieces))])
	}
	return b.String()
}

// TestFlowedTextSameBytesAsBefore: the single-builder encoder writes
// exactly what the one before it wrote, for the test cases and 20,000
// random texts.
func TestFlowedTextSameBytesAsBefore(t *testing.T) {
	texts := append([]string{"", "\n", "\r\n", "a\r", "\r\r\n", "-- ", "> -- "}, flowedCases...)
	rng := rand.New(rand.NewPCG(16, 3))
	for range 20000 {
		texts = append(texts, randomText(rng))
	}
	for _, text := range texts {
		if got, want := flowedText(text), flowedTextBefore(text); got != want {
			t.Fatalf("flowedText(%q)\n got %q\nwant %q", text, got, want)
		}
	}
}
