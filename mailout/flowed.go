package mailout

import "strings"

// maxFlowedLine is the longest line flowedText writes, in characters,
// before the CRLF (RFC 3676 §4.2 recommends at most 78).
const maxFlowedLine = 78

// flowedParams are the Content-Type parameters of the text parts
// ticketd sends: UTF-8, format=flowed (RFC 3676) without DelSp, so that
// readers' clients re-flow paragraphs to their screen while plain
// readers still see lines of at most 78 characters.
func flowedParams() map[string]string {
	return map[string]string{"charset": "utf-8", "format": "flowed"}
}

// flowedText encodes text as format=flowed (RFC 3676, DelSp=no): each
// paragraph line longer than maxFlowedLine is broken after a space, the
// space kept at the end of the line (a soft break); trailing spaces of
// the original lines are removed, since they would mean a soft break;
// lines starting with a space or "From " are space-stuffed (§4.4); quoted
// lines (">") keep their quote marks on every line they are broken into
// (§4.5); the signature separator "-- " is kept as it is (§4.3). A word
// longer than a line is not broken.
func flowedText(text string) string {
	var b strings.Builder
	b.Grow(len(text) + len(text)/64 + 16)
	writeFlowed(&b, text)
	return b.String()
}

// writeFlowed writes text as flowedText returns it, without building a
// string per line.
func writeFlowed(b *strings.Builder, text string) {
	for i := 0; ; i++ {
		line, rest, more := strings.Cut(text, "\n")
		if more {
			line = strings.TrimSuffix(line, "\r") // CRLF as LF
		}
		if i > 0 {
			b.WriteByte('\n')
		}
		writeFlowedHardLine(b, line)
		if !more {
			return
		}
		text = rest
	}
}

// writeFlowedHardLine writes one line of the original text.
func writeFlowedHardLine(b *strings.Builder, line string) {
	if line == "-- " {
		b.WriteString(line)
		return
	}
	depth := 0
	for depth < len(line) && line[depth] == '>' {
		depth++
	}
	content := strings.TrimRight(line[depth:], " ")
	if depth > 0 {
		// The space after the quote marks is stuffing (§4.5).
		content = strings.TrimPrefix(content, " ")
	}
	writeFlowedLine(b, line[:depth], content)
}

// writeFlowedLine writes one hard line as soft-broken lines, each
// starting with prefix (quote marks) and stuffed when needed.
func writeFlowedLine(b *strings.Builder, prefix, content string) {
	for {
		stuff := needsStuffing(prefix, content)
		lead := len(prefix) // quote marks are ASCII
		if stuff {
			lead++
		}
		room := maxFlowedLine - lead
		if fits(content, room) {
			writeLead(b, prefix, stuff)
			b.WriteString(content)
			return
		}
		cut := breakAt(content, room)
		if cut <= 0 {
			writeLead(b, prefix, stuff)
			b.WriteString(content) // one word longer than a line
			return
		}
		writeLead(b, prefix, stuff)
		b.WriteString(content[:cut])
		b.WriteByte('\n')
		content = content[cut:]
	}
}

// fits reports whether s has at most room characters. It counts no
// further than room+1: counting the whole rest of a long paragraph for
// each line it is broken into made composing quadratic in its length.
func fits(s string, room int) bool {
	if len(s) <= room {
		return true
	}
	n := 0
	for range s {
		if n++; n > room {
			return false
		}
	}
	return true
}

func writeLead(b *strings.Builder, prefix string, stuff bool) {
	b.WriteString(prefix)
	if stuff {
		b.WriteByte(' ')
	}
}

// needsStuffing reports a line a reader would misread: one starting
// with a space, "From " or (unquoted) ">" (§4.4), or any quoted line
// (the space after quote marks reads better and is removed).
func needsStuffing(prefix, content string) bool {
	if prefix != "" {
		return content != ""
	}
	return strings.HasPrefix(content, " ") || strings.HasPrefix(content, ">") || strings.HasPrefix(content, "From ")
}

// breakAt returns the byte index just after the last space that keeps
// the line (space included) within room characters or, when no space
// fits (a long word first), after the first space; 0 when the line has
// no space to break at.
func breakAt(s string, room int) int {
	best, n := 0, 0
	for i, r := range s {
		n++
		if r != ' ' || i+1 == len(s) {
			continue
		}
		if n > room {
			if best == 0 {
				best = i + 1
			}
			break
		}
		best = i + 1
	}
	return best
}
