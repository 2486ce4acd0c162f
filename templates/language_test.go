package templates

import (
	"io/fs"
	"path"
	"regexp"
	"strings"
	"testing"
)

// otherLanguage lists common words and phrases of the other language that
// must not show in a mail: Spanish mails must not read English, and the
// reverse. Spaces around short words keep "de" out of "decide".
var otherLanguage = map[Language][]string{
	"es": {" the ", "The ", "your ", "Your ", "ticket was", "Reply above", "Please", " and ", " of ", " to ", " is ", "request",
		"needs ", "Hello", "Thank", "Subject:", "Priority", "Reason:", "Tier ", "tier ", "target", "breach", "answer", "(note)", "agent:",
		"How did we do", "Rating", "escalated", "unknown command", "digest"},
	"en": {" el ", " la ", " los ", " su ", " sus ", " de ", " del ", " que ", " por ", "solicitud", "Responda", "Hola", "Gracias",
		"Motivo", "Prioridad", "Asunto", "Nivel", "nivel", "objetivo", "nota interna", "agente", "orden", "resumen", "Valoración",
		"Olá", "Obrigado", "solicitação", "Situação", "Avaliação"},
	// Portuguese must read neither English nor Spanish (the words the two
	// languages do not share; Spanish command names are commands).
	"pt": {" the ", "The ", "your ", "Your ", "ticket was", "Reply above", "Please", " and ", " of ", " to ", " is ", "request",
		"needs ", "Hello", "Thank", "Subject:", "Priority", "Reason:", "Tier ", "tier ", "target", "breach", "answer", "(note)", "agent:",
		"How did we do", "Rating", "escalated", "unknown command", "digest",
		" el ", " los ", " las ", " su ", " sus ", " del ", " y ", "solicitud", "Hola", "Gracias", "Asunto", "Prioridad:", "Nivel", " nivel ",
		"objetivo", " orden", "resumen", "Valoración", "correo", "usted", "ñ", "¿", "¡", " pero ", "también", "Estado:"},
}

// sampleIn is representative data written in lang, so that any word of the
// other language in the result comes from a template or a phrase.
func sampleIn(lang Language) Data {
	d := sampleData
	d.Digest = &Digest{}
	*d.Digest = *sampleData.Digest
	switch lang {
	case "pt":
		d.Desk, d.Subject, d.Requester, d.Text = "Central de atendimento", "Impressora", "Pedro Souza", "Não imprime.\nObrigado."
		d.RequesterEmail, d.Author = "pedro@example.com", "Pedro Souza <pedro@example.com>"
		d.TierName, d.FromTierName, d.Reason = "Nível 2", "Nível 1", "a meta foi descumprida"
		d.History = "--- 2026-01-01 09:00 · Pedro Souza\nNão imprime."
		d.Problems = []string{"#prioridad já: precisa de uma prioridade"}
		d.Articles = []ArticleLine{{N: 1, Title: "Impressora", Text: "Reinicie-a."}}
		d.Digest.Backlog = []BacklogRow{{Tier: "Nível 1", New: 1, Total: 1, Bar: 30}}
		d.Digest.TierSLA = []TierSLARow{{Tier: "Nível 1", FirstResponse: "92% (12/13)", Resolution: "-"}}
		d.Digest.EscalatedByTier = []Count{{"Nível 2", 1}}
	case "es":
		d.Desk, d.Subject, d.Requester, d.Text = "Mesa de ayuda", "Impresora", "Pedro Pérez", "No imprime.\nGracias."
		d.RequesterEmail, d.Author = "pedro@example.com", "Pedro Pérez <pedro@example.com>"
		d.TierName, d.FromTierName, d.Reason = "Nivel 2", "Nivel 1", "se superó el objetivo"
		d.History = "--- 2026-01-01 09:00 · Pedro Pérez\nNo imprime."
		d.Problems = []string{"#prioridad ya: necesita una prioridad"}
		d.Articles = []ArticleLine{{N: 1, Title: "Impresora", Text: "Reiníciela."}}
		d.Digest.Backlog = []BacklogRow{{Tier: "Nivel 1", New: 1, Total: 1, Bar: 30}}
		d.Digest.TierSLA = []TierSLARow{{Tier: "Nivel 1", FirstResponse: "92% (12/13)", Resolution: "-"}}
		d.Digest.EscalatedByTier = []Count{{"Nivel 2", 1}}
	default:
		d.Desk, d.Subject, d.Requester, d.Text = "Help desk", "Printer", "Peter Smith", "It prints nothing.\nThanks."
		d.RequesterEmail, d.Author = "peter@example.com", "Peter Smith <peter@example.com>"
		d.TierName, d.FromTierName, d.Reason = "Tier 2", "Tier 1", "the target was missed"
		d.History = "--- 2026-01-01 09:00 · Peter Smith\nIt prints nothing."
		d.Problems = []string{"#priority now: needs a priority"}
		d.Articles = []ArticleLine{{N: 1, Title: "Printer", Text: "Restart it."}}
		d.Digest.Backlog = []BacklogRow{{Tier: "Tier 1", New: 1, Total: 1, Bar: 30}}
		d.Digest.TierSLA = []TierSLARow{{Tier: "Tier 1", FirstResponse: "92% (12/13)", Resolution: "-"}}
		d.Digest.EscalatedByTier = []Count{{"Tier 2", 1}}
	}
	d.Digest.EscalatedTickets = []TicketLine{{Ticket: 1, Token: d.Token, Subject: d.Subject, Status: "open", Priority: "high", Tier: 2, Age: "1 d"}}
	d.Digest.BreachedTickets, d.Digest.Oldest, d.Tickets, d.Linked = d.Digest.EscalatedTickets, d.Digest.EscalatedTickets, d.Digest.EscalatedTickets, d.Digest.EscalatedTickets
	return d
}

var tag = regexp.MustCompile(`<[^>]*>`)

// TestEveryTemplateInItsLanguage renders every template found in the
// embedded files, and every phrase, in Spanish and English, and fails on a
// word of the other language.
func TestEveryTemplateInItsLanguage(t *testing.T) {
	set, err := New("")
	if err != nil {
		t.Fatal(err)
	}
	for _, lang := range languages {
		files, err := fs.Glob(embedded, "mail/"+string(lang)+"/*.txt")
		if err != nil || len(files) == 0 {
			t.Fatalf("no templates for %s: %v", lang, err)
		}
		data := sampleIn(lang)
		check := func(where, text string) {
			t.Helper()
			padded := " " + strings.Join(strings.Fields(tag.ReplaceAllString(text, " ")), " ") + " "
			for _, w := range otherLanguage[lang] {
				if strings.Contains(padded, w) {
					t.Errorf("%s/%s has %q:\n%s", lang, where, w, text)
				}
			}
		}
		for _, f := range files {
			name := strings.TrimSuffix(path.Base(f), ".txt")
			if !isTemplateFile(name) {
				continue
			}
			for _, empty := range []bool{false, true} {
				d := data
				d.Digest = &Digest{}
				*d.Digest = *data.Digest
				d.Digest.Empty = empty
				r, err := set.Render(lang, Name(name), d)
				if err != nil {
					t.Fatalf("%s/%s: %v", lang, name, err)
				}
				check(name+" subject", r.Subject)
				check(name+".txt", r.Text)
				check(name+".html", r.HTML)
			}
		}
		// A requester without a display name is named by address once.
		bare := data
		bare.Requester = bare.RequesterEmail
		for _, f := range files {
			name := strings.TrimSuffix(path.Base(f), ".txt")
			if !isTemplateFile(name) {
				continue
			}
			r, err := set.Render(lang, Name(name), bare)
			if err != nil {
				t.Fatal(err)
			}
			for _, twice := range []string{bare.RequesterEmail + " <" + bare.RequesterEmail, bare.RequesterEmail + " &lt;" + bare.RequesterEmail} {
				if strings.Contains(r.Text, twice) || strings.Contains(r.HTML, twice) {
					t.Errorf("%s/%s names a requester without a name as %q", lang, name, twice+">")
				}
			}
		}
		for _, name := range phraseNames {
			p := samplePhrase
			p.Text = ""
			s, err := set.Phrase(lang, name, p)
			if err != nil {
				t.Fatal(err)
			}
			check("phrase "+name, s)
		}
	}
}

// isTemplateFile: a .txt file of a language folder that is a mail, not
// its phrases or stop words.
func isTemplateFile(name string) bool {
	return name != strings.TrimSuffix(phrasesFile, ".txt") && name != strings.TrimSuffix(stopWordsFile, ".txt")
}

// TestRatingLabelsAreTheSameEverywhere: the satisfaction question's text
// explains the scale with the five labels its buttons show, and asks how
// we did.
func TestRatingLabelsAreTheSameEverywhere(t *testing.T) {
	set, err := New("")
	if err != nil {
		t.Fatal(err)
	}
	asks := map[Language]string{"es": "¿Cómo lo hicimos?", "en": "How did we do?", "pt": "Como nos saímos?"}
	for _, lang := range languages {
		r, err := set.Render(lang, "csat", sampleIn(lang))
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(r.Subject, asks[lang]) {
			t.Errorf("%s subject %q does not ask %q", lang, r.Subject, asks[lang])
		}
		l, _ := set.lang(lang)
		for _, label := range l.words.rateLabels() {
			if !strings.Contains(r.Text, label) || !strings.Contains(r.HTML, ">"+label+"<") {
				t.Errorf("%s: label %q not both in the text and on a button", lang, label)
			}
		}
		if strings.Contains(r.Text, "(mal)") || strings.Contains(r.Text, "(poor)") {
			t.Errorf("%s: the text still uses its own labels:\n%s", lang, r.Text)
		}
	}
}

// TestPlainWordMatchesParsed checks that a word read from its definition
// alone is the word the parsed phrases file gives, and that the words read
// at every command's start (the desk's name, the reply line) take that
// path in every embedded language.
func TestPlainWordMatchesParsed(t *testing.T) {
	for _, lang := range Languages() {
		parsed := embeddedPhrases[lang]().w
		for _, name := range wordNames {
			w, ok := plainWord(lang, name)
			if ok && w != parsed[name] {
				t.Errorf("%s %s: plain %q, parsed %q", lang, name, w, parsed[name])
			}
			if !ok && (name == "desk_name" || name == "reply_line") {
				t.Errorf("%s %s: not read as plain text", lang, name)
			}
		}
		if got := DeskName(lang); got != parsed["desk_name"] || got == "" {
			t.Errorf("%s: DeskName %q, parsed %q", lang, got, parsed["desk_name"])
		}
	}
	if _, ok := plainWord("es", "no_such_word"); ok {
		t.Error("a word not defined was read")
	}
	if DeskName("xx") != "" {
		t.Error("DeskName of an unknown language is not empty")
	}
}

func TestPlainDefinition(t *testing.T) {
	for _, c := range []struct {
		body, name, want string
		ok               bool
	}{
		{`{{define "a"}}Mesa de  ayuda
{{end}}{{define "b"}}x{{end}}`, "a", "Mesa de ayuda", true},
		{`{{define "a"}}{{.Desk}}{{end}}`, "a", "", false},
		{`{{define "a" -}} x {{end}}`, "a", "", false},
		{`{{define "a"}}x{{/* c */}}{{end}}`, "a", "", false},
		{`{{define "a"}}x{{end}}{{define "a"}}y{{end}}`, "a", "", false},
		{`{{define "b"}}{{template "a"}}{{end}}{{define "a"}}x{{end}}`, "a", "", false},
		{`{{define "a"}}x`, "a", "", false},
		{`{{define "b"}}x{{end}}`, "a", "", false},
	} {
		w, ok := plainDefinition(c.body, c.name)
		if w != c.want || ok != c.ok {
			t.Errorf("plainDefinition(%q, %q) = %q, %v; want %q, %v", c.body, c.name, w, ok, c.want, c.ok)
		}
	}
}
