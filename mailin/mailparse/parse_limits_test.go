package mailparse

import (
	"errors"
	"fmt"
	"runtime"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/emersion/go-message"

	"github.com/ticketd/ticketd/tickets"
)

func crlf(s string) []byte { return []byte(strings.ReplaceAll(s, "\n", "\r\n")) }

func TestParseRecoversPanic(t *testing.T) {
	raw := crlf("From: a@example.com\nMessage-ID: <p@example.com>\n\nbody\n")
	in, err := parseSafely(raw, Options{}, func(*message.Entity) (string, bool) {
		var m map[string]int
		//lint:ignore SA5000 a nil-map write on purpose: a runtime panic, not a string
		m["boom"]++
		return "", false
	})
	if !errors.Is(err, ErrMalformed) || !strings.Contains(err.Error(), "panic") || !strings.Contains(err.Error(), "nil map") {
		t.Errorf("error = %v, want a panic wrapped in ErrMalformed", err)
	}
	if in.MessageID != "" || in.From.Email != "" {
		t.Errorf("non-zero Inbound after a panic: %#v", in)
	}
	// The real Parse goes through the same wrapper.
	if in, err := Parse(raw); err != nil || in.FullText != "body" {
		t.Errorf("Parse = %#v, %v", in, err)
	}
}

func TestParseLongMessageIDs(t *testing.T) {
	id := func(n int) string { return strings.Repeat("a", n-len("@example.com")) + "@example.com" }
	ok, long := id(maxMsgIDBytes), id(maxMsgIDBytes+1)
	parse := func(t *testing.T, msgid, inReplyTo, refs string) tickets.Inbound {
		t.Helper()
		raw := crlf(fmt.Sprintf("From: a@example.com\nMessage-ID: <%s>\nIn-Reply-To: %s\nReferences: %s\n\nbody\n", msgid, inReplyTo, refs))
		in, err := Parse(raw)
		if err != nil {
			t.Fatal(err)
		}
		return in
	}

	in := parse(t, ok, "<"+ok+">", "<"+ok+">")
	if in.MessageID != ok || len(in.InReplyTo) != 1 || len(in.References) != 1 {
		t.Errorf("ids of %d bytes not kept: %q %q %q", len(ok), in.MessageID, in.InReplyTo, in.References)
	}

	in = parse(t, long, "<"+long+"> <short@example.com>", "<old@example.com> <"+long+"> <new@example.com>")
	if in.MessageID != "sha256:"+in.ContentHash {
		t.Errorf("MessageID = %q, want the sha256 fallback", in.MessageID)
	}
	if got := strings.Join(in.InReplyTo, " "); got != "short@example.com" {
		t.Errorf("InReplyTo = %q", got)
	}
	if got := strings.Join(in.References, " "); got != "old@example.com new@example.com" {
		t.Errorf("References = %q", got)
	}

	in = parse(t, "x@example.com", "<"+long+">", "<"+long+">")
	if in.InReplyTo != nil || in.References != nil {
		t.Errorf("only long ids: InReplyTo %q, References %q, want nil", in.InReplyTo, in.References)
	}
}

func TestParseOnlyQuoteHasEmptyText(t *testing.T) {
	raw := crlf("From: a@example.com\nMessage-ID: <q@example.com>\n\nOn Mon, Mar 2, 2026 at 9:00 AM Help desk wrote:\n> old text\n")
	in, err := Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	if in.Text != "" {
		t.Errorf("Text = %q, want empty", in.Text)
	}
	if want := "On Mon, Mar 2, 2026 at 9:00 AM Help desk wrote:\n> old text"; in.FullText != want {
		t.Errorf("FullText = %q, want %q", in.FullText, want)
	}
}

// checkCapped checks the invariants of a capped text.
func checkCapped(t *testing.T, what, s string, wantCut bool) {
	t.Helper()
	if len(s) > MaxTextBytes {
		t.Errorf("%s: %d bytes, over the cap of %d", what, len(s), MaxTextBytes)
	}
	if !utf8.ValidString(s) {
		t.Errorf("%s: invalid UTF-8", what)
	}
	if got := strings.HasSuffix(s, truncatedMark); got != wantCut {
		t.Errorf("%s: ends in the truncation mark = %v, want %v (%q)", what, got, wantCut, s[max(0, len(s)-40):])
	}
}

func TestParseCapsText(t *testing.T) {
	var body strings.Builder
	for i := 0; body.Len() < 3*MaxTextBytes; i++ {
		fmt.Fprintf(&body, "Línea número %d del informe, con acentos: ñandú.\n", i)
	}
	raw := crlf("From: a@example.com\nContent-Type: text/plain; charset=utf-8\n\n" + body.String())
	in, err := Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	checkCapped(t, "FullText", in.FullText, true)
	checkCapped(t, "Text", in.Text, true)
	kept := strings.TrimSuffix(in.FullText, truncatedMark)
	if !strings.HasPrefix(body.String(), kept+"\n") {
		t.Error("FullText is not cut at a line boundary of the body")
	}
	if len(kept) < MaxTextBytes-8<<10 {
		t.Errorf("FullText kept only %d bytes", len(kept))
	}

	// A short answer above a huge quote: the visible text is whole.
	quoted := strings.ReplaceAll(body.String(), "\n", "\n> ")
	raw = crlf("From: a@example.com\n\nYa está resuelto.\n\nOn Mon, Mar 2, 2026 Help desk wrote:\n> " + quoted)
	if in, err = Parse(raw); err != nil {
		t.Fatal(err)
	}
	if in.Text != "Ya está resuelto." {
		t.Errorf("Text = %q", in.Text)
	}
	checkCapped(t, "FullText", in.FullText, true)
}

func TestParseCapsHTML(t *testing.T) {
	// HTML is read further than plain text (markup shrinks), but not
	// without bound.
	var body strings.Builder
	for i := 0; body.Len() < maxHTMLRead+4<<10; i++ {
		fmt.Fprintf(&body, "<p style=\"margin:0\">párrafo %d</p>\n", i)
	}
	raw := crlf("From: a@example.com\nContent-Type: text/html; charset=utf-8\n\n<html><body>" + body.String())
	in, err := Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	checkCapped(t, "FullText", in.FullText, true)
	if !strings.HasPrefix(in.FullText, "párrafo 0\n\npárrafo 1\n\n") {
		t.Errorf("FullText starts %q", in.FullText[:40])
	}
}

func TestParseManyPartsBounded(t *testing.T) {
	// 100 text parts of 512 KiB: 50 MiB of text, of which Parse may read
	// only its budget.
	const parts, partSize = 100, 512 << 10
	var b strings.Builder
	b.WriteString("From: a@example.com\r\nContent-Type: multipart/mixed; boundary=XX\r\n\r\n")
	line := strings.Repeat("z", 78) + "\r\n"
	for i := 0; i < parts; i++ {
		fmt.Fprintf(&b, "--XX\r\nContent-Type: text/plain\r\n\r\nparte %d\r\n", i)
		b.WriteString(strings.Repeat(line, partSize/len(line)))
	}
	b.WriteString("--XX--\r\n")
	raw := []byte(b.String())

	e, err := readEntity(raw)
	if err != nil {
		t.Fatal(err)
	}
	full, cut := bodyText(e)
	if !cut || len(full) > maxPlainRead || strings.Contains(full, fmt.Sprintf("parte %d", parts-1)) {
		t.Errorf("bodyText read %d bytes (cut %v), want at most the budget of %d", len(full), cut, maxPlainRead)
	}

	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	in, err := Parse(raw)
	runtime.ReadMemStats(&after)
	if err != nil {
		t.Fatal(err)
	}
	checkCapped(t, "FullText", in.FullText, true)
	// Reading every part would allocate well over 100 MiB (the parts,
	// then their join); the budgets keep it to a few times maxPlainRead.
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 32<<20 && !raceEnabled {
		t.Errorf("Parse allocated %d MiB for a %d MiB message", alloc>>20, len(raw)>>20)
	}
}

func TestCapText(t *testing.T) {
	short := "hola\nmundo"
	if got := capText(short, false); got != short {
		t.Errorf("short text changed: %q", got)
	}
	if got := capText(short, true); got != short+truncatedMark {
		t.Errorf("short text known to be cut: %q", got)
	}
	if got := capText("", true); got != "" {
		t.Errorf("empty text: %q", got)
	}
	exact := strings.Repeat("a", MaxTextBytes)
	if got := capText(exact, false); got != exact {
		t.Error("a text of exactly MaxTextBytes was cut")
	}

	// One long line of 2-byte runes: cut at a rune boundary.
	long := strings.Repeat("ñ", MaxTextBytes)
	got := capText(long, false)
	checkCapped(t, "runes", got, true)
	if n := len(strings.TrimSuffix(got, truncatedMark)); n < MaxTextBytes-len(truncatedMark)-1 {
		t.Errorf("kept %d bytes of one long line", n)
	}

	// Lines: cut after a whole line.
	lines := strings.Repeat("0123456789 ñ\n", MaxTextBytes/10)
	got = capText(lines, false)
	checkCapped(t, "lines", got, true)
	if kept := strings.TrimSuffix(got, truncatedMark); !strings.HasSuffix(kept, "0123456789 ñ") || !strings.HasPrefix(lines, kept+"\n") {
		t.Errorf("not cut at a line boundary: ...%q", kept[len(kept)-20:])
	}
}

func TestReadTextBudget(t *testing.T) {
	left, cut := int64(3), false
	// The budget ends inside "ñ"; the partial rune is dropped
	// instead of turning the part into Windows-1252 mojibake.
	if got := readText(strings.NewReader("aañbbb"), &left, &cut); got != "aa" || !cut || left != 1 {
		t.Errorf("readText = %q, cut %v, left %d", got, cut, left)
	}
	left, cut = 10, false
	if got := readText(strings.NewReader("abc"), &left, &cut); got != "abc" || cut || left != 7 {
		t.Errorf("readText = %q, cut %v, left %d", got, cut, left)
	}
	left = 0
	if got := readText(strings.NewReader("abc"), &left, &cut); got != "" || !cut {
		t.Errorf("readText with no budget = %q, cut %v", got, cut)
	}
}
