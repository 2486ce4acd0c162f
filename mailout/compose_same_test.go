package mailout

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"regexp"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/emersion/go-message/mail"

	"github.com/ticketd/ticketd/tickets"
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

// composeBefore is how a mail without attachments was composed before
// writePlain (issue 16): go-message's writers over mailHeader.
func composeBefore(m *tickets.Mail, now time.Time) ([]byte, error) {
	date := m.Queued
	if date.IsZero() {
		date = now
	}
	var refs []string
	for _, r := range m.References {
		if validMsgID(r) {
			refs = append(refs, r)
		}
	}
	h := mailHeader(m, date, addressList(m.To), addressList(m.Cc), refs)
	var buf bytes.Buffer
	if m.HTML == "" {
		h.SetContentType("text/plain", flowedParams())
		h.Set("Content-Transfer-Encoding", "quoted-printable")
		w, err := mail.CreateSingleInlineWriter(&buf, h)
		if err != nil {
			return nil, err
		}
		if err := writeClose(w, flowedText(m.Text)); err != nil {
			return nil, err
		}
		return buf.Bytes(), nil
	}
	w, err := mail.CreateInlineWriter(&buf, h)
	if err != nil {
		return nil, err
	}
	if err := writeAlternatives(w, m); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

var boundaryParam = regexp.MustCompile(`boundary=([0-9a-f]{60})`)

// sameBoundary rewrites the random boundary of raw as "BOUNDARY".
func sameBoundary(t *testing.T, raw []byte) []byte {
	t.Helper()
	b := boundaryParam.FindSubmatch(raw)
	if b == nil {
		return raw
	}
	if n := bytes.Count(raw, b[1]); n != 4 { // the parameter, two delimiters, the close
		t.Fatalf("boundary %s appears %d times", b[1], n)
	}
	return bytes.ReplaceAll(raw, b[1], []byte("BOUNDARY"))
}

// randomMail varies what the header writer and the folding see: names
// with commas, quotes and accents, long subjects in any script, empty and
// invalid fields, many recipients and references, text only or with HTML.
func randomMail(rng *rand.Rand, i int) *tickets.Mail {
	names := []string{"", "José Pérez", "Smith, John", `Ana "la jefa" Ruiz`, "李小龍", "O'Brien", "Élodie\r\nInjected: x",
		strings.Repeat("Nombre Muy Largo ", 8), "a\tb"}
	addrs := []string{"jose@example.com", "j.o.s.e@sub.example.com", "\"jose perez\"@example.com", "bad address@x", "x@évil.test", "ana+tag@example.com"}
	subjects := []string{"", "Hola", "[Soporte #1042] Recibimos su solicitud: No puedo imprimir en la oficina ñandú",
		strings.Repeat("palabra ", 30), strings.Repeat("ñ", 120), "línea\r\nInjected: yes", strings.Repeat("x", 200), "日本語のテキスト " + strings.Repeat("テスト", 30)}
	addr := func() tickets.Address {
		return tickets.NewAddress(names[rng.IntN(len(names))], addrs[rng.IntN(len(addrs))])
	}
	m := &tickets.Mail{
		ID: uint64(i + 1), Ticket: uint64(i), Kind: "ack",
		From:      tickets.NewAddress(names[rng.IntN(len(names))], "soporte@example.com"),
		Subject:   subjects[rng.IntN(len(subjects))],
		Text:      randomText(rng),
		MessageID: fmt.Sprintf("ticket.%d.%d.abc@example.com", i, i+1),
		Queued:    queued.Add(time.Duration(i) * time.Minute),
	}
	for range 1 + rng.IntN(4) {
		m.To = append(m.To, addr())
	}
	for range rng.IntN(6) {
		m.Cc = append(m.Cc, addr())
	}
	if rng.IntN(2) == 0 {
		a := addr()
		m.ReplyTo = &a
	}
	if rng.IntN(2) == 0 {
		m.HTML = "<p>" + strings.ReplaceAll(randomText(rng), "\n", "<br>\n") + "</p>\n"
	}
	if rng.IntN(3) > 0 {
		m.InReplyTo = []string{"CAF=abc@mail.gmail.com", "bad id", "ticket.1.2@example.com"}[rng.IntN(3)]
	}
	for range rng.IntN(12) {
		m.References = append(m.References, []string{"CAF=abc@mail.gmail.com", "bad id", fmt.Sprintf("ticket.%d.x@example.com", rng.IntN(1e6))}[rng.IntN(3)])
	}
	if rng.IntN(3) > 0 {
		m.AutoSubmitted = tickets.AutoSubmitted([]string{"auto-replied", "auto-generated"}[rng.IntN(2)])
	}
	if rng.IntN(10) == 0 {
		m.Queued = time.Time{} // Date from now
	}
	return m
}

// TestComposeSameBytesAsGoMessage: for the test mail and 3,000 varied
// ones, writePlain's output is byte for byte what go-message's writers
// composed before (with the random boundary set aside), and a mail
// go-message refused is refused.
func TestComposeSameBytesAsGoMessage(t *testing.T) {
	rng := rand.New(rand.NewPCG(16, 4))
	mails := []*tickets.Mail{testMail()}
	text := testMail()
	text.HTML = ""
	mails = append(mails, text)
	for i := range 3000 {
		mails = append(mails, randomMail(rng, i))
	}
	var html, plain int
	for i, m := range mails {
		got, gotErr := Compose(m, queued.Add(time.Hour))
		want, wantErr := composeBefore(m, queued.Add(time.Hour))
		if (gotErr != nil) != (wantErr != nil) {
			// Mails Compose refuses before composing (no recipient, a bad
			// From) are not composeBefore's business.
			if gotErr != nil && !strings.Contains(gotErr.Error(), "line break") {
				continue
			}
			t.Fatalf("mail %d: Compose error %v, before %v", i, gotErr, wantErr)
		}
		if gotErr != nil {
			continue
		}
		if !bytes.Equal(sameBoundary(t, got), sameBoundary(t, want)) {
			t.Fatalf("mail %d (%+v) composed differently:\n got %q\nwant %q", i, m, got, want)
		}
		if m.HTML != "" {
			html++
		} else {
			plain++
		}
	}
	if html < 1000 || plain < 1000 {
		t.Fatalf("compared %d mails with HTML and %d without; want over 1,000 of each", html, plain)
	}
}
