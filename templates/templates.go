package templates

import (
	"bytes"
	"embed"
	"errors"
	"fmt"
	htmltemplate "html/template"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"
	"sync"
	texttemplate "text/template"
	"unicode"
	"unicode/utf8"

	"github.com/ticketd/ticketd/internal/textfields"
)

//go:embed mail
var embedded embed.FS

// Errors returned by Render, checked with errors.Is.
var (
	ErrUnknownLanguage = errors.New("templates: unknown language")
	ErrUnknownTemplate = errors.New("templates: unknown template")
)

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
	Priority   string // a tiers.Priority value ("low", "normal", "high", "urgent")
	// Type is a tiers.Type value ("incident", "request"); Category the
	// ticket's category, "" for none. Targets are the first-response and
	// resolution targets of the ticket's tier for its type and priority,
	// formatted ("" when unknown).
	Type                                  string
	Category                              string
	FirstResponseTarget, ResolutionTarget string

	// For SLA and escalation mails:
	Reason       string // why it happened (a breach, an agent's words)
	History      string // the conversation so far, for a new tier or a vendor
	Clock        string // "first_response" or "resolution"
	Left         string // time left before a breach, e.g. "15m"
	FromTierName string // the tier the ticket left
	FromQueue    string // the queue (display name) the ticket left (queue_moved)
	VendorRef    string // the vendor's own ticket number, when known

	Digest      *Digest       // for the managers' digest only
	AgentDigest *AgentMorning // for an agent's morning mail only (agentdigest.go)

	DeskAddress string        // the support address (mailto: links)
	Problems    []string      // command lines an agent got wrong, with why
	Articles    []ArticleLine // knowledge-base suggestions in an acknowledgement
	RateLinks   []string      // mailto: links rating 5, 4, 3, 2, 1
	Rating      int           // a requester's rating, 1–5
	Tickets     []TicketLine  // a requester's open tickets (status reply)
	// Addresses and Code: people a mail in the requester's name copied,
	// and the code a reply must carry to add them (participant_confirm).
	Addresses []string
	Code      string
	// Resolved are a requester's resolved tickets that a reply still
	// reopens (status reply); their Age is the time since resolution.
	Resolved []TicketLine
	// Linked are the tickets this one is linked to (a new ticket opened by
	// mail on a closed one names it to the agents).
	Linked []TicketLine
	// Related is the other ticket a merge or a problem names: the ticket a
	// merged conversation continues in, or the incident whose new mail a
	// problem's agents are shown.
	Related TicketLine
	// Incoming: in the admins' login alert, the failing login is the one
	// that reads incoming mail (IMAP), not the one that sends it.
	Incoming bool
}

// RequesterAddress is the requester as "Name <address>", or the bare
// address when they have no name (never "a@x <a@x>").
func (d Data) RequesterAddress() string {
	if d.Requester == "" || d.Requester == d.RequesterEmail {
		return d.RequesterEmail
	}
	return d.Requester + " <" + d.RequesterEmail + ">"
}

// ArticleLine is a knowledge-base article offered to a requester.
type ArticleLine struct {
	N     int // its number in the list, for "#resuelto N"
	Title string
	Text  string
}

// Digest is the managers' summary of a period.
type Digest struct {
	From, To string // the period, formatted in the desk's time zone
	// Empty is true when nothing happened and nothing is open.
	Empty                                    bool
	New, Resolved, Escalated, Breaches, Open int
	EscalatedByTier                          []Count
	EscalatedTickets, BreachedTickets        []TicketLine
	Backlog                                  []BacklogRow
	Oldest                                   []TicketLine // the oldest open tickets
	// Medians of the period ("" when there were none) and satisfaction.
	MedianFirstResponse, MedianResolution string
	Satisfaction                          string
	// ByType and ByCategory break the period down by ticket type and by
	// category (none: only when some ticket has one).
	ByType     []KindRow
	ByCategory []KindRow
	// DigestCharts: the period's kind, the previous period's figures,
	// SLA compliance, the charts with their numbers, per-agent figures
	// (digest_types.go).
	DigestCharts
}

// KindRow is the figures of one ticket type or category: Kind is a
// tiers.Type value ("incident", "request") or a category's name ("" :
// none). New and Resolved count the period, Open the tickets open now;
// the medians are of the period ("" when none).
type KindRow struct {
	Kind                                  string
	New, Resolved, Open                   int
	MedianFirstResponse, MedianResolution string
}

// Count is a labelled number.
type Count struct {
	Label string
	N     int
}

// BacklogRow is one tier's open tickets by status; Bar is its share of the
// largest tier, 0–30, for the chart.
type BacklogRow struct {
	Tier                           string
	New, Open, Pending, Total, Bar int
}

// TicketLine is one ticket in a list.
type TicketLine struct {
	Ticket                           uint64
	Token, Subject, Status, Priority string
	Tier                             int
	Age                              string
}

// Rendered is one rendered mail: a single-line subject and two bodies.
type Rendered struct {
	Subject string
	Text    string
	HTML    string
}

// Set holds every template for every language. It is safe for concurrent
// use.
type Set struct {
	// entries are the templates by language and name, each parsed on
	// first use or by New (parsed.go).
	entries map[templateKey]*entry
	// src, layout and layoutName are what entries are parsed from.
	src                *source
	layout, layoutName string
	// prefixes match the words the templates put before a ticket's
	// subject, in every language, built on first use (prefixes.go).
	prefixes func() ownPrefix
	// embeddedOnly: every file is the embedded one (the prefixes are
	// then embeddedPrefixWords).
	embeddedOnly bool
	// langs are the set's languages, each read on first use (an embedded
	// one) or by New (one with an overridden file): language.go.
	langs map[Language]func() language
}

// New reads every template, embedded ones replaced by files of the same
// path under overrideDir ("" means embedded only), and checks that each
// override parses and renders; errors name the offending file. The
// embedded templates, which the tests check, are parsed when first
// rendered.
func New(overrideDir string) (*Set, error) {
	return newSet(mailFS(), overrideDir, true)
}

// newSet builds a Set from base, a tree laid out as mail/ is, with the
// files of overrideDir replacing base's. Its languages are base's folders.
// With tested, base is the embedded tree: a template none of whose files
// is overridden is parsed on first use, and a language whose phrases and
// stop words are not overridden is read on first use, its phrases shared
// with every such set (embeddedPhrases); otherwise newSet parses and
// trial-renders everything now.
func newSet(base fs.FS, overrideDir string, tested bool) (*Set, error) {
	src, err := newSource(base, overrideDir)
	if err != nil {
		return nil, err
	}
	langs, err := languagesIn(base)
	if err != nil {
		return nil, err
	}
	s := &Set{
		entries: make(map[templateKey]*entry),
		src:     src,
		langs:   make(map[Language]func() language, len(langs)),
	}
	for _, lang := range langs {
		if s.langs[lang], err = readLanguage(src, lang, tested); err != nil {
			return nil, err
		}
	}
	if s.layout, s.layoutName, err = src.read(layoutFile); err != nil {
		return nil, err
	}
	for _, lang := range langs {
		for _, name := range names {
			key := string(lang) + "/" + string(name)
			e := &entry{lang: lang, name: name, key: key}
			s.entries[templateKey{lang, name}] = e
			if tested && !src.overrides(layoutFile) && !src.overrides(key+".txt") && !src.overrides(key+".html") {
				continue
			}
			if err := s.check(e); err != nil {
				return nil, err
			}
		}
	}
	s.embeddedOnly = tested && len(src.overridden) == 0
	s.prefixes = sync.OnceValue(s.ownPrefixes)
	return s, nil
}

// sampleData exercises every field in New's trial render.
var sampleData = Data{
	Desk: "Desk", Token: "[Desk #1]", Ticket: 1, Subject: "Subject",
	Requester: "Requester", RequesterEmail: "requester@example.com",
	Author: "Author <author@example.com>", Text: "line 1\nline 2",
	Status: "new", Tier: 1, TierName: "Tier 1", Priority: "high",
	Reason: "first_response target 30m breached at tier 1", History: "--- 2026-01-01 09:00 · Requester\nhelp",
	Clock: "first_response", Left: "15m", FromTierName: "Tier 1", FromQueue: "Soporte", VendorRef: "8812",
	Digest: &Digest{From: "2026-01-01 08:00", To: "2026-01-02 08:00", New: 2, Resolved: 1, Escalated: 1, Breaches: 1, Open: 1,
		EscalatedByTier:     []Count{{"Tier 2", 1}},
		EscalatedTickets:    []TicketLine{{Ticket: 1, Token: "[Desk #1]", Subject: "S", Status: "open", Priority: "high", Tier: 2, Age: "1d"}},
		BreachedTickets:     []TicketLine{{Ticket: 1, Token: "[Desk #1]", Subject: "S", Status: "open", Priority: "high", Tier: 2, Age: "1d"}},
		Backlog:             []BacklogRow{{Tier: "Tier 1", New: 1, Total: 1, Bar: 30}},
		Oldest:              []TicketLine{{Ticket: 1, Token: "[Desk #1]", Subject: "S", Status: "open", Priority: "high", Tier: 2, Age: "1d"}},
		MedianFirstResponse: "1h", MedianResolution: "1d", Satisfaction: "4.5 / 5 (2)",
		DigestCharts: sampleCharts},
	DeskAddress: "desk@example.com", Problems: []string{"#asignar: needs an agent's address, or me"},
	Articles:  []ArticleLine{{N: 1, Title: "Printer", Text: "Restart it."}},
	RateLinks: []string{"mailto:desk@example.com?subject=5", "mailto:desk@example.com?subject=4", "mailto:desk@example.com?subject=3", "mailto:desk@example.com?subject=2", "mailto:desk@example.com?subject=1"},
	Rating:    2,
	Tickets:   []TicketLine{{Ticket: 1, Token: "[Desk #1]", Subject: "S", Status: "open", Priority: "high", Tier: 1, Age: "1d"}},
	Resolved:  []TicketLine{{Ticket: 2, Token: "[Desk #2]", Subject: "T", Status: "resolved", Priority: "normal", Tier: 1, Age: "2h"}},
	Linked:    []TicketLine{{Ticket: 1, Token: "[Desk #1]", Subject: "S", Status: "closed", Priority: "high", Tier: 1, Age: "1d"}},
	Related:   TicketLine{Ticket: 2, Token: "[Desk #2]", Subject: "T", Status: "open", Priority: "normal", Tier: 1, Age: "1h"},
}

// Render renders template name in lang with data.
func (s *Set) Render(lang Language, name Name, data Data) (Rendered, error) {
	var r Rendered
	err := s.RenderFunc(lang, name, data, func(subject string, text, html []byte) error {
		r = Rendered{Subject: subject, Text: string(text), HTML: string(html)}
		return nil
	})
	return r, err
}

// RenderFunc renders as Render does and hands the result to use rather
// than returning it: the text and the HTML are bytes of reused buffers,
// valid only until use returns. For a caller that adds to the bodies
// before keeping them (tickets' reference line), which would otherwise
// copy each body twice. use's error is RenderFunc's.
func (s *Set) RenderFunc(lang Language, name Name, data Data, use func(subject string, text, html []byte) error) error {
	if _, ok := s.langs[lang]; !ok {
		return fmt.Errorf("%w %q", ErrUnknownLanguage, lang)
	}
	e, ok := s.entries[templateKey{lang, name}]
	if !ok {
		return fmt.Errorf("%w %q", ErrUnknownTemplate, name)
	}
	key := e.key
	tt, ht := s.textOf(e), s.htmlOf(e)
	if tt.err != nil {
		return tt.err
	}
	if ht.err != nil {
		return ht.err
	}
	bufs := renderBuffers.Get().(*[3]bytes.Buffer)
	defer putRenderBuffers(bufs)
	subj, text, html := &bufs[0], &bufs[1], &bufs[2]
	subj.Reset()
	text.Reset()
	html.Reset()
	// A pointer: the templates read the same fields and methods, and
	// each execution does not copy Data into an interface of its own.
	if err := run(tt.fastSubject, tt.subject, subj, &data); err != nil {
		return fmt.Errorf("render %s subject: %w", key, err)
	}
	if err := run(tt.fastAll, tt.all, text, &data); err != nil {
		return fmt.Errorf("render %s text: %w", key, err)
	}
	if err := run(ht.fastLayout, ht.layout, html, &data); err != nil {
		return fmt.Errorf("render %s html: %w", key, err)
	}
	return use(oneLineBytes(subj.Bytes()), tidyBodyInPlace(text.Bytes()), tidyBodyInPlace(html.Bytes()))
}

// templateKey names one template of one language.
type templateKey struct {
	lang Language
	name Name
}

// executor is a text or an HTML template.
type executor interface {
	Execute(w io.Writer, data any) error
}

// run renders data into w with the compiled program when there is one
// and it can, else with the template.
func run(p program, t executor, w *bytes.Buffer, data *Data) error {
	if p != nil {
		err := p(w, data)
		if !errors.Is(err, errFallback) {
			return err
		}
		w.Reset()
	}
	return t.Execute(w, data)
}

// renderBuffers are Render's three output buffers, reused: a mail's
// bodies are a few kilobytes, grown once rather than on every mail.
var renderBuffers = sync.Pool{New: func() any { return new([3]bytes.Buffer) }}

// maxPooledBuffer bounds what a pooled buffer keeps: a huge mail (a
// digest) does not pin its memory.
const maxPooledBuffer = 64 << 10

func putRenderBuffers(bufs *[3]bytes.Buffer) {
	for i := range bufs {
		if bufs[i].Cap() > maxPooledBuffer {
			return
		}
	}
	renderBuffers.Put(bufs)
}

// oneLineBytes is oneLine of b, in one string.
func oneLineBytes(b []byte) string {
	var out strings.Builder
	out.Grow(len(b))
	space := false // white space since the last word
	for i := 0; i < len(b); {
		r, size := rune(b[i]), 1
		if r >= utf8.RuneSelf {
			r, size = utf8.DecodeRune(b[i:])
		}
		if unicode.IsSpace(r) { // as strings.Fields splits
			space = out.Len() > 0
		} else {
			if space {
				out.WriteByte(' ')
				space = false
			}
			out.Write(b[i : i+size]) // an invalid byte as it is
		}
		i += size
	}
	return out.String()
}

// tidyBodyInPlace is tidyBody of b, in b's own memory where it can (b is
// a render buffer's): the string tidyBody takes and the two it makes are
// left to the caller's one copy.
func tidyBodyInPlace(b []byte) []byte {
	if bytes.IndexByte(b, '\r') >= 0 {
		return []byte(tidyBody(string(b)))
	}
	b = bytes.TrimLeft(b, "\n")
	b = bytes.TrimRight(b, " \t\n")
	return append(b, '\n') // over the first byte trimmed, if any
}

func parseText(src *source, lang Language, name Name, w words) (*texttemplate.Template, string, error) {
	file := string(lang) + "/" + string(name) + ".txt"
	body, where, err := src.read(file)
	if err != nil {
		return nil, "", err
	}
	t, err := texttemplate.New(string(name) + ".txt").Funcs(textFuncs(lang, w)).Parse(body)
	if err != nil {
		return nil, "", fmt.Errorf("templates: parse %s: %w", where, err)
	}
	if t.Lookup("subject") == nil {
		return nil, "", fmt.Errorf(`templates: %s: no {{define "subject"}} block`, where)
	}
	return t, where, nil
}

func parseHTML(src *source, lang Language, name Name, layout, layoutName string, w words) (*htmltemplate.Template, string, error) {
	file := string(lang) + "/" + string(name) + ".html"
	body, where, err := src.read(file)
	if err != nil {
		return nil, "", err
	}
	t, err := htmltemplate.New(layoutFile).Funcs(htmlFuncs(lang, w)).Parse(layout)
	if err != nil {
		return nil, "", fmt.Errorf("templates: parse %s: %w", layoutName, err)
	}
	if t.Lookup("layout") == nil {
		return nil, "", fmt.Errorf(`templates: %s: no {{define "layout"}} block`, layoutName)
	}
	if _, err := t.New(string(name) + ".html").Parse(body); err != nil {
		return nil, "", fmt.Errorf("templates: parse %s: %w", where, err)
	}
	if t.Lookup("body") == nil {
		return nil, "", fmt.Errorf(`templates: %s: no {{define "body"}} block`, where)
	}
	return t, where, nil
}

// commonFuncs are the functions both the text and the HTML templates of
// lang may call; the words they use come from the language's phrases file.
func commonFuncs(lang Language, w words) map[string]any {
	return map[string]any{
		"lang":      func() string { return string(lang) },
		"replyLine": func() string { return w["reply_line"] },
		"status":    func(s string) string { return w.translate("status", s) },
		"priority":  func(s string) string { return w.translate("priority", s) },
		// ticketType names a tiers.Type value ("" reads as incident).
		"ticketType": func(s string) string { return w.translate("type", or(s, "incident")) },
		"clock":      func(s string) string { return w.translate("clock", s) },
		"rateScale":  func() string { return strings.Join(w.rateLabels(), ", ") },
	}
}

// textFuncs are commonFuncs and the text templates' own.
func textFuncs(lang Language, w words) texttemplate.FuncMap {
	f := texttemplate.FuncMap(commonFuncs(lang, w))
	f["bar"] = func(n int) string { return strings.Repeat("█", n) }
	f["quote"] = quote
	return f
}

// htmlFuncs are commonFuncs and the HTML templates' own.
func htmlFuncs(lang Language, w words) htmltemplate.FuncMap {
	f := htmltemplate.FuncMap(commonFuncs(lang, w))
	f["px"] = func(n int) int { return n * 10 }
	f["rateWord"] = func(i int) string { return w.rateLabels()[min(max(i, 0), 4)] }
	f["lines"] = lines
	return f
}

// quote prefixes every line of s with "> " (RFC 3676 style quoting).
func quote(s string) string {
	s = strings.TrimRight(normalizeNewlines(s), "\n")
	if s == "" {
		return ""
	}
	// One string built: a split, a string per line and a join made
	// three allocations and more on every reply quoted.
	var b strings.Builder
	b.Grow(len(s) + 2*(strings.Count(s, "\n")+1))
	for l := range strings.SplitSeq(s, "\n") {
		if b.Len() > 0 { // not the first line: it wrote at least ">"
			b.WriteByte('\n')
		}
		if l == "" {
			b.WriteByte('>')
		} else {
			b.WriteString("> ")
			b.WriteString(l)
		}
	}
	return b.String()
}

// lines escapes s and turns its line breaks into <br>, for element content.
// Not white-space: pre-wrap, which Outlook's Word engine ignores.
func lines(s string) htmltemplate.HTML {
	s = strings.TrimRight(normalizeNewlines(s), "\n")
	var b strings.Builder
	b.Grow(len(s) + len("<br>")*strings.Count(s, "\n"))
	first := true
	for l := range strings.SplitSeq(s, "\n") {
		if !first {
			b.WriteString("<br>\n")
		}
		first = false
		b.WriteString(htmltemplate.HTMLEscapeString(l)) // l itself when nothing needs escaping
	}
	return htmltemplate.HTML(b.String())
}

func normalizeNewlines(s string) string {
	s = strings.ReplaceAll(s, "\r\n", "\n")
	return strings.ReplaceAll(s, "\r", "\n")
}

// oneLine makes a header-safe subject: every run of white space, newlines
// included, becomes one space.
func oneLine(s string) string { return textfields.Join(s) }

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
	// overridden are the paths (as in embedded) that dir replaces.
	overridden map[string]bool
}

func newSource(base fs.FS, dir string) (*source, error) {
	src := &source{embedded: base, dir: dir, overridden: map[string]bool{}}
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
				p, layoutFile, ext, Languages(), names)
		}
		s.overridden[filepath.ToSlash(rel)] = true
		return nil
	})
}

// overrides reports whether the override directory replaces the file name
// (a path as in the embedded tree).
func (s *source) overrides(name string) bool { return s.overridden[name] }

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

func or(s, def string) string {
	if s == "" {
		return def
	}
	return s
}
