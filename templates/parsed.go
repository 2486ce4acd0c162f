package templates

import (
	"bytes"
	"fmt"
	htmltemplate "html/template"
	"sync"
	texttemplate "text/template"
	"text/template/parse"
)

// entry is one template of one language, parsed and trial-rendered when
// first needed rather than by New.
//
// Parsing every template of every language (text and HTML, with the
// layout) and running each once cost some 40 ms of CPU and 7.6 MB of
// allocations (BenchmarkNew), paid by every ticketd run, once and digest
// before they did anything. A template whose files are all embedded
// cannot fail at run time (the tests parse and render each one,
// TestRenderMatchesReference), so it waits for its first mail; one whose
// file comes from the override directory is still checked by New, so an
// admin's mistake stops the start with the file's name, as before.
//
// The halves are separate because StripOwnPrefix needs only the text
// templates' subjects.
type entry struct {
	lang Language
	name Name
	key  string // lang/name, for errors

	textOnce sync.Once
	text     textHalf
	htmlOnce sync.Once
	html     htmlHalf
}

// textHalf is a template's parsed text file: the whole body and its
// subject block, looked up once rather than by name on every mail.
type textHalf struct {
	all, subject *texttemplate.Template
	// The same compiled (compiled.go); nil where a tree was not.
	fastAll, fastSubject program
	err                  error
}

// htmlHalf is a template's parsed HTML file with the layout.
type htmlHalf struct {
	all, layout *htmltemplate.Template
	fastLayout  program // compiled (compiled.go); nil if it was not
	err         error
}

// textOf parses and trial-renders e's text file, once.
func (s *Set) textOf(e *entry) textHalf {
	e.textOnce.Do(func() { e.text = s.parseTextHalf(e) })
	return e.text
}

// htmlOf parses and trial-renders e's HTML file with the layout, once.
func (s *Set) htmlOf(e *entry) htmlHalf {
	e.htmlOnce.Do(func() { e.html = s.parseHTMLHalf(e) })
	return e.html
}

// Execution errors (a field that does not exist, a bad call, an HTML
// escaping ambiguity) only show when a template runs: each half is run
// once with sampleData as it is parsed, so they show at New for an
// override rather than when a mail is being queued.

// wordsOf returns the fixed words of e's language.
func (s *Set) wordsOf(e *entry) words {
	l, _ := s.lang(e.lang)
	return l.words
}

func (s *Set) parseTextHalf(e *entry) textHalf {
	tt, where, err := parseText(s.src, e.lang, e.name, s.wordsOf(e))
	if err != nil {
		return textHalf{err: err}
	}
	var buf bytes.Buffer
	if err := tt.ExecuteTemplate(&buf, "subject", sampleData); err != nil {
		return textHalf{err: fmt.Errorf("templates: %s: %w", where, err)}
	}
	if err := tt.Execute(&buf, sampleData); err != nil {
		return textHalf{err: fmt.Errorf("templates: %s: %w", where, err)}
	}
	h := textHalf{all: tt, subject: tt.Lookup("subject")}
	funcs, tree := textFuncs(e.lang, s.wordsOf(e)), func(name string) *parse.Tree { return treeOf(tt.Lookup(name)) }
	h.fastAll, h.fastSubject = compileProgram(tt.Tree, funcs, tree), compileProgram(treeOf(h.subject), funcs, tree)
	return h
}

func (s *Set) parseHTMLHalf(e *entry) htmlHalf {
	ht, where, err := parseHTML(s.src, e.lang, e.name, s.layout, s.layoutName, s.wordsOf(e))
	if err != nil {
		return htmlHalf{err: err}
	}
	var buf bytes.Buffer
	if err := ht.ExecuteTemplate(&buf, "layout", sampleData); err != nil {
		return htmlHalf{err: fmt.Errorf("templates: %s (layout %s): %w", where, s.layoutName, err)}
	}
	h := htmlHalf{all: ht, layout: ht.Lookup("layout")}
	// Compiled after the trial render: html/template escapes the trees
	// (adds its escapers to every action) when a template first runs.
	h.fastLayout = compileProgram(treeOfHTML(h.layout), htmlFuncs(e.lang, s.wordsOf(e)),
		func(name string) *parse.Tree { return treeOfHTML(ht.Lookup(name)) })
	return h
}

func treeOf(t *texttemplate.Template) *parse.Tree {
	if t == nil {
		return nil
	}
	return t.Tree
}

func treeOfHTML(t *htmltemplate.Template) *parse.Tree {
	if t == nil {
		return nil
	}
	return t.Tree
}

// check parses and trial-renders e now, for New: both halves, the text
// first (as New always did, so the first error is the same one).
func (s *Set) check(e *entry) error {
	if err := s.textOf(e).err; err != nil {
		return err
	}
	return s.htmlOf(e).err
}

// Prepare parses, trial-renders and compiles template name of lang now,
// as its first Render would: for a caller with a core to spare before it
// renders, such as a digest command that reads its figures meanwhile.
// Render waits for a Prepare in progress rather than parse again.
func (s *Set) Prepare(lang Language, name Name) error {
	e, ok := s.entries[templateKey{lang, name}]
	if !ok {
		return fmt.Errorf("%w %q in %q", ErrUnknownTemplate, name, lang)
	}
	return s.check(e)
}
