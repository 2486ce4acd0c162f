package mailparse

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"unicode"

	"github.com/ticketd/ticketd/internal/fold"
	"github.com/ticketd/ticketd/loadtest"
)

// autoReplyTextRegexps is autoReplyText without its filters: the
// reference the filters must never disagree with.
func autoReplyTextRegexps(text string) bool {
	top := strings.Join(strings.Fields(truncateUTF8(text, autoReplyWindow)), " ")
	if top == "" {
		return false
	}
	return autoReplyStatement().MatchString(top) || awayStatement().MatchString(top) && responderCue().MatchString(top)
}

// foldVariants spells s the ways (?i) takes as equal, and with other
// white space.
func foldVariants(s string) []string {
	return []string{s, strings.ToUpper(s), strings.ToLower(s),
		strings.ReplaceAll(strings.ReplaceAll(s, "s", "ſ"), "k", "\u212a"), // long s, Kelvin sign
		strings.ReplaceAll(strings.ToUpper(s), "S", "ſ"),
		strings.ReplaceAll(s, " ", "\u00a0\t "), strings.ReplaceAll(s, " ", "\r\n"),
		strings.Map(func(r rune) rune { // every other letter swapped
			if unicode.IsUpper(r) {
				return unicode.ToLower(r)
			}
			return unicode.ToUpper(r)
		}, s)}
}

func TestAutoReplyFiltersChangeNothing(t *testing.T) {
	var texts []string
	for _, c := range autoReplyTexts {
		texts = append(texts, foldVariants(c.text)...)
	}
	// Phrases of every alternative, alone and in the middle of a text.
	for _, p := range []string{"I am out of the office", "I'm away from my desk", "i’ll be on parental leave", "I will be out until Monday; I will reply when I return",
		"estaré de vacaciones, responderé a mi regreso", "me encontraré sin acceso; contestaré", "permaneceré ausente, a mi vuelta", "je serai en déplacement, je répondrai",
		"ich bin leider bis Montag im Urlaub, nach meiner Rückkehr", "sarò in ferie, al mio rientro", "estarei de férias, ao meu retorno", "sono assente",
		"this mail is an automated response", "éste es un correo de respuesta automática", "ceci est une réponse automatique", "dies ist eine automatische Abwesenheitsnotiz",
		"questa è una risposta automatica", "esta é uma resposta automática", "This is an auto-reply"} {
		texts = append(texts, foldVariants(p)...)
		texts = append(texts, foldVariants("Hola. "+p+". Please contact my colleague. Gracias.")...)
	}
	// Real mail: the corpus and the load test's.
	files, _ := filepath.Glob("testdata/*.eml")
	more, _ := filepath.Glob("testdata/*/*.eml")
	for _, f := range append(files, more...) {
		raw, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if in, err := Parse(raw); err == nil {
			texts = append(texts, in.Text, in.FullText)
		}
	}
	raws, _ := loadtest.Corpus(300, 1)
	for _, raw := range raws {
		if in, err := Parse(raw); err == nil {
			texts = append(texts, in.Text, in.FullText)
		}
	}
	if len(texts) < 500 {
		t.Fatalf("only %d texts", len(texts))
	}
	autos := 0
	for _, s := range texts {
		got, want := autoReplyText(s), autoReplyTextRegexps(s)
		if got != want {
			t.Errorf("autoReplyText(%q) = %v, the regexps alone say %v", s, got, want)
		}
		if want {
			autos++
		}
	}
	if autos < 50 {
		t.Errorf("only %d of %d texts are automatic replies: the comparison proves little", autos, len(texts))
	}
}

func TestAutoReplyFiltersRuleOutRequests(t *testing.T) {
	// The point of the filters: an ordinary request runs no regexp.
	key := fold.String(strings.Join(strings.Fields("Buenos días: desde esta mañana no consigo imprimir. Estoy disponible toda la tarde."), " "))
	if autoReplyStatementFilter().pass(key) || awayStatementFilter().pass(key) {
		t.Error("an ordinary request passes the filters")
	}
}

func TestFoldKey(t *testing.T) {
	for _, c := range []struct{ a, b string }{{"ſtatus", "STATUS"}, {"\u212aelvin", "kelvin"}, {"Ñandú", "ñANDÚ"}, {"ΣΑΣ", "σας"}} {
		if fold.String(c.a) != fold.String(c.b) {
			t.Errorf("fold.String(%q) = %q, fold.String(%q) = %q", c.a, fold.String(c.a), c.b, fold.String(c.b))
		}
	}
	if fold.String("ab") == fold.String("ac") {
		t.Error("fold.String merges different letters")
	}
}

func TestEndsAttributionIsTheRegexp(t *testing.T) {
	re := regexp.MustCompile(`(?i)([:：]|[:：]?\s*-{2,})\s*$`)
	for _, s := range []string{"", ":", "：", "-", "--", "---", "a --", "a - -", "wrote:", "wrote: ", "wrote:\t\r\n", "escribió：\f",
		"---- On Mon wrote ----", "a -\v", "a :\v", "x\u00a0:", "x:\u00a0", "a -- b", "a:b", "\xff:", ":\xff", "--\n ", "a-\n-"} {
		if got, want := endsAttribution(s), re.MatchString(s); got != want {
			t.Errorf("endsAttribution(%q) = %v, the regexp says %v", s, got, want)
		}
	}
}

func TestAutoReplySubjectFiltersChangeNothing(t *testing.T) {
	reference := func(s string) bool {
		return autoReplySubject().MatchString(s) || autoReplyAnywhere().MatchString(s) || awaySubject().MatchString(s) || lotusAuto().MatchString(s)
	}
	phrases := []string{"Automatic reply", "Autoreply", "Auto-Reply", "auto reply", "Automatic-reply", "Auto Response", "autoresponse", "Autoresponder",
		"Respuesta automática", "Respuesta automatica", "Resposta automática", "Réponse automatique", "reponse automatique", "Automatische Antwort",
		"Abwesenheitsnotiz", "Risposta automatica", "Automatisch antwoord", "Afwezigheidsmelding", "Automatyczna odpowiedź", "Automatyczna odpowiedz",
		"Автоматический ответ", "Автоответ", "Automatiskt svar", "Autosvar", "Automatisk svar", "Automatická odpověď", "Otomatik yanıt", "Otomatik yanit",
		"自動応答", "自動返信", "自动回复", "自動回覆", "Trả lời tự động",
		"Out of Office", "Out of the office", "Fuera de la oficina", "Fuera de oficina", "Ausencia", "Fora do escritório", "Fora do escritorio",
		"Absence du bureau", "Absent du bureau", "Fuori ufficio", "Fuori sede", "Niet aanwezig", "Poza biurem", "Frånvaro", "Franvaro",
		"Mimo kancelář", "Ofis dışında", "Ofis disinda", "不在", "Out of Office AutoReply", "Out of the office auto-reply"}
	var subjects []string
	for _, p := range phrases {
		for _, s := range []string{p + ": Impresora", "RE: " + p + ": Impresora", p + " (until Monday)：x", "[ext] " + p + ":", "Re:" + p + " Impresora", p,
			"No funciona el " + p + ": ayuda", "AUTO: " + p, "Re: AUTO: Impresora", "auto: x"} {
			subjects = append(subjects, foldVariants(s)...)
		}
	}
	raws, _ := loadtest.Corpus(100, 1)
	for _, raw := range raws {
		if in, err := Parse(raw); err == nil {
			subjects = append(subjects, in.Subject)
		}
	}
	hits := 0
	for _, s := range subjects {
		s = cleanHeaderText(s) // what classify passes
		got, want := isAutoReplySubject(s), reference(s)
		if got != want {
			t.Errorf("isAutoReplySubject(%q) = %v, the regexps alone say %v", s, got, want)
		}
		if want {
			hits++
		}
	}
	if hits < len(phrases)*5 {
		t.Errorf("only %d of %d subjects name an automatic reply: the comparison proves little", hits, len(subjects))
	}
}

// TestWroteVerbMatcherIsRegexp holds hasWroteVerb to the pattern it
// matches by hand.
func TestWroteVerbMatcherIsRegexp(t *testing.T) {
	var lines []string
	for _, l := range quoteLanguages {
		for _, w := range l.wrote {
			w = strings.ReplaceAll(w, `\`, "")
			for _, s := range []string{"On Mon, 2 Mar 2026, Ana <ana@example.com> " + w + ":", "El lun, " + w, w + " -----", "2026年3月2日 " + w + "：",
				"Ana " + strings.ReplaceAll(w, " ", "  \t") + ":", "Ana" + w + ":", "---- " + w + " ----", "no verb here:", "Buenos días:",
				w, w + "x", "x" + w, "(" + w + ")", "'" + w + "'", ">" + w + "-", "9" + w + "：", "漢" + w + "\f", "ひ" + w, "カ" + w + ",", "\xff" + w, w + "\xff",
				w + "\u00a0", "\u00a0" + w, strings.ReplaceAll(w, " ", "")} {
				lines = append(lines, foldVariants(s)...)
			}
		}
	}
	for _, text := range corpusTexts(t) {
		lines = append(lines, strings.Split(text, "\n")...)
	}
	if wroteVerbs().phrases == nil {
		t.Fatal("the verbs are not read as phrases: hasWroteVerb runs the regexp")
	}
	hits := 0
	for _, s := range lines {
		got, want := hasWroteVerb(s), wroteVerb().MatchString(s)
		if got != want {
			t.Errorf("hasWroteVerb(%q) = %v, wroteVerb says %v", s, got, want)
		}
		if want {
			hits++
		}
	}
	if hits < len(lines)/4 {
		t.Errorf("only %d of %d lines have a verb: the comparison proves little", hits, len(lines))
	}
}

func TestMobileFooterFilterChangesNothing(t *testing.T) {
	var lines []string
	for _, l := range quoteLanguages {
		for _, w := range append(l.mobile, l.mobileEnd...) {
			for _, s := range []string{w + " iPhone", w + " Samsung Galaxy", "iPhone " + w, "Mi iPhone " + w + ".", w, "  " + w + "  móvil",
				strings.ReplaceAll(w, " ", " \t ") + " phone", "Nada que ver", "Camilo Rodríguez"} {
				lines = append(lines, foldVariants(s)...)
			}
		}
	}
	for _, text := range corpusTexts(t) {
		lines = append(lines, strings.Split(text, "\n")...)
	}
	hits := 0
	for _, s := range lines {
		s = strings.TrimSpace(s) // as trimTrailing passes it
		want := mobileFooter().MatchString(s)
		if want && !mobileFooterFilter().pass(fold.String(s)) {
			t.Errorf("the filter rules out %q, a footer to mobileFooter", s)
		}
		if want {
			hits++
		}
	}
	if hits < len(lines)/10 {
		t.Errorf("only %d of %d lines are footers: the comparison proves little", hits, len(lines))
	}
	if mobileFooterFilter().pass(fold.String("Camilo Rodríguez")) {
		t.Error("a name passes the filter")
	}
}

func FuzzHasWroteVerb(f *testing.F) {
	f.Add("El lun, 2 mar 2026 a las 9:14, Mesa de ayuda escribió:")
	f.Add("On Mon, Ana <ana@example.com> wrote:")
	f.Add("2026年3月2日 写道：")
	f.Add("Jan napisał(a):")
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := hasWroteVerb(s), wroteVerb().MatchString(s); got != want {
			t.Fatalf("hasWroteVerb(%q) = %v, wroteVerb says %v", s, got, want)
		}
	})
}

// allFoldFilters are the package's filters, for the tests of pass.
func allFoldFilters() []*foldFilter {
	return []*foldFilter{autoReplyStatementFilter(), awayStatementFilter(), autoReplySubjectFilter(), autoReplyAnywhereFilter(),
		awaySubjectFilter(), mobileFooterFilter(), foldClauses([][][]string{{{"", "x"}}, {{"a"}, {"b"}}})}
}

func TestFoldFilterScanIsSearch(t *testing.T) {
	var keys []string
	for _, f := range allFoldFilters() {
		if f.words == nil {
			t.Errorf("a filter of %d clauses has too many words to scan", len(f.clauses))
		}
		for _, c := range f.clauses {
			for _, words := range c {
				for _, w := range words {
					keys = append(keys, w, "x"+w+"y", w[:len(w)/2])
				}
				keys = append(keys, strings.Join(words, " "))
			}
		}
	}
	for _, text := range corpusTexts(t) {
		keys = append(keys, foldFields(text), fold.String(text))
	}
	for _, f := range allFoldFilters() {
		for _, k := range keys {
			if got, want := f.pass(k), f.passEach(k); got != want {
				t.Errorf("pass(%q) = %v, word by word %v", k, got, want)
			}
		}
	}
}

func FuzzFoldFilterPass(f *testing.F) {
	f.Add("ESTOY FUERA DE LA OFICINA")
	f.Add("I AM ON VACATION")
	f.Fuzz(func(t *testing.T, text string) {
		for _, k := range []string{text, foldFields(text)} {
			for _, f := range allFoldFilters() {
				if got, want := f.pass(k), f.passEach(k); got != want {
					t.Fatalf("pass(%q) = %v, word by word %v", k, got, want)
				}
			}
		}
	})
}
