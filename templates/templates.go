package templates

import (
	"bytes"
	"embed"
	"errors"
	"fmt"
	htmltemplate "html/template"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	texttemplate "text/template"
)

//go:embed mail
var embedded embed.FS

// Errors returned by Render, checked with errors.Is.
var (
	ErrUnknownLanguage = errors.New("templates: unknown language")
	ErrUnknownTemplate = errors.New("templates: unknown template")
)

// languages and names are the fixed sets every Set provides. Each name has,
// per language, a text file with a "subject" block and an HTML file.
var (
	languages = []string{"es", "en"}
	names     = []string{"ack", "agent_new", "agent_update", "agent_not_relayed", "reply", "agent_bounce", "attachment_dropped", "admin_auth_failed"}
)

// replyLines are the visible markers at the top of mails to requesters.
var replyLines = map[string]string{
	"es": "## Responda por encima de esta línea ##",
	"en": "## Please reply above this line ##",
}

// statusNames translate tickets.Status values; templates must not import
// tickets (imports point the other way), so the values are repeated here.
var statusNames = map[string]map[string]string{
	"es": {"new": "nuevo", "open": "abierto", "pending": "en espera de su respuesta", "resolved": "resuelto", "closed": "cerrado"},
	"en": {"new": "new", "open": "open", "pending": "waiting for the requester", "resolved": "resolved", "closed": "closed"},
}

const layoutFile = "layout.html"

// Data is everything a template may show. Package tickets fills it.
type Data struct {
	Desk           string // the desk's display name, e.g. "Mesa de ayuda"
	Token          string // the subject token, e.g. "[Soporte #1042]"
	Ticket         uint64 // the ticket number
	Subject        string // the ticket's subject, without token or "Re:"
	Requester      string // requester display (name, else address)
	RequesterEmail string // requester address
	// Author is who wrote the message shown; for agent-facing mails the
	// requester or a participant, as "Name <address>".
	Author string
	Text   string // the message text delivered or relayed (plain text, may be multi-line)
	Status string // a tickets.Status value ("new", "open", ...)
	// Unverified marks, in agent-facing mails, a message that claims to come
	// from an agent but whose sender could not be verified: it was not
	// relayed, and agents are warned that it may be forged.
	Unverified bool
	Tier       int    // the ticket's tier level
	TierName   string // the tier's display name
}

// Rendered is one rendered mail: a single-line subject and two bodies.
type Rendered struct {
	Subject string
	Text    string
	HTML    string
}

// Set holds every template, parsed, for every language. It is safe for
// concurrent use.
type Set struct {
	text map[string]*texttemplate.Template // key lang/name
	html map[string]*htmltemplate.Template // key lang/name
}

// Languages returns the supported language codes.
func Languages() []string { return slices.Clone(languages) }

// Names returns the names of the templates every language provides.
func Names() []string { return slices.Clone(names) }

// ReplyLine returns the visible reply marker that starts mails to
// requesters in lang, or "" for an unknown language. Quote stripping cuts a
// reply at this line.
func ReplyLine(lang string) string { return replyLines[lang] }

// New parses every template, embedded ones replaced by files of the same
// path under overrideDir ("" means embedded only), and checks each renders.
// Errors name the offending file.
func New(overrideDir string) (*Set, error) {
	src, err := newSource(overrideDir)
	if err != nil {
		return nil, err
	}
	s := &Set{
		text: make(map[string]*texttemplate.Template),
		html: make(map[string]*htmltemplate.Template),
	}
	layout, layoutName, err := src.read(layoutFile)
	if err != nil {
		return nil, err
	}
	for _, lang := range languages {
		for _, name := range names {
			key := lang + "/" + name
			tt, ttWhere, err := parseText(src, lang, name)
			if err != nil {
				return nil, err
			}
			ht, htWhere, err := parseHTML(src, lang, name, layout, layoutName)
			if err != nil {
				return nil, err
			}
			// Execution errors (a field that does not exist, a bad call, an
			// HTML escaping ambiguity) only show when a template runs: run
			// each once now rather than when a mail is being queued.
			var buf bytes.Buffer
			if err := tt.ExecuteTemplate(&buf, "subject", sampleData); err != nil {
				return nil, fmt.Errorf("templates: %s: %w", ttWhere, err)
			}
			if err := tt.Execute(&buf, sampleData); err != nil {
				return nil, fmt.Errorf("templates: %s: %w", ttWhere, err)
			}
			if err := ht.ExecuteTemplate(&buf, "layout", sampleData); err != nil {
				return nil, fmt.Errorf("templates: %s (layout %s): %w", htWhere, layoutName, err)
			}
			s.text[key], s.html[key] = tt, ht
		}
	}
	return s, nil
}

// sampleData exercises every field in New's trial render.
var sampleData = Data{
	Desk: "Desk", Token: "[Desk #1]", Ticket: 1, Subject: "Subject",
	Requester: "Requester", RequesterEmail: "requester@example.com",
	Author: "Author <author@example.com>", Text: "line 1\nline 2",
	Status: "new", Tier: 1, TierName: "Tier 1",
}

// Render renders template name in lang with data.
func (s *Set) Render(lang, name string, data Data) (Rendered, error) {
	if !slices.Contains(languages, lang) {
		return Rendered{}, fmt.Errorf("%w %q", ErrUnknownLanguage, lang)
	}
	key := lang + "/" + name
	tt, ok := s.text[key]
	if !ok {
		return Rendered{}, fmt.Errorf("%w %q", ErrUnknownTemplate, name)
	}
	var subj, text, html bytes.Buffer
	if err := tt.ExecuteTemplate(&subj, "subject", data); err != nil {
		return Rendered{}, fmt.Errorf("render %s subject: %w", key, err)
	}
	if err := tt.Execute(&text, data); err != nil {
		return Rendered{}, fmt.Errorf("render %s text: %w", key, err)
	}
	if err := s.html[key].ExecuteTemplate(&html, "layout", data); err != nil {
		return Rendered{}, fmt.Errorf("render %s html: %w", key, err)
	}
	return Rendered{
		Subject: oneLine(subj.String()),
		Text:    tidyBody(text.String()),
		HTML:    tidyBody(html.String()),
	}, nil
}

func parseText(src *source, lang, name string) (*texttemplate.Template, string, error) {
	file := lang + "/" + name + ".txt"
	body, where, err := src.read(file)
	if err != nil {
		return nil, "", err
	}
	t, err := texttemplate.New(name + ".txt").Funcs(textFuncs(lang)).Parse(body)
	if err != nil {
		return nil, "", fmt.Errorf("templates: parse %s: %w", where, err)
	}
	if t.Lookup("subject") == nil {
		return nil, "", fmt.Errorf(`templates: %s: no {{define "subject"}} block`, where)
	}
	return t, where, nil
}

func parseHTML(src *source, lang, name, layout, layoutName string) (*htmltemplate.Template, string, error) {
	file := lang + "/" + name + ".html"
	body, where, err := src.read(file)
	if err != nil {
		return nil, "", err
	}
	t, err := htmltemplate.New(layoutFile).Funcs(htmlFuncs(lang)).Parse(layout)
	if err != nil {
		return nil, "", fmt.Errorf("templates: parse %s: %w", layoutName, err)
	}
	if t.Lookup("layout") == nil {
		return nil, "", fmt.Errorf(`templates: %s: no {{define "layout"}} block`, layoutName)
	}
	if _, err := t.New(name + ".html").Parse(body); err != nil {
		return nil, "", fmt.Errorf("templates: parse %s: %w", where, err)
	}
	if t.Lookup("body") == nil {
		return nil, "", fmt.Errorf(`templates: %s: no {{define "body"}} block`, where)
	}
	return t, where, nil
}

func textFuncs(lang string) texttemplate.FuncMap {
	return texttemplate.FuncMap{
		"lang":      func() string { return lang },
		"replyLine": func() string { return replyLines[lang] },
		"status":    func(s string) string { return statusName(lang, s) },
		"quote":     quote,
	}
}

func htmlFuncs(lang string) htmltemplate.FuncMap {
	return htmltemplate.FuncMap{
		"lang":      func() string { return lang },
		"replyLine": func() string { return replyLines[lang] },
		"status":    func(s string) string { return statusName(lang, s) },
		"lines":     lines,
	}
}

func statusName(lang, status string) string {
	if n, ok := statusNames[lang][status]; ok {
		return n
	}
	return status
}

// quote prefixes every line of s with "> " (RFC 3676 style quoting).
func quote(s string) string {
	s = strings.TrimRight(normalizeNewlines(s), "\n")
	if s == "" {
		return ""
	}
	ls := strings.Split(s, "\n")
	for i, l := range ls {
		if l == "" {
			ls[i] = ">"
		} else {
			ls[i] = "> " + l
		}
	}
	return strings.Join(ls, "\n")
}

// lines escapes s and turns its line breaks into <br>, for element content.
// Not white-space: pre-wrap, which Outlook's Word engine ignores.
func lines(s string) htmltemplate.HTML {
	s = strings.TrimRight(normalizeNewlines(s), "\n")
	ls := strings.Split(s, "\n")
	for i, l := range ls {
		ls[i] = htmltemplate.HTMLEscapeString(l)
	}
	return htmltemplate.HTML(strings.Join(ls, "<br>\n"))
}

func normalizeNewlines(s string) string {
	s = strings.ReplaceAll(s, "\r\n", "\n")
	return strings.ReplaceAll(s, "\r", "\n")
}

// oneLine makes a header-safe subject: every run of white space, newlines
// included, becomes one space.
func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

// tidyBody drops leading blank lines and ends the body with one newline.
func tidyBody(s string) string {
	s = strings.TrimLeft(normalizeNewlines(s), "\n")
	return strings.TrimRight(s, " \t\n") + "\n"
}

// source reads template files, from the override directory when it holds
// the file, else from the embedded set.
type source struct {
	embedded fs.FS
	dir      string // "" when there are no overrides
}

func newSource(dir string) (*source, error) {
	sub, err := fs.Sub(embedded, "mail")
	if err != nil {
		return nil, err
	}
	src := &source{embedded: sub, dir: dir}
	if dir == "" {
		return src, nil
	}
	fi, err := os.Stat(dir)
	if err != nil {
		return nil, fmt.Errorf("templates: override directory: %w", err)
	}
	if !fi.IsDir() {
		return nil, fmt.Errorf("templates: override directory %s is not a directory", dir)
	}
	if err := src.checkOverrides(); err != nil {
		return nil, err
	}
	return src, nil
}

// checkOverrides reports template-like files in the override directory that
// would replace nothing (a misspelt name or language).
func (s *source) checkOverrides() error {
	return filepath.WalkDir(s.dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return fmt.Errorf("templates: override directory: %w", err)
		}
		if d.IsDir() || strings.HasPrefix(d.Name(), ".") {
			return nil
		}
		ext := path.Ext(d.Name())
		if ext != ".txt" && ext != ".html" {
			return nil
		}
		rel, err := filepath.Rel(s.dir, p)
		if err != nil {
			return err
		}
		if _, err := fs.Stat(s.embedded, filepath.ToSlash(rel)); err != nil {
			return fmt.Errorf("templates: override %s replaces no template (expected %s or <lang>/<name>%s with lang in %v and name in %v)",
				p, layoutFile, ext, languages, names)
		}
		return nil
	})
}

// read returns the file's text and a description of where it came from.
func (s *source) read(name string) (text, where string, err error) {
	if s.dir != "" {
		p := filepath.Join(s.dir, filepath.FromSlash(name))
		b, err := os.ReadFile(p)
		if err == nil {
			return string(b), p, nil
		}
		if !errors.Is(err, fs.ErrNotExist) {
			return "", "", fmt.Errorf("templates: read override: %w", err)
		}
	}
	b, err := fs.ReadFile(s.embedded, name)
	if err != nil {
		return "", "", fmt.Errorf("templates: embedded %s: %w", name, err)
	}
	return string(b), "embedded " + name, nil
}
