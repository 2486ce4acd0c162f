package mailparse

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/net/html"
)

// htmlToText renders an HTML body as plain text for people to read: the
// contents of scripts, styles and titles are dropped, entities decoded,
// block elements become line breaks (paragraphs a blank line), list items
// start with "- ", and a link keeps its target after its text ("text
// (https://...)") unless the text already is the target. Whitespace is
// collapsed outside <pre>.
func htmlToText(src string) string {
	z := html.NewTokenizer(strings.NewReader(src))
	var w textWriter
	skip := 0 // depth inside elements whose text is not content
	pre := 0
	type openLink struct {
		href  string
		start int
	}
	var links []openLink
	// divs records, for each open <div>, whether it is a quote
	// container (see quoteContainer).
	var divs []bool

	for {
		tt := z.Next()
		switch tt {
		case html.ErrorToken:
			// io.EOF or a tokenizer error: either way, what we have is
			// the text.
			return strings.TrimSpace(w.b.String())

		case html.TextToken:
			if skip == 0 {
				w.text(string(z.Text()), pre > 0)
			}

		case html.StartTagToken, html.SelfClosingTagToken:
			name, hasAttr := z.TagName()
			tag := string(name)
			selfClosing := tt == html.SelfClosingTagToken
			switch tag {
			case "script", "style", "title", "noscript", "template", "xml", "svg", "object":
				if !selfClosing {
					skip++
				}
			case "body":
				// Whatever was left open before the body is not content.
				skip = 0
			case "br":
				w.lineBreak()
			case "blockquote":
				w.ensureNewlines(2)
				if !selfClosing {
					w.quote++
				}
			case "div":
				w.ensureNewlines(1)
				if selfClosing {
					break
				}
				var id, class string
				for hasAttr {
					var k, v []byte
					k, v, hasAttr = z.TagAttr()
					switch string(k) {
					case "id":
						id = string(v)
					case "class":
						class = string(v)
					}
				}
				inside, rest := quoteContainer(id, class)
				if rest && !w.quoteRest {
					w.quoteRest = true
					w.quote++
				}
				divs = append(divs, inside)
				if inside {
					w.quote++
				}
			case "tr", "dt", "dd", "address", "center", "header", "footer",
				"section", "article", "aside", "nav", "main", "figure", "caption":
				w.ensureNewlines(1)
			case "p", "h1", "h2", "h3", "h4", "h5", "h6", "table",
				"ul", "ol", "dl", "form", "fieldset":
				w.ensureNewlines(2)
			case "pre":
				w.ensureNewlines(2)
				if !selfClosing {
					pre++
				}
			case "li":
				w.ensureNewlines(1)
				w.raw("- ")
			case "hr":
				w.ensureNewlines(1)
				w.raw("----")
				w.ensureNewlines(1)
			case "td", "th":
				w.space = true
			case "a":
				if selfClosing {
					break
				}
				href := ""
				for hasAttr {
					var k, v []byte
					k, v, hasAttr = z.TagAttr()
					if string(k) == "href" {
						href = strings.TrimSpace(string(v))
					}
				}
				links = append(links, openLink{href: href, start: w.b.Len()})
			}

		case html.EndTagToken:
			name, _ := z.TagName()
			switch tag := string(name); tag {
			case "script", "style", "title", "noscript", "template", "xml", "svg", "object":
				if skip > 0 {
					skip--
				}
			case "div":
				w.ensureNewlines(1)
				if n := len(divs); n > 0 {
					if divs[n-1] && w.quote > 0 {
						w.quote--
					}
					divs = divs[:n-1]
				}
			case "blockquote":
				w.ensureNewlines(2)
				if w.quote > 0 {
					w.quote--
				}
			case "tr", "dt", "dd", "address", "center", "header", "footer",
				"section", "article", "aside", "nav", "main", "figure", "caption", "li":
				w.ensureNewlines(1)
			case "p", "h1", "h2", "h3", "h4", "h5", "h6", "table",
				"ul", "ol", "dl", "form", "fieldset":
				w.ensureNewlines(2)
			case "pre":
				if pre > 0 {
					pre--
				}
				w.ensureNewlines(2)
			case "td", "th":
				w.space = true
			case "a":
				if len(links) == 0 {
					break
				}
				l := links[len(links)-1]
				links = links[:len(links)-1]
				if target := linkTarget(l.href); target != "" && skip == 0 {
					label := strings.TrimSpace(w.b.String()[l.start:])
					if !sameLink(label, target) {
						if label == "" {
							w.text(target, false)
						} else {
							w.text(" ("+target+")", false)
						}
					}
				}
			}
		}
	}
}

// linkTarget returns the href worth showing to a reader: web and mail
// links only (no javascript:, cid: or in-page anchors).
func linkTarget(href string) string {
	l := strings.ToLower(href)
	if strings.HasPrefix(l, "http://") || strings.HasPrefix(l, "https://") || strings.HasPrefix(l, "mailto:") {
		return href
	}
	return ""
}

// sameLink reports whether a link's text already shows its target.
func sameLink(label, target string) bool {
	norm := func(s string) string {
		s = strings.ToLower(strings.TrimSpace(s))
		s = strings.TrimPrefix(s, "mailto:")
		s = strings.TrimPrefix(s, "https://")
		s = strings.TrimPrefix(s, "http://")
		return strings.TrimSuffix(s, "/")
	}
	return norm(label) == norm(target)
}

// quoteContainer reports whether a <div> holds quoted history (inside)
// or starts it, the rest of the document being the quoted mail (rest):
// Gmail's and Yahoo's quote containers, Zoho's, Proton's; Outlook's
// reply header (divRplyFwdMsg, appendonsend) with the original after it.
func quoteContainer(id, class string) (inside, rest bool) {
	for _, c := range strings.Fields(class) {
		switch c {
		case "gmail_quote", "yahoo_quoted", "zmail_extra", "protonmail_quote", "OutlookMessageHeader":
			inside = true
		}
	}
	switch strings.TrimPrefix(id, "x_") {
	case "divRplyFwdMsg", "appendonsend", "OLK_SRC_BODY_SECTION", "mail-editor-reference-message-container":
		rest = true
	}
	return inside, rest
}

// textWriter accumulates rendered text, collapsing whitespace and
// counting the newlines at its end so block elements never stack more
// than one blank line. Lines written inside a quote start with "> ",
// once per level.
type textWriter struct {
	b        strings.Builder
	newlines int  // trailing newlines in b
	space    bool // a space is due before the next word
	// quote is the quote depth; quoteRest is set once the rest of the
	// document is a quoted mail.
	quote     int
	quoteRest bool
}

// maxQuotePrefix bounds the "> " written per line, whatever the nesting.
const maxQuotePrefix = 8

// prefix starts a quoted line.
func (w *textWriter) prefix() {
	if w.quote > 0 && w.atLineStart() {
		w.b.WriteString(strings.Repeat("> ", min(w.quote, maxQuotePrefix)))
		w.newlines = 0
		w.space = false
	}
}

func (w *textWriter) atLineStart() bool { return w.b.Len() == 0 || w.newlines > 0 }

// text writes character data; outside <pre> runs of white space become
// one space and no line starts with a space.
func (w *textWriter) text(s string, pre bool) {
	if s == "" {
		return
	}
	if pre {
		s = strings.ReplaceAll(s, "\r\n", "\n")
		w.raw(s)
		return
	}
	fields := strings.Fields(s)
	if len(fields) == 0 {
		w.space = true
		return
	}
	if first, _ := utf8.DecodeRuneInString(s); unicode.IsSpace(first) {
		w.space = true
	}
	for i, f := range fields {
		if i > 0 {
			w.space = true
		}
		if w.space && !w.atLineStart() {
			w.b.WriteByte(' ')
		}
		w.prefix()
		w.space = false
		w.b.WriteString(f)
		w.newlines = 0
	}
	if last, _ := utf8.DecodeLastRuneInString(s); unicode.IsSpace(last) {
		w.space = true
	}
}

// raw writes s as is.
func (w *textWriter) raw(s string) {
	if s == "" {
		return
	}
	if w.space && !w.atLineStart() && !strings.HasPrefix(s, "\n") {
		w.b.WriteByte(' ')
	}
	w.space = false
	if w.quote > 0 {
		// Every line of s starts quoted.
		for i, line := range strings.Split(s, "\n") {
			if i > 0 {
				w.b.WriteByte('\n')
				w.newlines++
			}
			if line != "" {
				w.prefix()
				w.b.WriteString(line)
				w.newlines = 0
			}
		}
		return
	}
	w.b.WriteString(s)
	n := len(s) - len(strings.TrimRight(s, "\n"))
	if n == len(s) {
		w.newlines += n
	} else {
		w.newlines = n
	}
}

// lineBreak is <br>: always a new line, at most one blank line in a row.
func (w *textWriter) lineBreak() {
	w.space = false
	if w.newlines < 2 {
		w.b.WriteByte('\n')
		w.newlines++
	}
}

// ensureNewlines ends the current line and, for n == 2, leaves a blank
// line; nothing is written at the very start.
func (w *textWriter) ensureNewlines(n int) {
	w.space = false
	if w.b.Len() == 0 {
		return
	}
	for w.newlines < n {
		w.b.WriteByte('\n')
		w.newlines++
	}
}
