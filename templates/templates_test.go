package templates

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func sample() Data {
	return Data{
		Desk:           "Mesa de ayuda",
		Token:          "[Soporte #12]",
		Ticket:         12,
		Subject:        "No puedo imprimir",
		Requester:      "José Pérez",
		RequesterEmail: "jose@example.com",
		Author:         "José Pérez <jose@example.com>",
		Text:           "La impresora del piso 3\nno responde.\n\nGracias",
		Status:         "open",
		Tier:           1,
		TierName:       "Nivel 1 - Mesa de ayuda",
		Priority:       "high",
		Reason:         "first_response target 30m breached at tier 1",
		History:        "La impresora del piso 3\nno responde.\n\nGracias",
		Clock:          "first_response",
		Left:           "15m",
		FromTierName:   "Nivel 1",
		Digest:         sampleData.Digest,
		AgentDigest:    sampleData.AgentDigest,
		Addresses:      []string{"extra@example.org"},
		Code:           "CC-ABCDEFGHIJKLMNOP",
	}
}

// showsMessage lists the templates that show a message (Text, or History
// for the mails that hand a ticket over); the others are notices.
var showsMessage = map[Name]bool{"ack": true, "agent_new": true, "agent_update": true, "agent_not_relayed": true,
	"reply": true, "escalated": true, "agent_assigned": true, "vendor_forward": true, "agent_note": true, "command_error": true, "collision": true, "low_rating": true,
	"problem_resolved": true, "problem_incident": true}

func mustNew(t *testing.T, dir string) *Set {
	t.Helper()
	s, err := New(dir)
	if err != nil {
		t.Fatalf("New(%q): %v", dir, err)
	}
	return s
}

func TestEveryTemplateRenders(t *testing.T) {
	s := mustNew(t, "")
	d := sample()
	for _, lang := range Languages() {
		for _, name := range Names() {
			t.Run(string(lang)+"/"+string(name), func(t *testing.T) {
				r, err := s.Render(lang, Name(name), d)
				if err != nil {
					t.Fatal(err)
				}
				if r.Subject == "" || r.Text == "" || r.HTML == "" {
					t.Fatalf("empty part: %+v", r)
				}
				if strings.ContainsAny(r.Subject, "\r\n") {
					t.Errorf("subject has a newline: %q", r.Subject)
				}
				for part, body := range map[string]string{"subject": r.Subject, "text": r.Text, "html": r.HTML} {
					if !strings.Contains(body, d.Token) && name != "digest" && name != "status_reply" && name != AgentDigest {
						t.Errorf("%s lacks the token %q:\n%s", part, d.Token, body)
					}
				}
				if !showsMessage[name] {
					return
				}
				// Every line of the message text is shown, in both bodies.
				for _, line := range []string{"La impresora del piso 3", "no responde.", "Gracias"} {
					if !strings.Contains(r.Text, line) {
						t.Errorf("text lacks %q:\n%s", line, r.Text)
					}
					if !strings.Contains(r.HTML, line) {
						t.Errorf("html lacks %q:\n%s", line, r.HTML)
					}
				}
				if !strings.Contains(r.HTML, "piso 3<br>") {
					t.Errorf("html does not keep line breaks:\n%s", r.HTML)
				}
				if !strings.HasSuffix(r.Text, "\n") || strings.HasSuffix(r.Text, "\n\n") {
					t.Errorf("text should end with exactly one newline: %q", r.Text)
				}
			})
		}
	}
}

// Every mail people answer starts with the reply line, so that quote
// stripping can cut an answer — a requester's or an agent's — cleanly.
func TestMailsStartWithReplyLine(t *testing.T) {
	s := mustNew(t, "")
	for _, lang := range Languages() {
		rl := ReplyLine(lang)
		if rl == "" {
			t.Fatalf("no reply line for %s", lang)
		}
		for _, name := range []Name{Ack, Reply, AgentNew, AgentUpdate} {
			r, err := s.Render(lang, name, sample())
			if err != nil {
				t.Fatal(err)
			}
			if !strings.HasPrefix(r.Text, rl+"\n") {
				t.Errorf("%s/%s text does not start with the reply line:\n%s", lang, name, r.Text)
			}
			if !strings.Contains(r.HTML, rl) {
				t.Errorf("%s/%s html lacks the reply line", lang, name)
			}
		}
	}
	if ReplyLine("es") != "## Responda por encima de esta línea ##" || ReplyLine("en") != "## Please reply above this line ##" {
		t.Errorf("reply lines changed: %q %q", ReplyLine("es"), ReplyLine("en"))
	}
	if ReplyLine("fr") != "" {
		t.Error("unknown language has a reply line")
	}
}

func TestSubjects(t *testing.T) {
	s := mustNew(t, "")
	d := sample()
	want := map[string]string{
		"es/ack":          "[Soporte #12] Recibimos su solicitud: No puedo imprimir",
		"en/ack":          "[Soporte #12] We received your request: No puedo imprimir",
		"es/reply":        "Re: [Soporte #12] No puedo imprimir",
		"en/reply":        "Re: [Soporte #12] No puedo imprimir",
		"es/agent_update": "Re: [Soporte #12] No puedo imprimir",
		"en/agent_new":    "[Soporte #12] New: No puedo imprimir",
	}
	for key, subj := range want {
		lang, name, _ := strings.Cut(key, "/")
		r, err := s.Render(Language(lang), Name(name), d)
		if err != nil {
			t.Fatal(err)
		}
		if r.Subject != subj {
			t.Errorf("%s subject = %q, want %q", key, r.Subject, subj)
		}
	}

	// A subject smuggling a header line stays on one line.
	d.Subject = "hola\r\nBcc: victim@example.com\n  x"
	r, err := s.Render("es", "reply", d)
	if err != nil {
		t.Fatal(err)
	}
	if r.Subject != "Re: [Soporte #12] hola Bcc: victim@example.com x" {
		t.Errorf("subject = %q", r.Subject)
	}
}

func TestHTMLEscapesUserText(t *testing.T) {
	s := mustNew(t, "")
	d := sample()
	d.Text = "<script>alert(1)</script>\nline & more"
	d.History, d.Reason = d.Text, d.Text
	d.Subject = `<img src=x onerror="alert(2)">`
	d.Requester = "<b>Mallory</b>"
	d.Author = "<b>Mallory</b> <m@example.com>"
	for _, lang := range Languages() {
		for _, name := range Names() {
			r, err := s.Render(lang, Name(name), d)
			if err != nil {
				t.Fatal(err)
			}
			for _, bad := range []string{"<script>", "<img src=x", "<b>Mallory"} {
				if strings.Contains(r.HTML, bad) {
					t.Errorf("%s/%s html contains unescaped %q", lang, name, bad)
				}
			}
			if !showsMessage[name] {
				continue
			}
			if !strings.Contains(r.HTML, "&lt;script&gt;alert(1)&lt;/script&gt;<br>") {
				t.Errorf("%s/%s html lacks the escaped text:\n%s", lang, name, r.HTML)
			}
			// The text part is plain text: shown as written.
			if !strings.Contains(r.Text, "<script>alert(1)</script>") {
				t.Errorf("%s/%s text altered the message text:\n%s", lang, name, r.Text)
			}
		}
	}
}

func TestUnknownLanguageAndName(t *testing.T) {
	s := mustNew(t, "")
	if _, err := s.Render("fr", "ack", sample()); !errors.Is(err, ErrUnknownLanguage) {
		t.Errorf("unknown language: err = %v", err)
	}
	if _, err := s.Render("es", "nope", sample()); !errors.Is(err, ErrUnknownTemplate) {
		t.Errorf("unknown name: err = %v", err)
	}
}

func writeFile(t *testing.T, dir, rel, content string) string {
	t.Helper()
	p := filepath.Join(dir, filepath.FromSlash(rel))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestOverrideReplacesOneTemplate(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "es/ack.txt", "{{define \"subject\"}}Propio {{.Token}}{{end}}Texto propio {{.Ticket}}: {{.Text}}\n")
	writeFile(t, dir, "README", "not a template; ignored")
	s := mustNew(t, dir)
	embedded := mustNew(t, "")

	r, err := s.Render("es", "ack", sample())
	if err != nil {
		t.Fatal(err)
	}
	if r.Subject != "Propio [Soporte #12]" || !strings.HasPrefix(r.Text, "Texto propio 12: ") {
		t.Errorf("override not used: %+v", r)
	}
	// The HTML of the same template and every other template stay embedded.
	want, _ := embedded.Render("es", "ack", sample())
	if r.HTML != want.HTML {
		t.Error("es/ack.html changed although only es/ack.txt was overridden")
	}
	for _, key := range []string{"en/ack", "es/reply"} {
		lang, name, _ := strings.Cut(key, "/")
		got, _ := s.Render(Language(lang), Name(name), sample())
		want, _ := embedded.Render(Language(lang), Name(name), sample())
		if got != want {
			t.Errorf("%s changed although not overridden", key)
		}
	}
}

func TestOverrideLayout(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "layout.html", `{{define "layout"}}<main>{{template "body" .}}</main>{{end}}`)
	s := mustNew(t, dir)
	r, err := s.Render("en", "reply", sample())
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(r.HTML, "<main>") {
		t.Errorf("layout override not used:\n%s", r.HTML)
	}
}

func TestBrokenOverrideNamesTheFile(t *testing.T) {
	cases := []struct {
		name, rel, content, want string
	}{
		{"syntax text", "es/reply.txt", "{{define \"subject\"}}x{{end}}{{.Text", "reply.txt"},
		{"syntax html", "en/agent_new.html", "{{define \"body\"}}{{if .Text}}{{end}}", "agent_new.html"},
		{"no subject", "en/ack.txt", "body only", `no {{define "subject"}}`},
		{"no body", "es/ack.html", "<p>hi</p>", `no {{define "body"}}`},
		{"unknown field", "es/agent_update.txt", "{{define \"subject\"}}{{.Nope}}{{end}}x", "agent_update.txt"},
		{"broken layout", "layout.html", "{{define \"layout\"}}{{template \"body\" .}", "layout.html"},
		{"misspelt name", "es/akc.txt", "x", "akc.txt"},
		{"unknown language", "fr/ack.txt", "x", filepath.Join("fr", "ack.txt")},
		// A language's own files are read when first used unless
		// overridden: an override is still checked here.
		{"broken phrases", "en/phrases.txt", "{{define \"reply_line\"}}x{{end}}{{define", "phrases.txt"},
		{"few stop words", "pt/stopwords.txt", "a b c\n", "needs at least"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			p := writeFile(t, dir, tc.rel, tc.content)
			_, err := New(dir)
			if err == nil {
				t.Fatal("New accepted a broken override")
			}
			if !strings.Contains(err.Error(), p) {
				t.Errorf("error does not name the file %s: %v", p, err)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error lacks %q: %v", tc.want, err)
			}
		})
	}
}

func TestMissingOverrideDir(t *testing.T) {
	if _, err := New(filepath.Join(t.TempDir(), "nope")); err == nil {
		t.Fatal("New accepted a missing override directory")
	}
}

func TestEmptyTextAndStatusWords(t *testing.T) {
	s := mustNew(t, "")
	d := sample()
	d.Text = ""
	d.TierName = ""
	d.Status = "pending"
	r, err := s.Render("es", "agent_update", d)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(r.Text, "en espera de su respuesta") || !strings.Contains(r.Text, "Nivel:  1") {
		t.Errorf("status or tier fallback missing:\n%s", r.Text)
	}
}

func TestQuote(t *testing.T) {
	got := quote("a\r\n\nb\n")
	if got != "> a\n>\n> b" {
		t.Errorf("quote = %q", got)
	}
	if quote("") != "" {
		t.Error("quote of empty text is not empty")
	}
}

func TestUnverifiedAgentMailIsFlagged(t *testing.T) {
	s := mustNew(t, "")
	for lang, word := range map[Language]string{"es": "AVISO", "en": "WARNING"} {
		d := sample()
		plain, err := s.Render(lang, "agent_update", d)
		if err != nil {
			t.Fatal(err)
		}
		d.Unverified = true
		flagged, err := s.Render(lang, "agent_update", d)
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(plain.Text, word) || !strings.Contains(flagged.Text, word) || !strings.Contains(flagged.HTML, word) {
			t.Errorf("%s: the unverified-sender warning is not shown exactly when asked", lang)
		}
	}
}
