package mailparse

import (
	"bytes"

	"github.com/emersion/go-message/textproto"
)

// Limits of readHeaderBytes: beyond them go-message's reader decides.
// The header block must end well before maxHeaderBytes (its reader counts
// the bytes buffered past the block, up to a buffer of 4 KiB), and a line
// must fit that buffer.
const (
	maxFastHeader     = maxHeaderBytes - 64<<10
	maxFastHeaderLine = 4000
)

// readHeaderBytes is textproto.ReadHeader of a header block held in raw,
// without the buffered reader: each field's line is not copied (the
// field keeps raw's bytes, as ReadHeader keeps its copy) and no buffer
// is filled. It reads only the usual shape — every line ending in CRLF,
// a field name of printable ASCII before a colon, continuation lines
// starting with a space or a tab, a blank line at the end — and reports
// ok false for anything else (LF line endings, a malformed line, a
// block without its blank line, a very long one), which ReadHeader then
// reads, errors and all. body is where the block's blank line ends.
// TestReadHeaderBytesIsReadHeader and FuzzReadHeaderBytes hold it to
// ReadHeader.
func readHeaderBytes(raw []byte) (h textproto.Header, body int, ok bool) {
	if len(raw) > 0 && (raw[0] == ' ' || raw[0] == '\t') {
		return h, 0, false // ReadHeader's "malformed initial line"
	}
	// The fields are found first and added last to first: AddRaw puts a
	// field where ReadHeader puts the one it has read last.
	var spans [48][2]int
	fields := spans[:0]
	i := 0
	for {
		end, ok := crlfLine(raw, i)
		if !ok {
			return h, 0, false
		}
		if end == i+2 { // the blank line
			body = end
			break
		}
		// The field's continuation lines.
		for end < len(raw) && (raw[end] == ' ' || raw[end] == '\t') {
			if end, ok = crlfLine(raw, end); !ok {
				return h, 0, false
			}
		}
		if !fieldName(raw[i:end]) {
			return h, 0, false
		}
		fields = append(fields, [2]int{i, end})
		i = end
	}
	for n := len(fields) - 1; n >= 0; n-- {
		f := fields[n]
		h.AddRaw(raw[f[0]:f[1]:f[1]])
	}
	return h, body, true
}

// crlfLine returns where the line starting at raw[i] ends, after its
// CRLF; ok is false when it has no CRLF, is too long, ends past
// maxFastHeader, or has a bare CR (ReadLine reads those differently).
func crlfLine(raw []byte, i int) (end int, ok bool) {
	rest := raw[i:min(len(raw), i+maxFastHeaderLine)]
	nl := bytes.IndexByte(rest, '\n')
	if nl < 1 || rest[nl-1] != '\r' || bytes.IndexByte(rest[:nl-1], '\r') >= 0 || i+nl+1 > maxFastHeader {
		return 0, false
	}
	return i + nl + 1, true
}

// fieldName reports a field whose name, before the first colon, is
// non-empty printable ASCII without spaces: what ReadHeader accepts and
// keeps (it trims blanks around the name and fails or skips the rest).
func fieldName(kv []byte) bool {
	colon := bytes.IndexByte(kv, ':')
	if colon < 1 {
		return false
	}
	for _, c := range kv[:colon] {
		if c < '!' || c > '~' {
			return false
		}
	}
	return true
}
