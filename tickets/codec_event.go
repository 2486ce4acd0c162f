package tickets

import (
	"encoding/binary"
	"errors"
	"time"

	gojson "github.com/goccy/go-json"

	"github.com/ticketd/ticketd/templates"
)

// The stored form of events, the most numerous record (about five per
// received message: the message, the mails it caused, their deliveries,
// status changes). Since issue 16 an event is written in a compact
// binary form — a version byte, then each field as a uvarint or a
// length-prefixed string, no field names — instead of JSON: a third
// fewer bytes (the time alone was a 30-character string), so fewer
// pages per commit and a smaller file, and no reflection to encode or
// decode. Events written as JSON by earlier versions still read: JSON
// starts with '{', the binary form with eventV1, and decodeEvent
// dispatches on that first byte, so no migration is needed. (An older
// ticketd cannot read the new events: going back to one means an error
// when it lists a ticket's history, not lost data.)
//
// Layout after eventV1, in this order (u = uvarint, v = varint, s = u(len)
// bytes, t = s(time.MarshalBinary of the instant, in UTC when its offset
// is 0, as JSON read it back)):
//
//	t(time) s(kind) s(actor) s(text) u(seq) u(ticket) s(message_id)
//	s(subject) s(from) s(to) v(from_tier) v(to_tier) u(outbox)
//	u(n) s(recipient)×n s(role) s(template) s(detail) u(merged_from)
//	s(attachments as JSON, "" for none)
//
// Time, kind, actor and text come first: a glance (floods.go) reads the
// first three and the text only for the events it needs.
const eventV1 = 0x01

var errEventRecord = errors.New("malformed event record")

// encodeEvent is the stored form of e.
func encodeEvent(e *Event) ([]byte, error) {
	t := e.Time
	if _, off := t.Zone(); off == 0 {
		t = t.UTC() // JSON wrote "Z", which reads back as UTC
	}
	tb, err := t.MarshalBinary()
	if err != nil {
		return nil, err
	}
	var atts []byte
	if len(e.Attachments) > 0 {
		if atts, err = encodeValue(e.Attachments); err != nil {
			return nil, err
		}
	}
	n := 1 + 2*binary.MaxVarintLen64 + 14*binary.MaxVarintLen64 + len(tb) + len(e.Kind) + len(e.Actor) + len(e.Text) +
		len(e.MessageID) + len(e.Subject) + len(e.From) + len(e.To) + len(e.Role) + len(e.Template) + len(e.Detail) + len(atts)
	for _, r := range e.Recipients {
		n += binary.MaxVarintLen64 + len(r)
	}
	b := make([]byte, 0, n)
	b = append(b, eventV1)
	b = appendString(b, tb)
	b = appendString(b, string(e.Kind))
	b = appendString(b, e.Actor)
	b = appendString(b, e.Text)
	b = binary.AppendUvarint(b, e.Seq)
	b = binary.AppendUvarint(b, e.Ticket)
	b = appendString(b, e.MessageID)
	b = appendString(b, e.Subject)
	b = appendString(b, string(e.From))
	b = appendString(b, string(e.To))
	b = binary.AppendVarint(b, int64(e.FromTier))
	b = binary.AppendVarint(b, int64(e.ToTier))
	b = binary.AppendUvarint(b, e.Outbox)
	b = binary.AppendUvarint(b, uint64(len(e.Recipients)))
	for _, r := range e.Recipients {
		b = appendString(b, r)
	}
	b = appendString(b, string(e.Role))
	b = appendString(b, string(e.Template))
	b = appendString(b, e.Detail)
	b = binary.AppendUvarint(b, e.MergedFrom)
	b = appendString(b, atts)
	return b, nil
}

// eventReader reads a binary event's fields in order with the
// aggregates' reader (store_aggregate.go): the first error sticks, and
// every later read returns zero values; decodeEventV1 and the glance
// report it as errEventRecord.
type eventReader struct{ reader }

func (r *eventReader) time() time.Time {
	var t time.Time
	if b := r.bytes(); r.err == nil {
		if err := t.UnmarshalBinary(b); err != nil {
			r.err, r.b = errEventRecord, nil
		}
	}
	return t
}

// head reads the fields a binary event starts with: its time, kind and
// actor, all that a glance at it needs (glanceEventV1).
func (r *eventReader) head() (time.Time, EventKind, string) {
	return r.time(), EventKind(r.string()), r.string()
}

// decodeEventV1 reads a binary event (without its version byte) into e.
func decodeEventV1(data []byte, e *Event) error {
	r := eventReader{reader{b: data}}
	e.Time, e.Kind, e.Actor = r.head()
	e.Text = r.string()
	e.Seq = r.uvarint()
	e.Ticket = r.uvarint()
	e.MessageID = r.string()
	e.Subject = r.string()
	e.From = Status(r.string())
	e.To = Status(r.string())
	e.FromTier = int(r.varint())
	e.ToTier = int(r.varint())
	e.Outbox = r.uvarint()
	if n := r.count(1); n > 0 {
		e.Recipients = make([]string, n)
		for i := range e.Recipients {
			e.Recipients[i] = r.string()
		}
	}
	e.Role = Role(r.string())
	e.Template = templates.Name(r.string())
	e.Detail = r.string()
	e.MergedFrom = r.uvarint()
	atts := r.bytes()
	if r.err != nil {
		return errEventRecord
	}
	if len(atts) > 0 {
		if err := gojson.Unmarshal(atts, &e.Attachments); err != nil {
			return err
		}
	}
	return nil
}

// glanceEventV1 reads the time, kind and actor of a binary event, and
// keeps the rest for text.
func glanceEventV1(data []byte, g *eventGlance) error {
	r := eventReader{reader{b: data}}
	g.Time, g.Kind, g.Actor = r.head()
	g.rest = r.b
	if r.err != nil {
		return errEventRecord
	}
	return nil
}

// binaryEventKind is the kind of a binary event (without its version
// byte), bbolt's memory; nil when the record is cut short.
func binaryEventKind(data []byte) []byte {
	r := eventReader{reader{b: data}}
	r.bytes() // the time
	return r.bytes()
}
