package mailout

import (
	"bytes"
	"io"
	"strings"
	"testing"
	"time"

	_ "github.com/emersion/go-message/charset"
	"github.com/emersion/go-message/mail"

	"github.com/ticketd/ticketd/tickets"
)

var queued = time.Date(2025, 3, 14, 9, 26, 53, 0, time.FixedZone("COT", -5*3600))

func testMail() *tickets.Mail {
	return &tickets.Mail{
		ID:            7,
		Ticket:        1042,
		Kind:          "ack",
		From:          tickets.NewAddress("Mesa de ayuda", "soporte@example.com"),
		To:            []tickets.Address{tickets.NewAddress("José Pérez", "jose@example.com")},
		Cc:            []tickets.Address{tickets.NewAddress("", "jefa@example.com"), tickets.NewAddress("Smith, John", "john@example.com")},
		ReplyTo:       &tickets.Address{Name: "Soporte", Email: "soporte@example.com"},
		Subject:       "[Soporte #1042] Recibimos su solicitud: No puedo imprimir en la oficina ñandú",
		Text:          "## Responda por encima de esta línea ##\n\nHola, José:\nGracias.\n" + strings.Repeat("largo ", 300) + "\n",
		HTML:          "<p>Hola, José:<br>Gracias.</p>\n",
		MessageID:     "ticket.1042.7.abc@example.com",
		InReplyTo:     "CAF=abc@mail.gmail.com",
		References:    []string{"CAF=abc@mail.gmail.com", "ticket.1042.5.xyz@example.com"},
		AutoSubmitted: "auto-replied",
		Queued:        queued,
		NextAttempt:   queued,
	}
}

func compose(t *testing.T, m *tickets.Mail) []byte {
	t.Helper()
	raw, err := Compose(m, queued.Add(time.Hour))
	if err != nil {
		t.Fatalf("Compose: %v", err)
	}
	return raw
}

func TestComposeHeaders(t *testing.T) {
	m := testMail()
	raw := compose(t, m)
	mr, err := mail.CreateReader(bytes.NewReader(raw))
	if err != nil {
		t.Fatalf("parse composed mail: %v\n%s", err, raw)
	}
	h := mr.Header

	addrs := func(key string) []string {
		t.Helper()
		l, err := h.AddressList(key)
		if err != nil {
			t.Fatalf("%s: %v", key, err)
		}
		var out []string
		for _, a := range l {
			out = append(out, a.Name+"|"+a.Address)
		}
		return out
	}
	check := func(key, got, want string) {
		t.Helper()
		if got != want {
			t.Errorf("%s = %q, want %q", key, got, want)
		}
	}
	check("From", strings.Join(addrs("From"), ","), "Mesa de ayuda|soporte@example.com")
	check("To", strings.Join(addrs("To"), ","), "José Pérez|jose@example.com")
	check("Cc", strings.Join(addrs("Cc"), ","), "|jefa@example.com,Smith, John|john@example.com")
	check("Reply-To", strings.Join(addrs("Reply-To"), ","), "Soporte|soporte@example.com")

	subj, err := h.Subject()
	if err != nil {
		t.Fatal(err)
	}
	check("Subject", subj, m.Subject)
	if raw := h.Get("Subject"); !strings.Contains(raw, "=?utf-8?") {
		t.Errorf("non-ASCII subject not RFC 2047 encoded: %q", raw)
	}
	if raw := h.Get("To"); !strings.Contains(raw, "=?utf-8?") {
		t.Errorf("non-ASCII display name not RFC 2047 encoded: %q", raw)
	}

	date, err := h.Date()
	if err != nil {
		t.Fatal(err)
	}
	if !date.Equal(queued) {
		t.Errorf("Date = %v, want the queued time %v", date, queued)
	}
	id, err := h.MessageID()
	if err != nil {
		t.Fatal(err)
	}
	check("Message-Id", id, m.MessageID)
	irt, err := h.MsgIDList("In-Reply-To")
	if err != nil {
		t.Fatal(err)
	}
	check("In-Reply-To", strings.Join(irt, " "), m.InReplyTo)
	refs, err := h.MsgIDList("References")
	if err != nil {
		t.Fatal(err)
	}
	check("References", strings.Join(refs, " "), strings.Join(m.References, " "))
	check("Auto-Submitted", h.Get("Auto-Submitted"), "auto-replied")
	check("X-Auto-Response-Suppress", h.Get("X-Auto-Response-Suppress"), "All")
	check("MIME-Version", h.Get("Mime-Version"), "1.0")
	ct, _, _ := h.ContentType()
	check("Content-Type", ct, "multipart/alternative")

	// Every line ends in CRLF and stays within RFC 5322's 998 characters.
	for i, line := range strings.Split(string(raw), "\r\n") {
		if strings.Contains(line, "\n") {
			t.Fatalf("line %d has a bare LF: %q", i, line)
		}
		if len(line) > 998 {
			t.Fatalf("line %d is %d characters long", i, len(line))
		}
	}
}

func TestComposeParts(t *testing.T) {
	m := testMail()
	mr, err := mail.CreateReader(bytes.NewReader(compose(t, m)))
	if err != nil {
		t.Fatal(err)
	}
	// The text part is format=flowed: read back, it is the text without
	// trailing spaces.
	want := []struct{ ctype, body string }{{"text/plain", hardLines(m.Text)}, {"text/html", m.HTML}}
	for i, w := range want {
		p, err := mr.NextPart()
		if err != nil {
			t.Fatalf("part %d: %v", i, err)
		}
		ih, ok := p.Header.(*mail.InlineHeader)
		if !ok {
			t.Fatalf("part %d is not inline: %T", i, p.Header)
		}
		ct, params, _ := ih.ContentType()
		if ct != w.ctype || params["charset"] != "utf-8" {
			t.Errorf("part %d Content-Type = %s %v, want %s; charset=utf-8", i, ct, params, w.ctype)
		}
		body, err := io.ReadAll(p.Body)
		if err != nil {
			t.Fatal(err)
		}
		got := strings.ReplaceAll(string(body), "\r\n", "\n")
		if params["format"] == "flowed" {
			got = unflowed(got)
		}
		if got != w.body {
			t.Errorf("part %d body = %q, want %q", i, got, w.body)
		}
	}
	if _, err := mr.NextPart(); err != io.EOF {
		t.Errorf("more than two parts: %v", err)
	}
	raw := string(compose(t, m))
	if strings.Count(raw, "Content-Transfer-Encoding: quoted-printable") != 2 {
		t.Errorf("parts are not quoted-printable:\n%s", raw)
	}
}

func TestComposeHumanMailAndTextOnly(t *testing.T) {
	m := testMail()
	m.AutoSubmitted = ""
	m.HTML = ""
	m.ReplyTo = nil
	m.Cc = nil
	m.InReplyTo = ""
	m.References = nil
	raw := compose(t, m)
	mr, err := mail.CreateReader(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	for _, key := range []string{"Auto-Submitted", "X-Auto-Response-Suppress", "Reply-To", "Cc", "In-Reply-To", "References"} {
		if mr.Header.Has(key) {
			t.Errorf("unexpected %s: %q", key, mr.Header.Get(key))
		}
	}
	ct, params, _ := mr.Header.ContentType()
	if ct != "text/plain" || params["charset"] != "utf-8" {
		t.Errorf("Content-Type = %s %v, want text/plain; charset=utf-8", ct, params)
	}
	p, err := mr.NextPart()
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(p.Body)
	if params["format"] != "flowed" {
		t.Errorf("text part not format=flowed: %v", params)
	}
	if got := unflowed(strings.ReplaceAll(string(body), "\r\n", "\n")); got != hardLines(m.Text) {
		t.Errorf("body = %q", got)
	}
}

func TestComposeKeepsHeadersOnOneLine(t *testing.T) {
	m := testMail()
	m.Subject = "hola\r\nBcc: victim@example.com"
	m.To[0].Name = "Eve\r\nX-Injected: 1"
	raw := compose(t, m)
	mr, err := mail.CreateReader(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	if mr.Header.Has("Bcc") || mr.Header.Has("X-Injected") {
		t.Fatalf("header injection:\n%s", raw)
	}
	if subj, _ := mr.Header.Subject(); subj != "hola Bcc: victim@example.com" {
		t.Errorf("Subject = %q", subj)
	}
}

func TestComposeDateFallsBackToNow(t *testing.T) {
	m := testMail()
	m.Queued = time.Time{}
	now := queued.Add(time.Hour)
	raw, err := Compose(m, now)
	if err != nil {
		t.Fatal(err)
	}
	mr, _ := mail.CreateReader(bytes.NewReader(raw))
	if d, _ := mr.Header.Date(); !d.Equal(now) {
		t.Errorf("Date = %v, want %v", d, now)
	}
}

func TestComposeRejectsIncompleteMail(t *testing.T) {
	for name, mutate := range map[string]func(*tickets.Mail){
		"no from":          func(m *tickets.Mail) { m.From.Email = "" },
		"no recipients":    func(m *tickets.Mail) { m.To, m.Cc = nil, nil },
		"no message-id":    func(m *tickets.Mail) { m.MessageID = "" },
		"bracketed msgid":  func(m *tickets.Mail) { m.MessageID = "<a@b>" },
		"msgid with space": func(m *tickets.Mail) { m.MessageID = "a b@c" },
	} {
		m := testMail()
		mutate(m)
		if _, err := Compose(m, queued); err == nil {
			t.Errorf("%s: Compose accepted it", name)
		}
	}
}
