package mailout

import (
	"bytes"
	"io"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/emersion/go-message/mail"

	"github.com/ticketd/ticketd/mailin/mailparse"
	"github.com/ticketd/ticketd/tickets"
)

// unflowed decodes format=flowed text (RFC 3676 §4.1-4.5, DelSp=no),
// written here independently of the encoder: a line ending in a space
// continues on the next line of the same quote depth; one space after
// the quote marks is stuffing.
func unflowed(s string) string {
	var out []string
	var cur strings.Builder
	open, curDepth := false, 0
	for _, line := range strings.Split(s, "\n") {
		depth := len(line) - len(strings.TrimLeft(line, ">"))
		content := strings.TrimPrefix(line[depth:], " ")
		if open && depth != curDepth {
			out = append(out, strings.Repeat(">", curDepth)+cur.String())
			cur.Reset()
			open = false
		}
		if depth > 0 && !open && content != "" {
			cur.WriteString(" ")
		}
		curDepth = depth
		cur.WriteString(content)
		open = true
		if !strings.HasSuffix(content, " ") || content == "-- " {
			out = append(out, strings.Repeat(">", depth)+cur.String())
			cur.Reset()
			open = false
		}
	}
	if open {
		out = append(out, strings.Repeat(">", curDepth)+cur.String())
	}
	return strings.Join(out, "\n")
}

// hardLines is text as flowed text keeps it: without trailing spaces
// (they would mean a soft break), the signature separator kept.
func hardLines(text string) string {
	lines := strings.Split(text, "\n")
	for i, l := range lines {
		if l != "-- " {
			lines[i] = strings.TrimRight(l, " ")
		}
	}
	return strings.Join(lines, "\n")
}

var flowedCases = []string{
	"Hola, José:\n\n" + strings.Repeat("Revisamos la impresora del tercer piso y cambiamos el tóner. ", 6) + "\n\nSaludos.",
	"From here on it works.\n From a leading space.\n>not a quote in the original? it is one in flowed text",
	"> La impresora no responde y el indicador naranja parpadea desde esta mañana temprano, antes de las nueve.\nRevise que esté encendida.",
	"Una URL larga: https://intranet.example.com/" + strings.Repeat("a", 120) + " fin.",
	"Línea con espacios al final   \nsiguiente",
	"Texto\n\n-- \nMesa de ayuda\n[Soporte #1]\nref:ticketd.1.2.aaaaaaaaaaaa.bbbbbbbbbbbbbbbb@example.com",
	"日本語のテキスト、" + strings.Repeat("とても長い行です。", 20),
	"",
}

// TestFlowedTextRoundTrip: every line ticketd writes is at most 78
// characters (but a single word longer than that), and a flowed reader
// gets the text back.
func TestFlowedTextRoundTrip(t *testing.T) {
	for _, text := range flowedCases {
		enc := flowedText(text)
		for _, l := range strings.Split(enc, "\n") {
			if utf8.RuneCountInString(l) > maxFlowedLine && strings.Count(strings.TrimSpace(l), " ") > 0 {
				t.Errorf("line of %d characters: %q", utf8.RuneCountInString(l), l)
			}
			if strings.HasPrefix(l, "From ") {
				t.Errorf("unstuffed From line: %q", l)
			}
		}
		want := hardLines(text)
		if strings.HasPrefix(text, "From") {
			// ">not a quote" is a quote in flowed text: RFC 3676 has
			// no way to write a line starting with ">" that is not.
			want = strings.Replace(want, "\n>not a quote", "\n> not a quote", 1)
		}
		if got := unflowed(enc); got != want {
			t.Errorf("round trip\n got %q\nwant %q\n enc %q", got, want, enc)
		}
	}
}

// TestComposedTextParsesBack: the text part of a composed mail says
// format=flowed, keeps its lines short in the raw message, and reads back
// through ticketd's own parser as the text it was.
func TestComposedTextParsesBack(t *testing.T) {
	for _, html := range []string{"", "<p>x</p>"} {
		m := &tickets.Mail{
			From: tickets.Address{Email: "soporte@example.com"}, To: []tickets.Address{{Email: "ana@example.org"}},
			Subject: "Prueba", MessageID: "t1@example.com", HTML: html,
			Text: "## Responda por encima de esta línea ##\n\n" + strings.Repeat("Cambiamos el tóner de la impresora del tercer piso. ", 8) + "\n\n-- \nMesa de ayuda",
		}
		raw, err := Compose(m, time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC))
		if err != nil {
			t.Fatal(err)
		}
		mr, err := mail.CreateReader(bytes.NewReader(raw))
		if err != nil {
			t.Fatal(err)
		}
		p, err := mr.NextPart()
		if err != nil {
			t.Fatal(err)
		}
		ct, params, _ := p.Header.(*mail.InlineHeader).ContentType()
		if ct != "text/plain" || params["format"] != "flowed" || params["charset"] != "utf-8" {
			t.Errorf("text part %s %v", ct, params)
		}
		body, _ := io.ReadAll(p.Body)
		for _, l := range strings.Split(string(body), "\r\n") {
			if n := utf8.RuneCountInString(l); n > maxFlowedLine {
				t.Errorf("decoded line of %d characters: %q", n, l)
			}
		}
		in, err := mailparse.Parse(raw)
		if err != nil {
			t.Fatal(err)
		}
		if want := hardLines(strings.TrimSpace(m.Text)); in.FullText != want {
			t.Errorf("parsed back\n got %q\nwant %q", in.FullText, want)
		}
	}
}

// FuzzFlowedText checks the format=flowed encoder on any text: no panic,
// no line over 78 characters that could have been broken, no unstuffed
// "From " line, and the decoded text is the original's hard lines (for
// text whose lines do not start with ">" or a space, which flowed text
// reads as quotes or stuffing).
func FuzzFlowedText(f *testing.F) {
	for _, c := range flowedCases {
		f.Add(c)
	}
	f.Fuzz(func(t *testing.T, text string) {
		if !utf8.ValidString(text) || strings.ContainsAny(text, "\r") {
			return
		}
		enc := flowedText(text)
		for _, l := range strings.Split(enc, "\n") {
			if utf8.RuneCountInString(l) > maxFlowedLine && strings.Contains(strings.TrimRight(strings.TrimLeft(l, "> "), " "), " ") {
				t.Fatalf("breakable line of %d characters: %q", utf8.RuneCountInString(l), l)
			}
			if strings.HasPrefix(l, "From ") {
				t.Fatalf("unstuffed From line: %q", l)
			}
		}
		for _, l := range strings.Split(text, "\n") {
			if strings.HasPrefix(l, ">") || strings.HasPrefix(l, " ") {
				return
			}
		}
		if got, want := unflowed(enc), hardLines(text); got != want {
			t.Fatalf("round trip\n got %q\nwant %q\n enc %q", got, want, enc)
		}
	})
}
