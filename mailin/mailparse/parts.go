package mailparse

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"

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
	opts          Options
	// storageErr is the first failure of the attachment store (wrapping
	// tickets.ErrStorage): the message cannot be applied now.
	storageErr error
}

// scanParts walks the MIME tree of raw a second time (the text walk has
// consumed the first reader) and describes its non-text parts. Content is
// streamed through a hash, never held: memory stays bounded however large
// the attachments are.
func scanParts(raw []byte, opts Options) partsInfo { return scanRepaired(repairRaw(raw), opts) }

// scanRepaired is scanParts of raw already repaired (repairRaw).
func scanRepaired(raw []byte, opts Options) partsInfo {
	info := partsInfo{opts: opts}
	e, _ := readRepaired(raw)
	if e == nil {
		return info
	}
	walkEntities(e, info.visit)
	return info
}

// visit describes e (see walkEntities): a delivery report's parts, or an
// attachment.
func (pi *partsInfo) visit(e *message.Entity, multipart bool) {
	if multipart {
		if t, params := mediaType(e.Header); t == "multipart/report" &&
			strings.EqualFold(params["report-type"], "delivery-status") {
			pi.report = true
		}
		return
	}
	pi.visitPart(e, readPartHeader(e.Header))
}

// visitPart is visit of a part (not a multipart) whose header is read.
func (pi *partsInfo) visitPart(e *message.Entity, ph partHeader) {
	typ, disp, name := ph.typ, strings.ToLower(ph.disp), ph.name
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
	att := tickets.Attachment{
		Name:   name,
		Type:   typ,
		Inline: disp == "inline" || (disp == "" && e.Header.Get("Content-Id") != ""),
	}
	rfc822 := typ == "message/rfc822" || typ == "message/global"
	var head headBuffer
	body := e.Body
	if rfc822 {
		head.max = maxReturnedBytes
		body = io.TeeReader(e.Body, &head)
	}
	pi.keep(&att, body)
	if rfc822 {
		// A forward or a bounce's returned copy: its Message-ID names
		// the original; its subject names the attachment.
		if inner, _ := message.Read(bufio.NewReader(bytes.NewReader(head.b))); inner != nil {
			ih := gomail.Header{Header: inner.Header}
			if pi.returnedMsgID == "" {
				if ids := msgIDs(ih.Get("Message-Id"), true); len(ids) > 0 && len(ids[0]) <= maxMsgIDBytes {
					pi.returnedMsgID = ids[0]
				}
			}
			if att.Name == "" {
				if s, _ := ih.Subject(); cleanHeaderText(s) != "" {
					att.Name = cleanHeaderText(s) + ".eml"
				}
			}
		}
	}
	pi.attachments = append(pi.attachments, att)
}

// keep reads one attachment's content: into the store when there is one
// (Stored, or Dropped with the reason), else only hashed and counted. A
// decoding error keeps the bytes decoded so far: the size is what could
// be read.
func (pi *partsInfo) keep(att *tickets.Attachment, body io.Reader) {
	limit := pi.opts.MaxAttachmentSize
	if pi.opts.Attachments == nil {
		h := sha256.New()
		buf := copyBuffers.Get().(*[]byte)
		n, _ := io.CopyBuffer(h, body, *buf)
		copyBuffers.Put(buf)
		att.Size, att.SHA256 = n, hex.EncodeToString(h.Sum(nil))
		if limit > 0 && n > limit {
			att.Dropped, att.Reason = true, fmt.Sprintf("larger than the limit of %d bytes", limit)
		}
		return
	}
	sum, n, err := pi.opts.Attachments.Put(body, limit)
	att.Size = n
	switch {
	case err == nil:
		att.SHA256, att.Stored = sum, true
	case errors.Is(err, tickets.ErrTooLarge):
		att.Dropped, att.Reason = true, fmt.Sprintf("larger than the limit of %d bytes", limit)
	case errors.Is(err, tickets.ErrStorage):
		// The disk's fault, not the message's: nothing is dropped,
		// the whole message waits for the next pass.
		if pi.storageErr == nil {
			pi.storageErr = err
		}
	default:
		// The raw message, in the processed mailbox, still has it.
		att.Dropped, att.Unreadable, att.Reason = true, true, "not stored: "+err.Error()
	}
}

// copyBuffers are keep's buffers for hashing: io.Copy would allocate
// 32 KiB per attachment.
var copyBuffers = sync.Pool{New: func() any { b := make([]byte, 32<<10); return &b }}

// AttachmentStore keeps attachment content; *tickets.Blobs satisfies it.
type AttachmentStore interface {
	// Put stores what r yields, at most limit bytes (<= 0: no limit), and
	// returns its hex SHA-256 and size; over the limit it keeps nothing
	// and returns an error wrapping tickets.ErrTooLarge.
	Put(r io.Reader, limit int64) (sum string, size int64, err error)
}

// headBuffer keeps the first max bytes written to it and accepts the
// rest without keeping it.
type headBuffer struct {
	b   []byte
	max int
}

func (h *headBuffer) Write(p []byte) (int, error) {
	if room := h.max - len(h.b); room > 0 {
		h.b = append(h.b, p[:min(room, len(p))]...)
	}
	return len(p), nil
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

// fileName returns the decoded file name of a part: Content-Disposition
// filename, else Content-Type name (RFC 2231 and RFC 2047 both decoded).
// Go's mime package decodes RFC 2231 values only in UTF-8 and US-ASCII;
// other charsets (filename*=iso-8859-1”caf%E9.pdf) are decoded here.
//
// dispParams and typeParams are the parameters of the Content-Disposition
// and Content-Type fields as go-message parses them (nil: unparseable),
// which the caller has at hand: the name is then that of
// mail.AttachmentHeader.Filename, without parsing both fields again.
func fileName(h message.Header, dispParams, typeParams map[string]string) string {
	// RFC 2231 values first: Go decodes the continuations of other
	// charsets only in part.
	for _, fk := range [][2]string{{"Content-Disposition", "filename"}, {"Content-Type", "name"}} {
		if name := rfc2231Fallback(h.Get(fk[0]), fk[1]); name != "" {
			return cleanFileName(name)
		}
	}
	name, ok := dispParams["filename"] // as AttachmentHeader.Filename
	if !ok {
		name = typeParams["name"]
	}
	return cleanFileName(name)
}

// rfc2231Fallback decodes key*=charset'lang'value (and its numbered
// continuations key*0*=, key*1*=) in any charset go-message knows.
func rfc2231Fallback(v, key string) string {
	if !strings.Contains(v, "*") {
		return "" // no key*= parameter: most fields
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
