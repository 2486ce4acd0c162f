package templates

import (
	"bytes"
	"fmt"
	"io/fs"
	"slices"
	"strings"
	"sync"
	texttemplate "text/template"
)

// Language is a language the mails are written in: the name of a folder
// of mail/ ("es", "en"). Every word of a language is in its folder, so a
// new language is a new folder and nothing else.
type Language string

// languages are the folders of the embedded mail/ directory. New checks
// that each holds every template and every phrase.
var languages = must(languagesIn(mailFS()))

// languagesIn returns the languages of a tree laid out as mail/ is: its
// folders, in name order.
func languagesIn(base fs.FS) ([]Language, error) {
	entries, err := fs.ReadDir(base, ".")
	if err != nil {
		return nil, fmt.Errorf("templates: languages: %w", err)
	}
	var out []Language
	for _, e := range entries {
		if e.IsDir() {
			out = append(out, Language(e.Name()))
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("templates: no language folder")
	}
	return out, nil
}

// mailFS is the embedded mail/ directory.
func mailFS() fs.FS { return must(fs.Sub(embedded, "mail")) }

// must is for the embedded files only, which the tests check: an error is
// a broken build, not a condition to handle.
func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

// Languages returns the languages of the embedded templates.
func Languages() []Language { return slices.Clone(languages) }

// Known reports whether the embedded templates are written in l.
func (l Language) Known() bool { return slices.Contains(languages, l) }

// language is what a Set holds of one of its languages: its phrases file,
// parsed (phrases.go), its fixed words, and its stop words (stopwords.go).
type language struct {
	phrases   *texttemplate.Template
	words     words
	stopWords []string
}

// readLanguage returns lang's phrases, words and stop words from src: read
// now when src overrides either file, or tested is false (errors are New's
// to report); else read on first use, from the embedded files, which the
// tests check. A command uses one language or two of the embedded ones:
// reading the three at every start cost ~2.7 ms of the digest's CPU
// before it could open the database.
func readLanguage(src *source, lang Language, tested bool) (func() language, error) {
	p, embedded := embeddedPhrases[lang]
	if embedded && tested && !src.overrides(string(lang)+"/"+phrasesFile) && !src.overrides(string(lang)+"/"+stopWordsFile) {
		return sync.OnceValue(func() language {
			return language{phrases: p().t, words: p().w, stopWords: must(parseStopWords(src, lang))}
		}), nil
	}
	l := language{words: make(words)}
	var err error
	if l.phrases, err = parsePhrases(src, lang, l.words); err != nil {
		return nil, err
	}
	if l.stopWords, err = parseStopWords(src, lang); err != nil {
		return nil, err
	}
	return func() language { return l }, nil
}

// lang returns what the set holds of l, reading it on its first use; ok
// is false when the set has no language l.
func (s *Set) lang(l Language) (_ language, ok bool) {
	f, ok := s.langs[l]
	if !ok {
		return language{}, false
	}
	return f(), true
}

// Languages returns the languages of the set.
func (s *Set) Languages() []Language {
	var out []Language
	for l := range s.langs {
		out = append(out, l)
	}
	slices.Sort(out)
	return out
}

// wordNames are the fixed words every language defines in its phrases
// file besides the phrases: the reply line, the names of the values
// templates translate (status, priority, SLA clock), the rating labels
// (best first) and what ticketd writes when it has to name something
// itself.
var wordNames = []string{
	"reply_line",
	"status_new", "status_open", "status_pending", "status_resolved", "status_closed",
	"priority_low", "priority_normal", "priority_high", "priority_urgent",
	"type_incident", "type_request",
	"clock_first_response", "clock_resolution",
	"rate_5", "rate_4", "rate_3", "rate_2", "rate_1",
	"rating_subject", "no_subject", "desk_name",
}

// words are one language's fixed words, by name (wordNames).
type words map[string]string

// translate returns the word for value v of a kind ("status", "priority",
// "type", "clock"); v itself when the language has no word for it.
func (w words) translate(kind, v string) string {
	if s, ok := w[kind+"_"+v]; ok {
		return s
	}
	return v
}

// rateLabels are the five rating labels, best first.
func (w words) rateLabels() []string {
	return []string{w["rate_5"], w["rate_4"], w["rate_3"], w["rate_2"], w["rate_1"]}
}

// readWords runs the word definitions of a parsed phrases file into w.
func readWords(t *texttemplate.Template, where string, w words) error {
	for _, name := range wordNames {
		if t.Lookup(name) == nil {
			return fmt.Errorf(`templates: %s: no {{define %q}}`, where, name)
		}
		var b bytes.Buffer
		if err := t.ExecuteTemplate(&b, name, nil); err != nil {
			return fmt.Errorf("templates: %s: %w", where, err)
		}
		w[name] = oneLine(b.String())
	}
	return nil
}

// Word returns a fixed word of lang (one of wordNames, without the value
// kinds: "reply_line", "rating_subject", "no_subject", "desk_name") as the
// set's templates say it; "" for an unknown language.
func (s *Set) Word(lang Language, name string) string {
	l, _ := s.lang(lang)
	return l.words[name]
}

// ReplyLine returns the visible reply marker that starts mails to
// requesters in lang with this set's templates, or "" for an unknown
// language. Quote stripping cuts a reply at this line.
func (s *Set) ReplyLine(lang Language) string { return s.Word(lang, "reply_line") }

// parsedPhrases is one language's phrases file, parsed, and its words.
type parsedPhrases struct {
	t *texttemplate.Template
	w words
}

// embeddedPhrases are the embedded templates' phrases, each language's
// parsed on its first use and shared by every Set without an override of
// it: New asks for every language's words, and a phrases file costs a
// template parse (the desk's name and the reply line, asked for at every
// start, need none: plainWord). Both the template and the words are only
// read once parsed.
var embeddedPhrases = func() map[Language]func() parsedPhrases {
	all := make(map[Language]func() parsedPhrases, len(languages))
	for _, lang := range languages {
		all[lang] = sync.OnceValue(func() parsedPhrases {
			w := make(words)
			t := must(parsePhrases(must(newSource(mailFS(), "")), lang, w))
			return parsedPhrases{t, w}
		})
	}
	return all
}()

// embeddedWord returns the word name of the embedded templates in lang, or
// "" for an unknown language. A word written as plain text is read from
// its definition alone: the configuration asks for the desk's name at
// every command's start, and parsing and checking the whole phrases file
// for it cost about a millisecond of a 30 ms command.
func embeddedWord(lang Language, name string) string {
	p, ok := embeddedPhrases[lang]
	if !ok {
		return ""
	}
	if w, ok := plainWord(lang, name); ok {
		return w
	}
	return p().w[name]
}

// plainWord returns the word name of lang's embedded phrases file when
// the file defines it as plain text (plainDefinition); ok is false when
// only the parsed file says. TestPlainWordMatchesParsed checks it against
// the parse for every word.
func plainWord(lang Language, name string) (w string, ok bool) {
	body, err := fs.ReadFile(embedded, "mail/"+string(lang)+"/"+phrasesFile)
	if err != nil {
		return "", false
	}
	return plainDefinition(string(body), name)
}

// plainDefinition returns what {{define name}} renders to in a phrases
// file, one line, when the file names name once and its definition is
// plain text, which a template renders as it is. ok is false for
// definitions with actions, comments or trim markers, and for names
// defined twice or used elsewhere.
func plainDefinition(body, name string) (w string, ok bool) {
	quoted := `"` + name + `"`
	before, rest, found := strings.Cut(body, "{{define "+quoted+"}}")
	if !found || strings.Contains(before, quoted) || strings.Contains(rest, quoted) {
		return "", false
	}
	text, _, found := strings.Cut(rest, "{{end}}")
	if !found || strings.Contains(text, "{{") {
		return "", false
	}
	return oneLine(text), true
}

// ReplyLine returns the reply marker of the embedded templates in lang, or
// "" for an unknown language.
func ReplyLine(lang Language) string { return embeddedWord(lang, "reply_line") }

// DeskName returns the embedded templates' name for a desk that was given
// none, in lang ("" for an unknown language).
func DeskName(lang Language) string { return embeddedWord(lang, "desk_name") }
