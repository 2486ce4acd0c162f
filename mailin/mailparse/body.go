package mailparse

import (
	"bytes"
	"io"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/emersion/go-message"
	"github.com/emersion/go-message/charset"

	"github.com/ticketd/ticketd/internal/lazyre"
)

// Limits of the MIME walk (walkEntities), so that a crafted message cannot make Parse
// loop or allocate without bound. The read budgets are shared by all the
// parts of one message: however many parts it has, Parse reads at most
// maxPlainRead bytes of text/plain and maxHTMLRead bytes of text/html.
const (
	maxParts = 500 // entities visited per message
	maxDepth = 32  // multipart nesting

	// MaxTextBytes caps tickets.Inbound.Text and FullText. A longer text
	// is cut at a line (or at least a rune) boundary and ends in
	// truncatedMark, so that a reader sees it was cut; the raw message
	// stays in the IMAP mailbox.
	MaxTextBytes = 256 << 10
	// Decoded bytes read in all: more than MaxTextBytes because
	// normalisation drops \r and control characters and HTML shrinks a
	// lot when rendered as text.
	maxPlainRead = 4 * MaxTextBytes
	maxHTMLRead  = 16 * MaxTextBytes
)

// truncatedMark ends a text that was cut.
const truncatedMark = "\n[…]"

// textParts collects the readable parts of a message, in order.
type textParts struct {
	plain []string
	html  []string
	// What is left of the read budgets, and whether either ran out
	// before a part was read to its end.
	plainLeft, htmlLeft int64
	plainCut, htmlCut   bool
}

// bodyText returns the readable body of e: every inline text/plain part
// anywhere in the MIME tree (joined by a blank line) when there is one,
// else the text derived from the text/html parts. Attachments (parts with
// Content-Disposition: attachment, non-text parts, attached messages) are
// skipped. The result uses \n line endings and is trimmed; it is not
// capped (see capText), but it is bounded by the read budgets. cut reports
// that a budget ran out, so that the text is incomplete.
func bodyText(e *message.Entity) (text string, cut bool) {
	tp := newTextParts()
	walkEntities(e, tp.visit)
	return tp.text()
}

func newTextParts() *textParts { return &textParts{plainLeft: maxPlainRead, htmlLeft: maxHTMLRead} }

// text is bodyText once the walk has visited every part.
func (tp *textParts) text() (text string, cut bool) {
	plain := normalizeText(strings.Join(tp.plain, "\n\n"))
	switch {
	// An empty text/plain beside a useful HTML part: the HTML is the
	// message (some web mailers and mass mailers send that).
	case len(tp.plain) > 0 && (plain != "" || len(tp.html) == 0):
		return plain, tp.plainCut
	case len(tp.html) > 0:
		texts := make([]string, 0, len(tp.html))
		for _, h := range tp.html {
			if t := htmlToText(h); t != "" {
				texts = append(texts, t)
			}
		}
		return normalizeText(strings.Join(texts, "\n\n")), tp.htmlCut
	}
	return "", false
}

// capText limits s to MaxTextBytes. A longer s, or one known to be
// incomplete (cut), is cut at the last line break in its final 4 KiB, or
// else at a rune boundary, and ends in truncatedMark.
func capText(s string, cut bool) string {
	if !cut && len(s) <= MaxTextBytes {
		return s
	}
	if s == "" {
		return ""
	}
	if n := MaxTextBytes - len(truncatedMark); len(s) > n {
		i := len(truncateUTF8(s, n))
		if nl := strings.LastIndexByte(s[:i], '\n'); nl >= 0 && i-nl <= 4<<10 {
			i = nl
		}
		s = s[:i]
	}
	return strings.TrimRight(s, " \t\n") + truncatedMark
}

// visit reads e when it is an inline text part (see walkEntities).
func (tp *textParts) visit(e *message.Entity, multipart bool) {
	if !multipart {
		tp.visitPart(e, readPartHeader(e.Header))
	}
}

// visitPart is visit of a part whose header is read.
func (tp *textParts) visitPart(e *message.Entity, ph partHeader) {
	if !ph.inlineText() {
		return
	}
	switch ph.typ {
	case "text/plain":
		s := readText(e.Body, &tp.plainLeft, &tp.plainCut)
		if strings.EqualFold(ph.params["format"], "flowed") {
			s = unflow(s, strings.EqualFold(ph.params["delsp"], "yes"))
		}
		tp.plain = append(tp.plain, s)
	case "text/html":
		tp.html = append(tp.html, readHTML(e.Body, ph.params["charset"] == "", &tp.htmlLeft, &tp.htmlCut))
	}
}

// metaCharset finds the charset an HTML document declares in a <meta>.
var metaCharset = lazyre.New(`(?i)<meta[^>]+charset\s*=\s*["']?([A-Za-z0-9_:.\-]+)`)

// readHTML is readText for an HTML part; when the part's header names
// no charset (unlabelled) and the bytes are not UTF-8, the charset the
// document declares in a <meta> decodes them.
func readHTML(r io.Reader, unlabelled bool, left *int64, cut *bool) string {
	if !unlabelled {
		return readText(r, left, cut)
	}
	var raw bytes.Buffer
	s := readText(io.TeeReader(r, &raw), left, cut)
	b := raw.Bytes()
	if utf8.Valid(b) {
		return s
	}
	m := metaCharset().FindSubmatch(b[:min(len(b), 4096)])
	if m == nil {
		return s
	}
	cr, err := charset.Reader(string(m[1]), bytes.NewReader(b))
	if err != nil {
		return s
	}
	d, err := io.ReadAll(io.LimitReader(cr, int64(4*len(b))))
	if err != nil || !utf8.Valid(d) {
		return s
	}
	return string(d)
}

// mediaType returns the lower-cased media type and its parameters. A
// missing or unparseable Content-Type is text/plain (RFC 2045 §5.2).
func mediaType(h message.Header) (string, map[string]string) {
	t, params, err := h.ContentType()
	if err != nil {
		// go-message returns the raw value on error; keep its type part.
		t, _, _ = strings.Cut(t, ";")
	}
	t = strings.ToLower(strings.TrimSpace(t))
	if t == "" || !strings.Contains(t, "/") {
		t = "text/plain"
	}
	if params == nil {
		params = map[string]string{}
	}
	return t, params
}

// readText reads a decoded text part as UTF-8, at most *left bytes of
// it; it deducts what it read from *left and sets *cut when the part was
// longer. go-message has already converted known charsets; bytes that are
// still not UTF-8 (unknown or wrong charset label, 8-bit text without a
// label) are read as Windows-1252, the most common mislabelled charset,
// which maps every byte.
func readText(r io.Reader, left *int64, cut *bool) string {
	if *left <= 0 {
		*cut = true
		return ""
	}
	// A decoding error (bad base64, truncated quoted-printable) still
	// leaves the bytes decoded so far: keep them. They are read into a
	// pooled buffer (io.ReadAll grows a new one from 512 bytes) and
	// copied out once, into the string returned.
	buf := readBuffers.Get().(*[]byte)
	b := readAll((*buf)[:0], io.LimitReader(r, *left+1))
	defer func() {
		if cap(b) <= maxPooledRead {
			*buf = b[:0]
			readBuffers.Put(buf)
		}
	}()
	if int64(len(b)) > *left {
		b = b[:*left]
		*cut = true
		// Do not split a UTF-8 sequence: it would turn into U+FFFD or
		// make the whole part look like Windows-1252.
		for i := 0; i < utf8.UTFMax && len(b) > 0; i++ {
			if r, size := utf8.DecodeLastRune(b); r != utf8.RuneError || size > 1 {
				break
			}
			b = b[:len(b)-1]
		}
	}
	*left -= int64(len(b))
	if utf8.Valid(b) {
		return string(b)
	}
	if cr, err := charset.Reader("windows-1252", bytes.NewReader(b)); err == nil {
		if d, err := io.ReadAll(cr); err == nil {
			return string(d)
		}
	}
	return strings.ToValidUTF8(string(b), "\uFFFD")
}

// readBuffers are readText's buffers; one grown over maxPooledRead (a
// long text) is left to the collector.
var readBuffers = sync.Pool{New: func() any { b := make([]byte, 0, 8<<10); return &b }}

const maxPooledRead = 256 << 10

// readAll is io.ReadAll appending to b; the error is dropped (readText
// keeps what was read before it).
func readAll(b []byte, r io.Reader) []byte {
	for {
		if len(b) == cap(b) {
			b = append(b, 0)[:len(b)]
		}
		n, err := r.Read(b[len(b):cap(b)])
		b = b[:len(b)+n]
		if err != nil {
			return b
		}
	}
}

// unflow undoes format=flowed soft line breaks (RFC 3676 §4): a line
// ending in a space continues on the next line of the same quote depth.
// Space-stuffing is removed; the signature separator "-- " is never
// joined.
func unflow(s string, delSp bool) string {
	s = strings.ReplaceAll(s, "\r\n", "\n")
	var out []string
	var cur strings.Builder
	curDepth, open := 0, false
	flush := func() {
		prefix := strings.Repeat(">", curDepth)
		if curDepth > 0 && cur.Len() > 0 {
			prefix += " "
		}
		out = append(out, prefix+cur.String())
		cur.Reset()
		open = false
	}
	for _, line := range strings.Split(s, "\n") {
		depth := 0
		for depth < len(line) && line[depth] == '>' {
			depth++
		}
		content := line[depth:]
		content = strings.TrimPrefix(content, " ") // space-stuffing, §4.4
		if open && depth != curDepth {
			flush() // a quote depth change ends a paragraph, §4.5
		}
		curDepth = depth
		soft := strings.HasSuffix(content, " ") && content != "-- "
		if soft && delSp {
			content = content[:len(content)-1]
		}
		cur.WriteString(content)
		open = true
		if !soft {
			flush()
		}
	}
	if open {
		flush()
	}
	return strings.Join(out, "\n")
}

// normalizeText makes body text uniform: valid UTF-8, \n line endings, no
// control characters other than tab and newline, no trailing spaces on
// lines, no leading or trailing blank lines. It is one pass over s
// (TestNormalizeTextIsSteps holds it to the steps it stands for: invalid
// runs to U+FFFD, CRLF and CR to LF, controls and U+FEFF dropped, each
// line but "-- " trimmed of spaces, tabs and no-break spaces at its end,
// the whole trimmed).
func normalizeText(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	var blanks [32]byte
	pending := blanks[:0] // the blanks ending the line so far: written when more follows
	line := 0             // where the current line starts in b
	endLine := func() {
		if string(pending) == " " && b.String()[line:] == "--" { // the signature separator keeps its space
			b.WriteByte(' ')
		}
		pending = pending[:0]
	}
	write := func(p string) {
		if len(pending) > 0 {
			b.Write(pending)
			pending = pending[:0]
		}
		b.WriteString(p)
	}
	invalid := false // in a run of invalid bytes, replaced by one U+FFFD
	for i := 0; i < len(s); {
		c := s[i]
		if c > ' ' && c < 0x7f { // a run of printable ASCII, written at once
			j := i + 1
			for j < len(s) && s[j] > ' ' && s[j] < 0x7f {
				j++
			}
			write(s[i:j])
			i, invalid = j, false
			continue
		}
		if c < utf8.RuneSelf {
			i++
			invalid = false
			switch {
			case c == '\r' || c == '\n':
				if c == '\r' && i < len(s) && s[i] == '\n' {
					i++
				}
				endLine()
				b.WriteByte('\n')
				line = b.Len()
			case c == ' ' || c == '\t':
				pending = append(pending, c)
			}
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			if !invalid {
				write("\uFFFD")
			}
			invalid = true
			i++
			continue
		case r == '\u00a0':
			pending = append(pending, s[i:i+size]...)
		case r != '\uFEFF':
			write(s[i : i+size])
		}
		invalid = false
		i += size
	}
	endLine()
	return strings.TrimSpace(b.String())
}
