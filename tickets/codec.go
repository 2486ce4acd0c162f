package tickets

import (
	"time"

	gojson "github.com/goccy/go-json"
	bolt "go.etcd.io/bbolt"
)

// The storage codec of the hot records (tickets, events, outbox mails)
// and of every other JSON value the store writes (putJSON). Events,
// tickets and outbox mails are written in a binary form since issue 16
// (codec_event.go, codec_ticket.go, codec_mail.go); their decoders read
// both that and the JSON below, which earlier versions wrote.
//
// Other values stay JSON, byte for byte what encoding/json writes with
// HTML escaping off (TestCodecMatchesEncodingJSON): every reader that
// decodes with encoding/json (older ticketd binaries, a database opened
// read-only by tools) reads them unchanged, and existing databases need
// no migration. "<", ">" and "&" are stored as themselves rather than as
// \u003c escapes: nothing embeds these values in HTML. Only the CPU is
// cheaper:
// goccy/go-json encodes and decodes with code compiled per type instead of
// walking reflect values field by field, about 2× (encoding) to 5×
// (decoding) faster here, with fewer allocations. Its Unmarshal copies the
// input and the strings it returns, so nothing decoded refers to bbolt's
// memory after the transaction.

// encodeValue is the stored form of v.
func encodeValue(v any) ([]byte, error) { return gojson.MarshalWithOption(v, noHTMLEscape) }

var noHTMLEscape = gojson.DisableHTMLEscape()

// decodeValue reads a stored value of any other type.
func decodeValue(data []byte, v any) error { return gojson.Unmarshal(data, v) }

// encodeTicket is the stored form of t: the binary one (codec_ticket.go).
// With the decoders below, the one place that knows a ticket record's
// format: nothing else reads or writes the tickets bucket's values.
func encodeTicket(t *Ticket) []byte { return encodeTicketV1(t) }

// binaryTicket reports whether data is a ticket in the binary form
// rather than JSON (written before schema 6), and its fields if so.
func binaryTicket(data []byte) ([]byte, bool) {
	if len(data) > 0 && data[0] == ticketV1 {
		return data[1:], true
	}
	return nil, false
}

// decodeTicket reads a stored ticket, in either form.
func decodeTicket(data []byte, t *Ticket) error {
	if b, ok := binaryTicket(data); ok {
		return decodeTicketV1(b, t)
	}
	return gojson.Unmarshal(data, t)
}

// ticketHead is the part of a ticket that listings (Summary) and
// statistics read: decoding it skips building the rest of the ticket.
type ticketHead struct {
	Summary
	Created       time.Time `json:"created"`
	FirstResponse time.Time `json:"first_response,omitempty"`
	ResolvedAt    time.Time `json:"resolved_at,omitempty"`
}

// decodeTicketHead reads the head of a stored ticket.
func decodeTicketHead(data []byte, h *ticketHead) error {
	if b, ok := binaryTicket(data); ok {
		r := newTicketReader(b, false)
		r.head(h)
		return r.recordErr()
	}
	return gojson.Unmarshal(data, h)
}

// decodeSummary reads what a listing shows of a stored ticket.
func decodeSummary(data []byte, s *Summary) error {
	if b, ok := binaryTicket(data); ok {
		var h ticketHead
		r := newTicketReader(b, false)
		r.summary(&h)
		*s = h.Summary
		return r.recordErr()
	}
	return gojson.Unmarshal(data, s)
}

// ticketStatus reads a stored ticket's status and creation only: the
// digest's searches read them for the tickets of whole hours
// (digest_lists.go, store_digest.go).
func ticketStatus(data []byte) (Status, time.Time, error) {
	if b, ok := binaryTicket(data); ok {
		r := newTicketReader(b, false)
		_, status, created := r.status()
		return status, created, r.recordErr()
	}
	var st struct {
		Status  Status    `json:"status"`
		Created time.Time `json:"created"`
	}
	err := gojson.Unmarshal(data, &st)
	return st.Status, st.Created, err
}

// decodeMail reads a stored outbox mail, in either form (codec_mail.go):
// the binary one, and JSON (written before schema 7).
func decodeMail(data []byte, m *Mail) error {
	if len(data) > 0 && data[0] == mailV1 {
		return decodeMailV1(data[1:], m)
	}
	return gojson.Unmarshal(data, m)
}

// binaryEvent reports whether data is an event in the binary form
// (codec_event.go) rather than JSON (written before schema 5), and its
// fields if so.
func binaryEvent(data []byte) ([]byte, bool) {
	if len(data) > 0 && data[0] == eventV1 {
		return data[1:], true
	}
	return nil, false
}

// eventFields is Event without its UnmarshalJSON: decodeEvent fills it
// directly, then applies the legacy reading once.
type eventFields Event

// decodeEvent reads a stored event, including those written before events
// had a Role and a Template (Event.UnmarshalJSON calls it too).
// Both stored forms read (codec_event.go): the binary one, and JSON.
func decodeEvent(data []byte, e *Event) error {
	if b, ok := binaryEvent(data); ok {
		if err := decodeEventV1(b, e); err != nil {
			return err
		}
	} else if err := gojson.Unmarshal(data, (*eventFields)(e)); err != nil {
		return err
	}
	e.readLegacy()
	return nil
}

// eventGlance is the part of an event a walk back over a ticket's recent
// past looks at first (repeatsItself): decoding it skips the rest of the
// event, its text above all; text decodes that for the few events that
// need it.
type eventGlance struct {
	Time  time.Time `json:"time"`
	Kind  EventKind `json:"kind"`
	Actor string    `json:"actor,omitempty"`
	// raw is the stored event as JSON, rest what follows the actor in
	// the binary form (codec_event.go); bbolt's memory: valid only during
	// the walk's call.
	raw  []byte
	rest []byte
}

// text decodes the event's text.
func (g eventGlance) text() (string, error) {
	if g.raw == nil {
		r := eventReader{reader{b: g.rest}}
		if t := r.string(); r.err == nil {
			return t, nil
		}
		return "", errEventRecord
	}
	var t struct {
		Text string `json:"text,omitempty"`
	}
	err := gojson.Unmarshal(g.raw, &t)
	return t.Text, err
}

// glanceEventsNewestFirst calls f with a glance at each event of ticket
// id, newest first, until f returns false: the walk of
// forEventsNewestFirst without decoding whole events.
func glanceEventsNewestFirst(tx *bolt.Tx, id uint64, f func(eventGlance) bool) error {
	return eventsNewestFirst(tx, id, func(v []byte, g *eventGlance) error {
		if b, ok := binaryEvent(v); ok {
			return glanceEventV1(b, g)
		}
		g.raw = v
		return gojson.Unmarshal(v, g)
	}, f)
}
