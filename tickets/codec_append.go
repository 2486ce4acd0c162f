package tickets

import (
	"strconv"
	"time"
	"unicode/utf8"
)

// Hand-written encoders of the values every applied message writes
// several of: its events, its outbox mails and the senders' rate
// records. They append to one buffer sized beforehand, with no
// reflection; goccy/go-json (codec.go) spent a fifth of its time on the
// omitempty and time fields of these types alone. The bytes are exactly
// encoding/json's, HTML escaping off, like every other stored value
// (TestCodecMatchesEncodingJSON fills every field, so a field added to
// these types without its line here fails it). A time outside what RFC
// 3339 can write returns an error, as encoding/json does.

// jsonObj appends an object's members, remembering the first error.
type jsonObj struct {
	b     []byte
	first bool
	err   error
}

func newJSONObj(size int) *jsonObj {
	o := &jsonObj{b: make([]byte, 0, size), first: true}
	o.b = append(o.b, '{')
	return o
}

func (o *jsonObj) key(k string) {
	if !o.first {
		o.b = append(o.b, ',')
	}
	o.first = false
	o.b = append(o.b, '"')
	o.b = append(o.b, k...) // keys are plain ASCII
	o.b = append(o.b, '"', ':')
}

func (o *jsonObj) str(k, v string) { o.key(k); o.b = appendJSONString(o.b, v) }

func (o *jsonObj) strOmit(k, v string) {
	if v != "" {
		o.str(k, v)
	}
}

func (o *jsonObj) uint(k string, v uint64) { o.key(k); o.b = strconv.AppendUint(o.b, v, 10) }

func (o *jsonObj) uintOmit(k string, v uint64) {
	if v != 0 {
		o.uint(k, v)
	}
}

func (o *jsonObj) int(k string, v int64) { o.key(k); o.b = strconv.AppendInt(o.b, v, 10) }

func (o *jsonObj) intOmit(k string, v int64) {
	if v != 0 {
		o.int(k, v)
	}
}

func (o *jsonObj) boolOmit(k string, v bool) {
	if v {
		o.key(k)
		o.b = append(o.b, "true"...)
	}
}

func (o *jsonObj) time(k string, t time.Time) {
	o.key(k)
	o.b = o.appendTime(o.b, t)
}

func (o *jsonObj) appendTime(b []byte, t time.Time) []byte {
	b = append(b, '"')
	b, err := t.AppendText(b) // what Time.MarshalJSON quotes
	if err != nil && o.err == nil {
		o.err = err
	}
	return append(b, '"')
}

// strings appends a []string member: null when nil, as encoding/json.
func (o *jsonObj) strings(k string, v []string) {
	o.key(k)
	if v == nil {
		o.b = append(o.b, "null"...)
		return
	}
	o.b = append(o.b, '[')
	for i, s := range v {
		if i > 0 {
			o.b = append(o.b, ',')
		}
		o.b = appendJSONString(o.b, s)
	}
	o.b = append(o.b, ']')
}

func (o *jsonObj) stringsOmit(k string, v []string) {
	if len(v) > 0 {
		o.strings(k, v)
	}
}

func (o *jsonObj) address(k string, a Address) {
	o.key(k)
	o.b = appendAddress(o.b, a)
}

func (o *jsonObj) addresses(k string, v []Address) {
	o.key(k)
	if v == nil {
		o.b = append(o.b, "null"...)
		return
	}
	o.b = append(o.b, '[')
	for i, a := range v {
		if i > 0 {
			o.b = append(o.b, ',')
		}
		o.b = appendAddress(o.b, a)
	}
	o.b = append(o.b, ']')
}

func (o *jsonObj) addressesOmit(k string, v []Address) {
	if len(v) > 0 {
		o.addresses(k, v)
	}
}

func (o *jsonObj) attachmentsOmit(k string, v []Attachment) {
	if len(v) == 0 {
		return
	}
	o.key(k)
	o.b = append(o.b, '[')
	for i := range v {
		if i > 0 {
			o.b = append(o.b, ',')
		}
		a := &v[i]
		in := jsonObj{b: append(o.b, '{'), first: true}
		in.str("name", a.Name)
		in.str("type", a.Type)
		in.int("size", a.Size)
		in.boolOmit("inline", a.Inline)
		in.strOmit("content_id", a.ContentID)
		in.strOmit("sha256", a.SHA256)
		in.boolOmit("stored", a.Stored)
		in.boolOmit("dropped", a.Dropped)
		in.strOmit("reason", a.Reason)
		in.boolOmit("unreadable", a.Unreadable)
		o.b = append(in.b, '}')
	}
	o.b = append(o.b, ']')
}

func (o *jsonObj) end() ([]byte, error) {
	o.b = append(o.b, '}')
	return o.b, o.err
}

func appendAddress(b []byte, a Address) []byte {
	b = append(b, '{')
	if a.Name != "" {
		b = append(b, `"name":`...)
		b = appendJSONString(b, a.Name)
		b = append(b, ',')
	}
	b = append(b, `"email":`...)
	b = appendJSONString(b, a.Email)
	return append(b, '}')
}

// encodeEvent is encodeValue for an event.
func encodeEvent(e *Event) ([]byte, error) {
	o := newJSONObj(256 + len(e.Text) + len(e.Subject) + len(e.Detail))
	o.uint("seq", e.Seq)
	o.uint("ticket", e.Ticket)
	o.time("time", e.Time)
	o.str("kind", string(e.Kind))
	o.strOmit("actor", e.Actor)
	o.strOmit("message_id", e.MessageID)
	o.strOmit("subject", e.Subject)
	o.strOmit("text", e.Text)
	o.strOmit("from", string(e.From))
	o.strOmit("to", string(e.To))
	o.intOmit("from_tier", int64(e.FromTier))
	o.intOmit("to_tier", int64(e.ToTier))
	o.uintOmit("outbox", e.Outbox)
	o.stringsOmit("recipients", e.Recipients)
	o.strOmit("role", string(e.Role))
	o.strOmit("template", string(e.Template))
	o.strOmit("detail", e.Detail)
	o.attachmentsOmit("attachments", e.Attachments)
	o.uintOmit("merged_from", e.MergedFrom)
	return o.end()
}

// encodeMail is encodeValue for an outbox mail.
func encodeMail(m *Mail) ([]byte, error) {
	o := newJSONObj(512 + len(m.Text) + len(m.HTML) + len(m.Subject))
	o.uint("id", m.ID)
	o.uint("ticket", m.Ticket)
	o.str("kind", string(m.Kind))
	o.address("from", m.From)
	o.addresses("to", m.To)
	o.addressesOmit("cc", m.Cc)
	if m.ReplyTo != nil {
		o.address("reply_to", *m.ReplyTo)
	}
	o.str("subject", m.Subject)
	o.str("text", m.Text)
	o.str("html", m.HTML)
	o.str("message_id", m.MessageID)
	o.strOmit("in_reply_to", m.InReplyTo)
	o.stringsOmit("references", m.References)
	o.strOmit("auto_submitted", string(m.AutoSubmitted))
	o.attachmentsOmit("attachments", m.Attachments)
	o.time("queued", m.Queued)
	o.int("attempts", int64(m.Attempts))
	o.time("next_attempt", m.NextAttempt)
	o.strOmit("last_error", m.LastError)
	o.stringsOmit("done", m.Done)
	return o.end()
}

// encodeTimes is encodeValue for a rate record (ratelimit.go).
func encodeTimes(v []time.Time) ([]byte, error) {
	if v == nil {
		return []byte("null"), nil
	}
	o := jsonObj{b: make([]byte, 0, 2+len(v)*40)}
	o.b = append(o.b, '[')
	for i, t := range v {
		if i > 0 {
			o.b = append(o.b, ',')
		}
		o.b = o.appendTime(o.b, t)
	}
	o.b = append(o.b, ']')
	return o.b, o.err
}

const hexDigits = "0123456789abcdef"

// appendJSONString is encoding/json's string encoding with HTML escaping
// off: quotes, backslashes and control characters escaped, invalid UTF-8
// as U+FFFD, U+2028 and U+2029 escaped.
func appendJSONString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '\\', '"':
				b = append(b, '\\', c)
			case '\b':
				b = append(b, '\\', 'b')
			case '\f':
				b = append(b, '\\', 'f')
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xF])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
		case r == '\u2028' || r == '\u2029':
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hexDigits[r&0xF])
		default:
			i += size
			continue
		}
		i += size
		start = i
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}
