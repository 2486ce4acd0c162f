package tickets

import (
	"encoding/binary"
	"errors"

	"github.com/ticketd/ticketd/templates"
)

// The stored form of outbox mails (the outbox and failed buckets). Since
// schema 7 (issue 16) a mail is written in the binary form of tickets
// and events (codec_ticket.go): a version byte, then every field in a
// fixed order. Each mail is written once when it is queued and read when
// it is delivered; as JSON, its text and HTML bodies (most of its 2–4 KB)
// were quoted on the way in and unquoted on the way out, a few µs each
// way per mail. Mails written as JSON by earlier versions still read: the
// decoder dispatches on the first byte ('{' or mailV1), and schema 7
// rewrites nothing (store_migrate.go).
//
// Layout after mailV1 (u = uvarint, v = varint, s = u(len) bytes, t = a
// time (appendTime), a = s(name) s(email)):
//
//	head:  u(id) u(ticket) t(queued) v(attempts) t(next_attempt)
//	rest:  s(last_error) s(kind) a(from) u(n) a×n (to) u(n) a×n (cc)
//	       u(0 or 1) a (reply_to, when 1) s(subject) s(text) s(html)
//	       s(message_id) s(in_reply_to) u(n) s×n (references)
//	       s(auto_submitted) u(n) [s(name) s(type) v(size) u(flags: inline
//	       1, stored 2, dropped 4, unreadable 8) s(content_id) s(sha256)
//	       s(reason)]×n (attachments) u(n) s×n (done)
//
// The head comes first so that its readers stop early and copy nothing:
// the untried count reads every queued mail's attempts at Open
// (mailAttempts, store_outbox_count.go).
const mailV1 = 0x01

var errMailRecord = errors.New("malformed mail record")

// Flags of an attachment.
const (
	attachmentInline = 1 << iota
	attachmentStored
	attachmentDropped
	attachmentUnreadable
)

// encodeMail is the stored form of m: the binary one, version byte
// included.
func encodeMail(m *Mail) []byte {
	b := make([]byte, 0, 128+mailStrings(m))
	b = append(b, mailV1)
	b = binary.AppendUvarint(b, m.ID)
	b = binary.AppendUvarint(b, m.Ticket)
	b = appendTime(b, m.Queued)
	b = binary.AppendVarint(b, int64(m.Attempts))
	b = appendTime(b, m.NextAttempt)
	b = appendString(b, m.LastError)
	b = appendString(b, string(m.Kind))
	b = appendAddress(b, m.From)
	b = appendAddresses(b, m.To)
	b = appendAddresses(b, m.Cc)
	if m.ReplyTo != nil {
		b = appendAddress(append(b, 1), *m.ReplyTo)
	} else {
		b = append(b, 0)
	}
	b = appendString(b, m.Subject)
	b = appendString(b, m.Text)
	b = appendString(b, m.HTML)
	b = appendString(b, m.MessageID)
	b = appendString(b, m.InReplyTo)
	b = appendStrings(b, m.References)
	b = appendString(b, string(m.AutoSubmitted))
	b = binary.AppendUvarint(b, uint64(len(m.Attachments)))
	for i := range m.Attachments {
		a := &m.Attachments[i]
		b = appendString(b, a.Name)
		b = appendString(b, a.Type)
		b = binary.AppendVarint(b, a.Size)
		flags := flag(a.Inline, attachmentInline) | flag(a.Stored, attachmentStored) |
			flag(a.Dropped, attachmentDropped) | flag(a.Unreadable, attachmentUnreadable)
		b = binary.AppendUvarint(b, flags)
		b = appendString(b, a.ContentID)
		b = appendString(b, a.SHA256)
		b = appendString(b, a.Reason)
	}
	return appendStrings(b, m.Done)
}

// mailStrings is about the bytes m's strings take: the record is sized
// once.
func mailStrings(m *Mail) int {
	n := len(m.Subject) + len(m.Text) + len(m.HTML) + len(m.MessageID) + len(m.InReplyTo) + len(m.LastError)
	for _, r := range m.References {
		n += len(r) + 2
	}
	for _, a := range m.To {
		n += len(a.Name) + len(a.Email) + 4
	}
	for _, a := range m.Cc {
		n += len(a.Name) + len(a.Email) + 4
	}
	for _, d := range m.Done {
		n += len(d) + 2
	}
	return n + 48*len(m.Attachments)
}

// decodeMailV1 reads a binary mail (without its version byte) into m. Its
// strings are cut from one copy of the record (ticketReader).
func decodeMailV1(data []byte, m *Mail) error {
	r := newTicketReader(data, true)
	*m = Mail{ID: r.uvarint(), Ticket: r.uvarint(), Queued: r.time(), Attempts: r.int(), NextAttempt: r.time()}
	m.LastError, m.Kind, m.From = r.str(), templates.Name(r.str()), r.address()
	m.To, m.Cc = r.addresses(), r.addresses()
	switch r.uvarint() {
	case 0:
	case 1:
		a := r.address()
		m.ReplyTo = &a
	default:
		r.check(false)
	}
	m.Subject, m.Text, m.HTML, m.MessageID, m.InReplyTo = r.str(), r.str(), r.str(), r.str(), r.str()
	m.References, m.AutoSubmitted = r.strings(), AutoSubmitted(r.str())
	if n := r.count(7); n > 0 {
		m.Attachments = make([]Attachment, n)
		for i := range m.Attachments {
			a := &m.Attachments[i]
			a.Name, a.Type, a.Size = r.str(), r.str(), r.varint()
			flags := r.uvarint()
			a.Inline, a.Stored = flags&attachmentInline != 0, flags&attachmentStored != 0
			a.Dropped, a.Unreadable = flags&attachmentDropped != 0, flags&attachmentUnreadable != 0
			a.ContentID, a.SHA256, a.Reason = r.str(), r.str(), r.str()
		}
	}
	m.Done = r.strings()
	if r.err != nil || len(r.b) != 0 {
		return errMailRecord
	}
	return nil
}

// mailAttempts reads how many delivery attempts a stored mail had, in
// either form, copying nothing of a binary one.
func mailAttempts(data []byte) (int, error) {
	if len(data) == 0 || data[0] != mailV1 {
		var m struct {
			Attempts int `json:"attempts"`
		}
		err := decodeValue(data, &m)
		return m.Attempts, err
	}
	r := newTicketReader(data[1:], false)
	r.uvarint() // id
	r.uvarint() // ticket
	r.time()    // queued
	attempts := r.int()
	return attempts, r.recordErr()
}
