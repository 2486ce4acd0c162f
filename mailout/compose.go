package mailout

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"
	"unicode"

	"github.com/emersion/go-message/mail"

	"github.com/ticketd/ticketd/internal/textfields"
	"github.com/ticketd/ticketd/tickets"
)

// Compose renders m as an RFC 5322 message: multipart/alternative with a
// text/plain part and a text/html part (only text/plain when m.HTML is
// empty), both UTF-8 and quoted-printable. The Date header is m.Queued (now
// when m.Queued is zero), so every delivery attempt sends the same bytes.
//
// A mail with attachments needs ComposeWith.
func Compose(m *tickets.Mail, now time.Time) ([]byte, error) {
	return ComposeWith(m, now, nil)
}

// BlobSource gives the content of stored attachments by SHA-256;
// *tickets.Blobs satisfies it.
type BlobSource interface {
	Open(sum string) (io.ReadCloser, error)
}

// ComposeWith is Compose for mail that may carry attachments: then the
// message is multipart/mixed, the text (or its alternatives) first and
// each attachment after it, base64, its content read from blobs. A
// missing attachment is an error: the mail cannot be sent as promised.
func ComposeWith(m *tickets.Mail, now time.Time, blobs BlobSource) ([]byte, error) {
	var buf bytes.Buffer
	if err := composeInto(&buf, m, now, blobs); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// composeInto is ComposeWith writing into buf (the sender reuses one per
// connection); on error buf holds no usable message.
func composeInto(buf *bytes.Buffer, m *tickets.Mail, now time.Time, blobs BlobSource) error {
	if m.From.Email == "" {
		return errors.New("compose: mail has no From address")
	}
	if _, err := envelopeAddress(m.From.Email); err != nil {
		return fmt.Errorf("compose: From: %w", err)
	}
	if len(m.To)+len(m.Cc) == 0 {
		return errors.New("compose: mail has no recipients")
	}
	to, cc := addressList(m.To), addressList(m.Cc)
	if len(to)+len(cc) == 0 {
		first := m.Cc
		if len(m.To) > 0 {
			first = m.To
		}
		_, err := envelopeAddress(first[0].Email)
		return fmt.Errorf("compose: no recipient can be sent to: %w", err)
	}
	if !validMsgID(m.MessageID) {
		return fmt.Errorf("compose: invalid Message-ID %q", m.MessageID)
	}

	date := m.Queued
	if date.IsZero() {
		date = now
	}
	var refs []string
	for _, r := range m.References {
		if validMsgID(r) {
			refs = append(refs, r)
		}
	}
	buf.Grow(len(m.Text)*2 + len(m.HTML)*11/10 + 2048)
	if len(m.Attachments) == 0 {
		if !writePlain(buf, m, date, to, cc, refs) {
			return errors.New("compose: header field value contains a line break")
		}
		return nil
	}
	if blobs == nil {
		return errors.New("compose: mail has attachments but there is no attachment store")
	}
	if err := writeMixed(buf, mailHeader(m, date, to, cc, refs), m, blobs); err != nil {
		return fmt.Errorf("compose: %w", err)
	}
	return nil
}

// mailHeader is the top-level header of m for go-message's writers
// (attachments; writePlain writes the same fields itself).
func mailHeader(m *tickets.Mail, date time.Time, to, cc []*mail.Address, refs []string) mail.Header {
	var h mail.Header
	h.SetDate(date)
	h.SetAddressList("From", addressList([]tickets.Address{m.From}))
	h.SetAddressList("To", to)
	h.SetAddressList("Cc", cc)
	if m.ReplyTo != nil && m.ReplyTo.Email != "" {
		h.SetAddressList("Reply-To", addressList([]tickets.Address{*m.ReplyTo}))
	}
	// SetSubject encodes non-ASCII text as RFC 2047 encoded words.
	// Header values on one line: a CR or LF in stored text must never
	// start a new header field.
	h.SetSubject(textfields.Join(m.Subject))
	h.SetMessageID(m.MessageID)
	if validMsgID(m.InReplyTo) {
		h.SetMsgIDList("In-Reply-To", []string{m.InReplyTo})
	}
	h.SetMsgIDList("References", refs)
	if m.AutoSubmitted != "" {
		// RFC 3834 §5: marks the mail as automatic so that well-behaved
		// responders do not answer it; X-Auto-Response-Suppress asks
		// Exchange/Outlook not to send out-of-office or similar replies.
		h.Set("Auto-Submitted", textfields.Join(string(m.AutoSubmitted)))
		h.Set("X-Auto-Response-Suppress", "All")
	}
	return h
}

// writeAlternatives writes the text and HTML parts and closes w.
func writeAlternatives(w *mail.InlineWriter, m *tickets.Mail) error {
	// RFC 2046 §5.1.4: alternatives in increasing order of preference, so
	// the plain text goes first.
	for _, part := range []struct {
		ctype  string
		params map[string]string
		body   string
	}{
		{"text/plain", flowedParams(), flowedText(m.Text)},
		{"text/html", map[string]string{"charset": "utf-8"}, m.HTML},
	} {
		var ph mail.InlineHeader
		ph.SetContentType(part.ctype, part.params)
		pw, err := w.CreatePart(ph)
		if err != nil {
			return fmt.Errorf("%s part: %w", part.ctype, err)
		}
		if err := writeClose(pw, part.body); err != nil {
			return fmt.Errorf("%s part: %w", part.ctype, err)
		}
	}
	return w.Close()
}

func writeClose(w io.WriteCloser, s string) error {
	if _, err := io.WriteString(w, s); err != nil {
		w.Close()
		return err
	}
	return w.Close()
}

// addressList converts addresses for go-message, which encodes non-ASCII
// display names (RFC 2047) and quotes the rest as needed. An address the
// envelope refuses (envelopeAddress) is left out, so the headers name the
// same mailboxes the envelope does.
func addressList(as []tickets.Address) []*mail.Address {
	out := make([]*mail.Address, 0, len(as))
	for _, a := range as {
		if _, err := envelopeAddress(a.Email); err != nil {
			continue
		}
		out = append(out, &mail.Address{Name: textfields.Join(a.Name), Address: a.Email})
	}
	return out
}

// validMsgID accepts a bare Message-ID (no angle brackets, no white space)
// as tickets stores them; an id with a control character (one a forged
// mail brought in) never reaches our headers.
func validMsgID(id string) bool {
	return id != "" && !strings.ContainsAny(id, "<> ") && !strings.ContainsFunc(id, unicode.IsControl)
}
