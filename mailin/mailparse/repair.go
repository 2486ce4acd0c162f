package mailparse

import (
	"bytes"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/emersion/go-message/charset"

	"github.com/ticketd/ticketd/internal/lazyre"
)

// Mail clients show messages that break RFC 5322 and RFC 2045 in small
// ways; so must ticketd. repairRaw fixes, on a copy, what the MIME
// library would refuse or misread:
//
//   - a leading mbox "From " line (a message saved from a mailbox file);
//   - a first header line that begins with white space;
//   - no blank line between the header and the body: the body starts at
//     the first line that is neither a field nor a continuation;
//   - in a part's header, a continuation line that is not indented;
//   - a multipart without a boundary parameter: the boundary is the
//     first "--" line of the body;
//   - raw 8-bit bytes in header fields (names, subjects, file names):
//     UTF-8 when they are, else the part's charset, else Latin-1
//     (Windows-1252), re-encoded as UTF-8 (RFC 6532).
//
// A message that needs none of it is returned as is, without a copy
// (the check allocates almost nothing: a 50 MB attachment stays
// streamed).
func repairRaw(raw []byte) []byte {
	if !repairPass(raw, nil) {
		return raw
	}
	var out bytes.Buffer
	out.Grow(len(raw) + 64)
	repairPass(raw, &out)
	return out.Bytes()
}

// repairPass walks raw's header blocks (the message's and each part's)
// and writes raw with them fixed into out; with out nil it only reports
// whether a fix is needed.
func repairPass(raw []byte, out *bytes.Buffer) (changed bool) {
	write := func(b ...[]byte) {
		if out != nil {
			for _, x := range b {
				out.Write(x)
			}
		}
	}
	rest := raw
	next := func() []byte {
		i := bytes.IndexByte(rest, '\n')
		if i < 0 {
			l := rest
			rest = nil
			return l
		}
		l := rest[:i+1]
		rest = rest[i+1:]
		return l
	}
	if bytes.HasPrefix(rest, []byte("From ")) {
		next() // the mbox separator line
		changed = true
	}
	if t := bytes.TrimLeft(rest, " \t"); len(t) != len(rest) {
		rest = t
		changed = true
	}
	top, inHeader := true, true
	var boundaries [][]byte
	block := make([][]byte, 0, 32) // the lines of a header block: a typical one fits
	guesses := 0
	flush := func(topLevel bool) {
		// A missing boundary is guessed a few times per message, and
		// at most maxRepairBoundaries are followed: a crafted message
		// with thousands of parts costs linear time.
		body := rest
		if guesses >= maxBoundaryGuesses || len(boundaries) >= maxRepairBoundaries {
			body = nil
		}
		if out == nil {
			// The dry run only looks; a sound block needs no copy. Its
			// boundary still matters for the parts below.
			if repair, b := checkBlock(block, topLevel); !repair {
				if b != nil && len(boundaries) < maxRepairBoundaries {
					boundaries = append(boundaries, b)
				}
				block = block[:0]
				return
			}
		}
		fixed, b, ch := repairHeaderBlock(block, topLevel, body)
		if b != nil && len(boundaries) < maxRepairBoundaries {
			boundaries = append(boundaries, b)
		}
		if ch && b != nil {
			guesses++
		}
		changed = changed || ch
		write(fixed...)
		block = block[:0]
	}
	for len(rest) > 0 {
		if out == nil && changed {
			return true
		}
		l := next()
		if !inHeader {
			write(l)
			if isBoundaryLine(l, boundaries) {
				inHeader = true
			}
			continue
		}
		switch {
		case isBlankLine(l):
			flush(top)
			write(l)
			inHeader, top = false, false
		case top && len(block) > 0 && !isContinuation(l) && !isFieldLine(l):
			// The body starts without a blank line.
			flush(true)
			write([]byte("\r\n"), l)
			inHeader, top, changed = false, false, true
		default:
			block = append(block, l)
		}
	}
	if inHeader && len(block) > 0 {
		flush(top)
	}
	return changed
}

var (
	boundaryParam = lazyre.New(`(?i)boundary\s*=\s*"?([^";\r\n]+)"?`)
	charsetParam  = lazyre.New(`(?i)charset\s*=\s*"?([A-Za-z0-9_:.\-]+)"?`)
)

// checkBlock is the cheap check of a header block: whether it needs
// repair (8-bit bytes, a continuation without indentation in a part, a
// multipart Content-Type without a boundary) and, for a sound block, the
// boundary its first Content-Type declares (nil for none). Each
// Content-Type is read once for both.
func checkBlock(block [][]byte, topLevel bool) (repair bool, boundary []byte) {
	seenType := false
	for i, l := range block {
		if !utf8.Valid(l) {
			return true, nil
		}
		if isContinuation(l) {
			continue
		}
		if !topLevel && i > 0 && !isFieldLine(l) {
			return true, nil
		}
		if !isContentType(l) {
			continue
		}
		field := contentTypeField(block, i)
		var m [][]byte
		if containsLower(field, "boundary") { // most fields: text/plain; charset=…
			m = boundaryParam().FindSubmatch(field)
		}
		if m == nil && containsLower(field, "multipart/") {
			return true, nil
		}
		if !seenType && m != nil {
			boundary = bytes.TrimSpace(m[1])
		}
		seenType = true
	}
	return false, boundary
}

// containsLower is bytes.Contains(bytes.ToLower(b), []byte(lower)) for
// an ASCII lower-case word, without the copy when b is ASCII. For a word
// without k or s it is also whether a (?i) pattern of the word can
// match b: no other ASCII letter folds with a non-ASCII rune, and then
// bytes.ToLower only maps U+0130 and the Kelvin sign to ASCII (i, k).
func containsLower(b []byte, lower string) bool {
	for _, c := range b {
		if c >= utf8.RuneSelf {
			return bytes.Contains(bytes.ToLower(b), []byte(lower))
		}
	}
	for i := 0; i+len(lower) <= len(b); i++ {
		j := 0
		for ; j < len(lower); j++ {
			c := b[i+j]
			if 'A' <= c && c <= 'Z' {
				c += 'a' - 'A'
			}
			if c != lower[j] {
				break
			}
		}
		if j == len(lower) {
			return true
		}
	}
	return false
}

func isContentType(l []byte) bool {
	return len(l) >= 13 && bytes.EqualFold(l[:13], []byte("content-type:"))
}

// contentTypeField joins the field starting at block[i] with its
// continuations.
func contentTypeField(block [][]byte, i int) []byte {
	end := i + 1
	for end < len(block) && isContinuation(block[end]) {
		end++
	}
	if end == i+1 {
		return block[i] // the usual one-line field, read only
	}
	return bytes.Join(block[i:end], nil)
}

// isFieldLine reports a header field's first line: what the pattern
// `^[!-9;-~]+[ \t]*:` matches (a name of printable ASCII without the
// colon, optional blanks, a colon), tested by hand since it runs on every
// header line of every message.
func isFieldLine(l []byte) bool {
	i := 0
	for i < len(l) && l[i] >= '!' && l[i] <= '~' && l[i] != ':' {
		i++
	}
	if i == 0 {
		return false
	}
	for i < len(l) && (l[i] == ' ' || l[i] == '\t') {
		i++
	}
	return i < len(l) && l[i] == ':'
}

func isContinuation(l []byte) bool { return len(l) > 0 && (l[0] == ' ' || l[0] == '\t') }
func isBlankLine(l []byte) bool    { return len(bytes.TrimRight(l, "\r\n")) == 0 }

// isBoundaryLine reports a "--boundary" line of one of the multiparts
// seen so far.
func isBoundaryLine(l []byte, boundaries [][]byte) bool {
	l = bytes.TrimRight(l, " \t\r\n")
	if !bytes.HasPrefix(l, []byte("--")) {
		return false
	}
	for _, b := range boundaries {
		if bytes.Equal(l[2:], b) {
			return true
		}
	}
	return false
}

// repairHeaderBlock fixes one header block: continuations that are not
// indented (in a part), 8-bit bytes, a multipart without a boundary
// (guessed from all, the message's lines). It returns the block and the
// boundary its Content-Type declares (nil: none).
func repairHeaderBlock(block [][]byte, topLevel bool, body []byte) (out [][]byte, boundary []byte, changed bool) {
	out = make([][]byte, 0, len(block))
	cs := ""
	for i, l := range block {
		if !isContinuation(l) && isContentType(l) {
			if m := charsetParam().FindSubmatch(contentTypeField(block, i)); m != nil {
				cs = string(m[1])
			}
		}
	}
	ctIndex := -1
	for _, l := range block {
		if !topLevel && len(out) > 0 && !isFieldLine(l) && !isContinuation(l) {
			l = append([]byte(" "), l...)
			changed = true
		}
		if !utf8.Valid(l) {
			l = decode8bit(l, cs)
			changed = true
		}
		if isFieldLine(l) && bytes.HasPrefix(bytes.ToLower(l), []byte("content-type:")) {
			ctIndex = len(out)
		}
		out = append(out, l)
	}
	if ctIndex >= 0 {
		// The field with its continuations.
		end := ctIndex + 1
		for end < len(out) && isContinuation(out[end]) {
			end++
		}
		field := bytes.Join(out[ctIndex:end], nil)
		lower := bytes.ToLower(field)
		if bytes.Contains(lower, []byte("multipart/")) {
			if m := boundaryParam().FindSubmatch(field); m != nil {
				boundary = bytes.TrimSpace(m[1])
			} else if b := guessBoundary(body); b != nil {
				boundary, changed = b, true
				fixed := append(bytes.TrimRight(field, "\r\n;\t "), []byte("; boundary=\""+string(b)+"\"\r\n")...)
				out = append(out[:ctIndex:ctIndex], append([][]byte{fixed}, out[end:]...)...)
			}
		}
	}
	return out, boundary, changed
}

// Bounds of the repairs: bytes searched for a missing boundary, guesses
// per message, boundaries followed (more than the MIME walk's depth).
const (
	maxBoundaryScan     = 64 << 10
	maxBoundaryGuesses  = 4
	maxRepairBoundaries = 2 * maxDepth
)

// guessBoundary returns the text of the first "--boundary" line of the
// body that follows (in rest) the header block being fixed.
func guessBoundary(rest []byte) []byte {
	inBody := false
	for _, l := range bytes.Split(rest[:min(len(rest), maxBoundaryScan)], []byte("\n")) {
		t := bytes.TrimRight(l, " \t\r\n")
		if !inBody {
			inBody = len(t) == 0
			continue
		}
		if len(t) > 2 && len(t) <= 72 && bytes.HasPrefix(t, []byte("--")) && !bytes.ContainsAny(t, " \t\"") {
			return bytes.TrimSuffix(t[2:], []byte("--"))
		}
	}
	return nil
}

// decode8bit turns a header line with raw 8-bit bytes into UTF-8: the
// charset cs when it decodes, else Windows-1252 (a superset of Latin-1
// that maps every byte).
func decode8bit(l []byte, cs string) []byte {
	for _, c := range []string{cs, "windows-1252"} {
		if c == "" || strings.EqualFold(c, "utf-8") || strings.EqualFold(c, "us-ascii") {
			continue
		}
		r, err := charset.Reader(c, bytes.NewReader(l))
		if err != nil {
			continue
		}
		d, err := io.ReadAll(r)
		if err == nil && utf8.Valid(d) {
			return d
		}
	}
	return []byte(strings.ToValidUTF8(string(l), "\uFFFD"))
}
