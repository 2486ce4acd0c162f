package mailin

import (
	"bufio"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"strings"

	"github.com/emersion/go-message"
	"github.com/emersion/go-message/charset"
	gomail "github.com/emersion/go-message/mail"

	"github.com/ticketd/ticketd/tickets"
)

// Bounds of what partsInfo keeps from one message.
const (
	maxAttachments   = 100       // attachments listed per message
	maxDSNBytes      = 64 << 10  // of a message/delivery-status part
	maxReturnedBytes = 256 << 10 // header block read of a returned message
)

// partsInfo is what the second walk of a message finds besides its text:
// attachments, and the parts of a delivery status report (RFC 3464).
type partsInfo struct {
	attachments []tickets.Attachment
	// report is true when a multipart/report with report-type
	// delivery-status was seen (RFC 6522).
	report bool
	// dsn is the body of the first message/delivery-status part.
	dsn []byte
	// returnedMsgID is the Message-ID of the first returned or forwarded
	// message (message/rfc822 or text/rfc822-headers part).
	returnedMsgID string
	seen          int
}

// scanParts walks the MIME tree of raw a second time (the text walk has
// consumed the first reader) and describes its non-text parts. Content is
// streamed through a hash, never held: memory stays bounded however large
// the attachments are.
func scanParts(raw []byte) partsInfo {
	var info partsInfo
	e, _ := readEntity(raw)
	if e == nil {
		return info
	}
	info.walk(e, 0)
	return info
}

func (pi *partsInfo) walk(e *message.Entity, depth int) {
	if pi.seen >= maxParts || depth > maxDepth {
		return
	}
	pi.seen++
	if mr := e.MultipartReader(); mr != nil {
		if t, params := mediaType(e.Header); t == "multipart/report" &&
			strings.EqualFold(params["report-type"], "delivery-status") {
			pi.report = true
		}
		for pi.seen < maxParts {
			p, _ := mr.NextPart()
			if p == nil {
				return
			}
			pi.walk(p, depth+1)
		}
		return
	}
	typ, _ := mediaType(e.Header)
	disp, _, _ := e.Header.ContentDisposition()
	disp, _, _ = strings.Cut(disp, ";")
	disp = strings.ToLower(strings.TrimSpace(disp))
	name := fileName(e.Header)

	switch typ {
	case "message/delivery-status", "message/global-delivery-status":
		if pi.dsn == nil {
			pi.dsn, _ = io.ReadAll(io.LimitReader(e.Body, maxDSNBytes))
		}
		return
	case "text/rfc822-headers", "message/rfc822-headers":
		if pi.returnedMsgID == "" {
			pi.returnedMsgID = returnedMessageID(e.Body)
		}
		return
	case "text/plain", "text/html":
		if disp != "attachment" && name == "" {
			return // body text, read by bodyText
		}
	}
	if len(pi.attachments) >= maxAttachments {
		return
	}
	h := sha256.New()
	cr := &countingReader{r: io.TeeReader(e.Body, h)}
	if typ == "message/rfc822" || typ == "message/global" {
		// A forward or a bounce's returned copy: its Message-ID names
		// the original; its subject names the attachment.
		br := bufio.NewReader(cr)
		if inner, _ := message.Read(br); inner != nil {
			ih := gomail.Header{Header: inner.Header}
			if pi.returnedMsgID == "" {
				if ids := msgIDs(ih.Get("Message-Id"), true); len(ids) > 0 && len(ids[0]) <= maxMsgIDBytes {
					pi.returnedMsgID = ids[0]
				}
			}
			if name == "" {
				if s, _ := ih.Subject(); cleanHeaderText(s) != "" {
					name = cleanHeaderText(s) + ".eml"
				}
			}
		}
		_, _ = io.Copy(io.Discard, br)
	}
	// A decoding error keeps the bytes decoded so far: the size is what
	// could be read.
	_, _ = io.Copy(io.Discard, cr)
	pi.attachments = append(pi.attachments, tickets.Attachment{
		Name:   name,
		Type:   typ,
		Size:   cr.n,
		Inline: disp == "inline" || (disp == "" && e.Header.Get("Content-Id") != ""),
		SHA256: hex.EncodeToString(h.Sum(nil)),
	})
}

// returnedMessageID reads the header block of a returned message and
// returns its Message-ID.
func returnedMessageID(r io.Reader) string {
	br := bufio.NewReader(io.LimitReader(r, maxReturnedBytes))
	inner, _ := message.Read(br)
	if inner == nil {
		return ""
	}
	ids := msgIDs(inner.Header.Get("Message-Id"), true)
	if len(ids) == 0 || len(ids[0]) > maxMsgIDBytes {
		return ""
	}
	return ids[0]
}

// countingReader counts the bytes read through it.
type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

// fileName returns the decoded file name of a part: Content-Disposition
// filename, else Content-Type name (RFC 2231 and RFC 2047 both decoded).
// Go's mime package decodes RFC 2231 values only in UTF-8 and US-ASCII;
// other charsets (filename*=iso-8859-1”caf%E9.pdf) are decoded here.
func fileName(h message.Header) string {
	// RFC 2231 values first: Go decodes the continuations of other
	// charsets only in part.
	for _, fk := range [][2]string{{"Content-Disposition", "filename"}, {"Content-Type", "name"}} {
		if name := rfc2231Fallback(h.Get(fk[0]), fk[1]); name != "" {
			return cleanFileName(name)
		}
	}
	ah := gomail.AttachmentHeader{Header: h}
	name, _ := ah.Filename()
	return cleanFileName(name)
}

// rfc2231Fallback decodes key*=charset'lang'value (and its numbered
// continuations key*0*=, key*1*=) in any charset go-message knows.
func rfc2231Fallback(v, key string) string {
	if v == "" {
		return ""
	}
	var cs string
	var enc strings.Builder
	for _, p := range strings.Split(v, ";") {
		k, val, ok := strings.Cut(strings.TrimSpace(p), "=")
		if !ok {
			continue
		}
		k = strings.ToLower(strings.TrimSpace(k))
		val = strings.Trim(strings.TrimSpace(val), `"`)
		if k != key+"*" && !strings.HasPrefix(k, key+"*") {
			continue
		}
		if cs == "" {
			if c, rest, ok := strings.Cut(val, "'"); ok {
				if _, rest2, ok := strings.Cut(rest, "'"); ok {
					cs, val = c, rest2
				}
			}
		}
		enc.WriteString(val)
	}
	if enc.Len() == 0 {
		return ""
	}
	b := percentDecode(enc.String())
	if cs == "" || strings.EqualFold(cs, "utf-8") || strings.EqualFold(cs, "us-ascii") {
		return string(b)
	}
	r, err := charset.Reader(cs, strings.NewReader(string(b)))
	if err != nil {
		return string(b)
	}
	d, err := io.ReadAll(r)
	if err != nil {
		return string(b)
	}
	return string(d)
}

func percentDecode(s string) []byte {
	out := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		if s[i] == '%' && i+2 < len(s) && isHex(s[i+1]) && isHex(s[i+2]) {
			out = append(out, unhex(s[i+1])<<4|unhex(s[i+2]))
			i += 2
			continue
		}
		out = append(out, s[i])
	}
	return out
}

func isHex(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}

func unhex(c byte) byte {
	switch {
	case c >= 'a':
		return c - 'a' + 10
	case c >= 'A':
		return c - 'A' + 10
	}
	return c - '0'
}

// cleanFileName keeps only the base name of a file name, as valid UTF-8
// without control characters; RFC 2047 words left undecoded by a broken
// header are decoded here.
func cleanFileName(s string) string {
	if strings.Contains(s, "=?") {
		if d, err := wordDecoder.DecodeHeader(s); err == nil {
			s = d
		}
	}
	s = cleanHeaderText(s)
	if i := strings.LastIndexAny(s, `/\`); i >= 0 {
		s = s[i+1:]
	}
	return s
}
