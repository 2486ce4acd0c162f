package mailout

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"mime"
	"strings"
	"time"

	"github.com/emersion/go-message/mail"

	"github.com/ticketd/ticketd/internal/textfields"
	"github.com/ticketd/ticketd/tickets"
)

// writePlain writes a mail without attachments — text/plain alone, or
// multipart/alternative with the HTML — byte for byte as go-message's
// writers (mail.CreateSingleInlineWriter, mail.CreateInlineWriter) wrote
// it before: the same header fields in the same order, folded the same
// way (textproto's formatHeaderField), the same part framing and the
// same quoted-printable encoder; only a new random boundary differs, as
// it did from one call to the next. It skips their header maps and
// copies, most of a mail's composing cost on the sender's path
// (TestComposeSameBytesAsGoMessage holds it to the old output).
//
// It reports false, writing nothing, for a field value with a line
// break, which go-message refuses: the caller then takes the go-message
// path, which returns that error.
func writePlain(buf *bytes.Buffer, m *tickets.Mail, date time.Time, to, cc []*mail.Address, refs []string) bool {
	var replyTo []*mail.Address
	if m.ReplyTo != nil && m.ReplyTo.Email != "" {
		replyTo = addressList([]tickets.Address{*m.ReplyTo})
	}
	from := addressList([]tickets.Address{m.From})
	subject := mime.QEncoding.Encode("utf-8", textfields.Join(m.Subject))
	auto := textfields.Join(string(m.AutoSubmitted))
	inReplyTo := ""
	if validMsgID(m.InReplyTo) {
		inReplyTo = m.InReplyTo
	}
	for _, v := range []string{subject, auto, m.MessageID, inReplyTo} {
		if strings.ContainsAny(v, "\r\n") {
			return false
		}
	}
	for _, l := range [][]*mail.Address{from, to, cc, replyTo} {
		for _, a := range l {
			if strings.ContainsAny(a.Name, "\r\n") || strings.ContainsAny(a.Address, "\r\n") {
				return false
			}
		}
	}

	// Fields in the order go-message wrote them: the last one set first.
	var boundary string
	if m.HTML == "" {
		writeField(buf, "Mime-Version", "1.0")
		writeField(buf, "Content-Transfer-Encoding", "quoted-printable")
		writeField(buf, "Content-Type", textPlainType)
	} else {
		boundary = newBoundary()
		writeField(buf, "Content-Type", "multipart/alternative; boundary="+boundary)
		writeField(buf, "Mime-Version", "1.0")
	}
	if m.AutoSubmitted != "" {
		writeField(buf, "X-Auto-Response-Suppress", "All")
		writeField(buf, "Auto-Submitted", auto)
	}
	if len(refs) > 0 {
		writeField(buf, "References", "<"+strings.Join(refs, "> <")+">")
	}
	if inReplyTo != "" {
		writeField(buf, "In-Reply-To", "<"+inReplyTo+">")
	}
	writeField(buf, "Message-Id", "<"+m.MessageID+">")
	writeField(buf, "Subject", subject)
	writeAddressField(buf, "Reply-To", replyTo)
	writeAddressField(buf, "Cc", cc)
	writeAddressField(buf, "To", to)
	writeAddressField(buf, "From", from)
	if !date.IsZero() {
		writeField(buf, "Date", date.Format("Mon, 02 Jan 2006 15:04:05 -0700"))
	}
	buf.WriteString("\r\n")

	if m.HTML == "" {
		writeQP(buf, flowedText(m.Text))
		return true
	}
	// RFC 2046 §5.1.4: alternatives in increasing order of preference, so
	// the plain text goes first.
	buf.WriteString("--" + boundary + "\r\n")
	writePartHeader(buf, textPlainType)
	writeQP(buf, flowedText(m.Text))
	buf.WriteString("\r\n--" + boundary + "\r\n")
	writePartHeader(buf, "text/html; charset=utf-8")
	writeQP(buf, m.HTML)
	buf.WriteString("\r\n--" + boundary + "--\r\n")
	return true
}

// textPlainType is the Content-Type of flowed text parts, as
// mime.FormatMediaType writes flowedParams.
const textPlainType = "text/plain; charset=utf-8; format=flowed"

// writePartHeader writes an inline text part's header, as
// mail.InlineWriter.CreatePart did.
func writePartHeader(buf *bytes.Buffer, ctype string) {
	writeField(buf, "Content-Transfer-Encoding", "quoted-printable")
	writeField(buf, "Content-Disposition", "inline")
	writeField(buf, "Content-Type", ctype)
	buf.WriteString("\r\n")
}

// writeQP writes s quoted-printable, as mime/quotedprintable's Writer
// would (appendQP), straight into buf's free space.
func writeQP(buf *bytes.Buffer, s string) {
	buf.Grow(len(s) + len(s)/8 + 16)
	buf.Write(appendQP(buf.AvailableBuffer(), s))
}

// writeAddressField writes an address list field unless it is empty, as
// mail.Header.SetAddressList did (mail.Address.String, ", " between).
func writeAddressField(buf *bytes.Buffer, key string, as []*mail.Address) {
	switch len(as) {
	case 0:
		return
	case 1:
		writeField(buf, key, as[0].String())
		return
	}
	var b strings.Builder
	for i, a := range as {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(a.String())
	}
	writeField(buf, key, b.String())
}

// newBoundary is a multipart boundary as go-message's textproto makes
// them: 30 random bytes in hex.
func newBoundary() string {
	var raw [30]byte
	if _, err := rand.Read(raw[:]); err != nil {
		panic(err) // crypto/rand does not fail on Linux; go-message panics too
	}
	return hex.EncodeToString(raw[:])
}

// Header folding, as go-message's textproto.formatHeaderField and foldLine
// (MIT licence) write it: lines of at most 76 characters where a space
// allows, else at most 998.
const (
	preferredHeaderLen = 76
	maxHeaderLen       = 998
)

func writeField(buf *bytes.Buffer, k, v string) {
	buf.WriteString(k)
	buf.WriteString(": ")
	if v == "" {
		buf.WriteString("\r\n")
		return
	}
	first := true
	for len(v) > 0 {
		keylen := 0
		if first {
			keylen = len(k) + 2
		}
		l, fold, next, ok := foldLine(v, preferredHeaderLen-keylen)
		if !ok {
			// Folding would change the value: try the hard limit.
			l, fold, next, _ = foldLine(v, maxHeaderLen-keylen)
		}
		buf.WriteString(l)
		buf.WriteString(fold)
		v = next
		first = false
	}
}

// foldLine is textproto's foldLine returning the line and the folding
// apart (line+folding is its first result).
func foldLine(v string, maxlen int) (line, folding, next string, ok bool) {
	ok = true
	foldBefore := maxlen + 1
	foldAt := len(v)
	if foldBefore > len(v) {
		if v[len(v)-1] != '\n' {
			folding = "\r\n"
		}
	} else {
		foldAt = strings.LastIndexAny(v[:foldBefore], " \t\n")
		if foldAt == 0 {
			foldAt = foldBefore - 1
		} else if foldAt < 0 {
			foldAt = foldBefore - 2
		}
		switch v[foldAt] {
		case ' ', '\t':
			if v[foldAt-1] != '\n' {
				folding = "\r\n"
			}
		case '\n':
			folding = ""
		default:
			folding = "\r\n "
			ok = false
		}
	}
	return v[:foldAt], folding, v[foldAt:], ok
}
