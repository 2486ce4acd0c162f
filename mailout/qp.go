package mailout

// appendQP appends s encoded as quoted-printable (RFC 2045 §6.7) to dst,
// byte for byte as mime/quotedprintable's Writer (text mode) writes s in
// one Write and a Close: lines of at most 76 characters with soft breaks
// ("=" CRLF), CR, LF and CRLF as CRLF, "=", control and non-ASCII bytes
// as =XX, a space or tab before a line break encoded. It appends runs of
// plain bytes at once instead of one byte at a time through the Writer's
// line buffer: a mail's text and HTML parts are most of its bytes
// (TestAppendQPMatchesQuotedPrintable holds it to the Writer).
func appendQP(dst []byte, s string) []byte {
	start := len(dst) // where the current output line starts
	cr := false       // the last line break was a CR: skip its LF
	for i := 0; i < len(s); {
		b := s[i]
		switch {
		case b == '\n' || b == '\r':
			i++
			if cr && b == '\n' {
				cr = false
				continue
			}
			cr = b == '\r'
			dst = qpEncodeLastSpace(dst, &start)
			dst = append(dst, '\r', '\n')
			start = len(dst)
		case qpPlain(b):
			// A run of plain bytes, cut at the line's room.
			j := i + 1
			for j < len(s) && qpPlain(s[j]) {
				j++
			}
			for i < j {
				if len(dst)-start == qpMaxLine {
					dst = append(dst, '=', '\r', '\n')
					start = len(dst)
				}
				k := min(j, i+qpMaxLine-(len(dst)-start))
				dst = append(dst, s[i:k]...)
				i = k
			}
			cr = false
		default:
			i++
			dst = qpEncode(dst, &start, b) // leaves cr as it is, as the Writer does
		}
	}
	return qpEncodeLastSpace(dst, &start)
}

// qpMaxLine is the longest line appendQP writes: the Writer breaks before
// a 76th character.
const qpMaxLine = 76 - 1

// qpPlain reports a byte the Writer copies as it is: printable ASCII but
// "=", and space and tab.
func qpPlain(b byte) bool {
	return b >= '!' && b <= '~' && b != '=' || b == ' ' || b == '\t'
}

// qpEncode appends b as =XX, after a soft break when the line has no room.
func qpEncode(dst []byte, start *int, b byte) []byte {
	const hex = "0123456789ABCDEF"
	if qpMaxLine-(len(dst)-*start) < 3 {
		dst = append(dst, '=', '\r', '\n')
		*start = len(dst)
	}
	return append(dst, '=', hex[b>>4], hex[b&0x0f])
}

// qpEncodeLastSpace encodes a space or tab ending the current line, as
// the Writer does before a line break and at Close.
func qpEncodeLastSpace(dst []byte, start *int) []byte {
	if len(dst) == *start {
		return dst
	}
	if b := dst[len(dst)-1]; b == ' ' || b == '\t' {
		return qpEncode(dst[:len(dst)-1], start, b)
	}
	return dst
}
