package tickets

import (
	"encoding/binary"
	"errors"
	"time"

	"github.com/ticketd/ticketd/templates"
	"github.com/ticketd/ticketd/tiers"
)

// The stored form of tickets. Since schema 6 (issue 16) a ticket is
// written in a compact binary form like events (codec_event.go): a
// version byte, then every field in a fixed order as a uvarint, a varint
// or a length-prefixed string, no field names. The workflow reads and
// rewrites a ticket whole on every change (about 1 KB of JSON), so
// this is CPU on every message: no reflection, no quoting, no field
// names to match, and one allocation for all of a ticket's strings.
// Tickets written as JSON by earlier versions still read: JSON starts
// with '{', the binary form with ticketV1, and the decoders dispatch on
// that first byte, so no record is rewritten (schema 6 is a step that
// rewrites nothing, so that an older ticketd refuses the file instead
// of failing on its first ticket: store_migrate.go).
//
// Layout after ticketV1 (u = uvarint, v = varint, s = u(len) bytes,
// t = a time (appendTime), d = v(a duration's nanoseconds), a = s(name)
// s(email), m = t(at) v(tier) s(agent) d(work), c = a countdown:
// d(target) d(used) t(since) t(warn_at) t(due) t(met) u(flags: warned 1,
// breached 2)):
//
//	head:  u(id) s(status) t(created) s(queue) v(tier) s(type)
//	       s(category) s(subject) a(requester) s(assignee) t(updated)
//	       s(close_reason) t(first_response) t(resolved_at)
//	rest:  u(flags: csat_asked 1, reminder_sent 2, held 4)
//	       u(n) a×n (participants)  u(n) [a s(code) t(asked)]×n (pending)
//	       s(root_message_id) s(last_public_message_id) s(agent_thread_id)
//	       s(priority) t(tier_since) c(sla first response) c(sla resolution)
//	       t(next_check) v(escalations) s(vendor_ref) v(rating)
//	       s(rating_comment) t(last_public_at) s(last_public_by)
//	       [s(agent) s(text) s(message_id) t(at)] (held, when its flag is set)
//	       t(pending_since) u(n) u×n (links) u(n) u×n (suggested)
//	       u(solved_by) s(language) s(forwarded_by) u(problem)
//	       u(merged_into) v(opened_tier) m(answered) m(resolved)
//	       u(n) m×n (reopened) m(first_response_breach)
//	       m(resolution_breach) m(rated) t(done_at)
//	       d(prior_work first response) d(prior_work resolution)
//
// The head comes first and in this order so that the readers of a few
// fields stop early: the digest's searches read id, status and creation
// (ticketStatus), listings what Summary holds, statistics the head.
const ticketV1 = 0x01

var errTicketRecord = errors.New("malformed ticket record")

// Flags of the rest of a ticket.
const (
	ticketCSATAsked = 1 << iota
	ticketReminderSent
	ticketHeld
)

// Flags of a countdown.
const (
	countdownWarned = 1 << iota
	countdownBreached
)

// encodeTicketV1 is the binary form of t, version byte included.
func encodeTicketV1(t *Ticket) []byte {
	b := make([]byte, 0, 256+ticketStrings(t))
	b = append(b, ticketV1)
	// head
	b = binary.AppendUvarint(b, t.ID)
	b = appendString(b, string(t.Status))
	b = appendTime(b, t.Created)
	b = appendString(b, t.Queue)
	b = binary.AppendVarint(b, int64(t.Tier))
	b = appendString(b, string(t.Type))
	b = appendString(b, t.Category)
	b = appendString(b, t.Subject)
	b = appendAddress(b, t.Requester)
	b = appendString(b, t.Assignee)
	b = appendTime(b, t.Updated)
	b = appendString(b, string(t.CloseReason))
	b = appendTime(b, t.FirstResponse)
	b = appendTime(b, t.ResolvedAt)
	// rest
	b = binary.AppendUvarint(b, flag(t.CSATAsked, ticketCSATAsked)|flag(t.ReminderSent, ticketReminderSent)|
		flag(t.Held != nil, ticketHeld))
	b = appendAddresses(b, t.Participants)
	b = binary.AppendUvarint(b, uint64(len(t.Pending)))
	for _, p := range t.Pending {
		b = appendAddress(b, p.Address)
		b = appendString(b, p.Code)
		b = appendTime(b, p.Asked)
	}
	b = appendString(b, t.RootMessageID)
	b = appendString(b, t.LastPublicMessageID)
	b = appendString(b, t.AgentThreadID)
	b = appendString(b, string(t.Priority))
	b = appendTime(b, t.TierSince)
	b = appendCountdown(b, &t.SLA.FirstResponse)
	b = appendCountdown(b, &t.SLA.Resolution)
	b = appendTime(b, t.NextCheck)
	b = binary.AppendVarint(b, int64(t.Escalations))
	b = appendString(b, t.VendorRef)
	b = binary.AppendVarint(b, int64(t.Rating))
	b = appendString(b, t.RatingComment)
	b = appendTime(b, t.LastPublicAt)
	b = appendString(b, t.LastPublicBy)
	if h := t.Held; h != nil {
		b = appendString(b, h.Agent)
		b = appendString(b, h.Text)
		b = appendString(b, h.MessageID)
		b = appendTime(b, h.At)
	}
	b = appendTime(b, t.PendingSince)
	b = appendUints(b, t.Links)
	b = appendUints(b, t.Suggested)
	b = binary.AppendUvarint(b, t.SolvedBy)
	b = appendString(b, string(t.Language))
	b = appendString(b, t.ForwardedBy)
	b = binary.AppendUvarint(b, t.Problem)
	b = binary.AppendUvarint(b, t.MergedInto)
	b = binary.AppendVarint(b, int64(t.OpenedTier))
	b = appendMark(b, &t.Answered)
	b = appendMark(b, &t.Resolved)
	b = binary.AppendUvarint(b, uint64(len(t.Reopened)))
	for i := range t.Reopened {
		b = appendMark(b, &t.Reopened[i])
	}
	b = appendMark(b, &t.FirstResponseBreach)
	b = appendMark(b, &t.ResolutionBreach)
	b = appendMark(b, &t.Rated)
	b = appendTime(b, t.DoneAt)
	b = binary.AppendVarint(b, int64(t.PriorWork.FirstResponse))
	b = binary.AppendVarint(b, int64(t.PriorWork.Resolution))
	return b
}

// ticketStrings is about how many bytes t's strings take, to size the
// encoding's buffer once.
func ticketStrings(t *Ticket) int {
	n := len(t.Subject) + len(t.Requester.Name) + len(t.Requester.Email) + len(t.RootMessageID) +
		len(t.LastPublicMessageID) + len(t.AgentThreadID) + len(t.RatingComment)
	for _, a := range t.Participants {
		n += 16 + len(a.Name) + len(a.Email)
	}
	for _, p := range t.Pending {
		n += 32 + len(p.Address.Name) + len(p.Address.Email) + len(p.Code)
	}
	if t.Held != nil {
		n += 32 + len(t.Held.Text) + len(t.Held.MessageID)
	}
	return n + 20*(len(t.Links)+len(t.Suggested)+len(t.Reopened))
}

// Times are stored as a uvarint kind: 0 the zero time; 1 UTC, then
// v(unix seconds) u(nanoseconds); 2 another offset, then v(offset
// seconds) v(unix seconds) u(nanoseconds). They read back as JSON read
// them: an offset of 0 as UTC ("Z"), another as Local when Local has it
// at that instant, else as an unnamed fixed zone. Not the events'
// time.MarshalBinary (16 bytes with its length, zero or not): a ticket
// has 22 times besides those of its lists, most of them zero (1 byte
// here) and the rest about 11.
const (
	timeZero = iota
	timeUTC
	timeOffset
)

func appendTime(b []byte, t time.Time) []byte {
	if t.IsZero() {
		return append(b, timeZero)
	}
	if _, off := t.Zone(); off != 0 {
		b = append(b, timeOffset)
		b = binary.AppendVarint(b, int64(off))
	} else {
		b = append(b, timeUTC)
	}
	b = binary.AppendVarint(b, t.Unix())
	return binary.AppendUvarint(b, uint64(t.Nanosecond()))
}

func appendAddress(b []byte, a Address) []byte {
	return appendString(appendString(b, a.Name), a.Email)
}

func appendCountdown(b []byte, c *tiers.Countdown) []byte {
	b = binary.AppendVarint(b, int64(c.Target))
	b = binary.AppendVarint(b, int64(c.Used))
	b = appendTime(b, c.Since)
	b = appendTime(b, c.WarnAt)
	b = appendTime(b, c.Due)
	b = appendTime(b, c.Met)
	return binary.AppendUvarint(b, flag(c.Warned, countdownWarned)|flag(c.Breached, countdownBreached))
}

func appendMark(b []byte, m *Mark) []byte {
	b = appendTime(b, m.At)
	b = binary.AppendVarint(b, int64(m.Tier))
	b = appendString(b, m.Agent)
	return binary.AppendVarint(b, int64(m.Work))
}

func appendUints(b []byte, s []uint64) []byte { return appendList(b, s, binary.AppendUvarint) }

func appendAddresses(b []byte, as []Address) []byte { return appendList(b, as, appendAddress) }

func appendStrings(b []byte, ss []string) []byte { return appendList(b, ss, appendString[string]) }

// appendList appends a list's length, then each element with add: what
// readList reads.
func appendList[T any](b []byte, s []T, add func([]byte, T) []byte) []byte {
	b = binary.AppendUvarint(b, uint64(len(s)))
	for _, v := range s {
		b = add(b, v)
	}
	return b
}

// flag is f when set, else 0.
func flag(set bool, f uint64) uint64 {
	if set {
		return f
	}
	return 0
}

// ticketReader reads a binary ticket's fields in order with the
// aggregates' reader (the first error sticks). Its strings are cut from
// one copy of the whole record, all: one allocation per ticket instead
// of one per string, and nothing refers to bbolt's memory.
type ticketReader struct {
	reader
	all string
}

// newTicketReader reads data, a binary ticket without its version byte.
// Only the readers of a whole ticket copy it (copyAll): a head's few
// strings are copied one by one.
func newTicketReader(data []byte, copyAll bool) ticketReader {
	r := ticketReader{reader: reader{b: data}}
	if copyAll {
		r.all = string(data)
	}
	return r
}

func (r *ticketReader) str() string {
	if r.all == "" {
		return r.string()
	}
	b := r.bytes()
	if r.err != nil {
		return ""
	}
	end := len(r.all) - len(r.b) // where b ends in the record
	return r.all[end-len(b) : end]
}

func (r *ticketReader) time() time.Time {
	kind := r.uvarint()
	switch {
	case r.err != nil || kind == timeZero:
		return time.Time{}
	case kind == timeUTC:
		sec, nsec := r.varint(), r.uvarint()
		if r.check(nsec < 1e9) {
			return time.Unix(sec, int64(nsec)).UTC()
		}
	case kind == timeOffset:
		off, sec, nsec := r.varint(), r.varint(), r.uvarint()
		if r.check(nsec < 1e9 && off > -100*3600 && off < 100*3600 && off != 0) {
			t := time.Unix(sec, int64(nsec))
			if _, local := t.Zone(); local == int(off) {
				return t
			}
			return t.In(time.FixedZone("", int(off)))
		}
	default:
		r.check(false)
	}
	return time.Time{}
}

// recordErr is the reading's outcome: errTicketRecord for a record cut
// short or damaged.
func (r *ticketReader) recordErr() error {
	if r.err != nil {
		return errTicketRecord
	}
	return nil
}

func (r *ticketReader) int() int { return int(r.varint()) }

func (r *ticketReader) duration() time.Duration { return time.Duration(r.varint()) }

func (r *ticketReader) address() Address {
	return Address{Name: r.str(), Email: r.str()}
}

func (r *ticketReader) uints() []uint64 { return readList(r, 1, r.uvarint) }

func (r *ticketReader) addresses() []Address { return readList(r, 2, r.address) }

func (r *ticketReader) strings() []string { return readList(r, 1, r.str) }

// readList reads a list's length, then its elements with read; nil when
// it is empty. Each element takes at least min bytes (reader.count).
func readList[T any](r *ticketReader, min int, read func() T) []T {
	n := r.count(min)
	if n == 0 {
		return nil
	}
	s := make([]T, n)
	for i := range s {
		s[i] = read()
	}
	return s
}

func (r *ticketReader) countdown(c *tiers.Countdown) {
	c.Target, c.Used = r.duration(), r.duration()
	c.Since, c.WarnAt, c.Due, c.Met = r.time(), r.time(), r.time(), r.time()
	flags := r.uvarint()
	c.Warned, c.Breached = flags&countdownWarned != 0, flags&countdownBreached != 0
}

func (r *ticketReader) mark(m *Mark) {
	m.At, m.Tier, m.Agent, m.Work = r.time(), r.int(), r.str(), r.duration()
}

// status reads the fields a binary ticket starts with: its number,
// status and creation.
func (r *ticketReader) status() (uint64, Status, time.Time) {
	return r.uvarint(), Status(r.str()), r.time()
}

// summary reads what a listing shows, the head but its first response
// and resolution, into h.
func (r *ticketReader) summary(h *ticketHead) {
	h.ID, h.Status, h.Created = r.status()
	h.Queue, h.Tier, h.Type, h.Category = r.str(), r.int(), tiers.Type(r.str()), r.str()
	h.Subject, h.Requester, h.Assignee = r.str(), r.address(), r.str()
	h.Updated, h.CloseReason = r.time(), CloseReason(r.str())
}

// head reads the whole head into h.
func (r *ticketReader) head(h *ticketHead) {
	r.summary(h)
	h.FirstResponse, h.ResolvedAt = r.time(), r.time()
}

// decodeTicketV1 reads a binary ticket (without its version byte) into t.
func decodeTicketV1(data []byte, t *Ticket) error {
	r := newTicketReader(data, true)
	var h ticketHead
	r.head(&h)
	*t = Ticket{ID: h.ID, Subject: h.Subject, Status: h.Status, Queue: h.Queue, Tier: h.Tier, Requester: h.Requester,
		Assignee: h.Assignee, Created: h.Created, Updated: h.Updated, FirstResponse: h.FirstResponse,
		ResolvedAt: h.ResolvedAt, Type: h.Type, Category: h.Category, CloseReason: h.CloseReason}
	flags := r.uvarint()
	t.Participants = r.addresses()
	if n := r.count(4); n > 0 {
		t.Pending = make([]PendingParticipant, n)
		for i := range t.Pending {
			t.Pending[i] = PendingParticipant{Address: r.address(), Code: r.str(), Asked: r.time()}
		}
	}
	t.RootMessageID, t.LastPublicMessageID, t.AgentThreadID = r.str(), r.str(), r.str()
	t.Priority, t.TierSince = tiers.Priority(r.str()), r.time()
	r.countdown(&t.SLA.FirstResponse)
	r.countdown(&t.SLA.Resolution)
	t.NextCheck, t.Escalations, t.VendorRef = r.time(), r.int(), r.str()
	t.Rating, t.RatingComment = r.int(), r.str()
	t.LastPublicAt, t.LastPublicBy = r.time(), r.str()
	t.CSATAsked, t.ReminderSent = flags&ticketCSATAsked != 0, flags&ticketReminderSent != 0
	if flags&ticketHeld != 0 {
		t.Held = &HeldReply{Agent: r.str(), Text: r.str(), MessageID: r.str(), At: r.time()}
	}
	t.PendingSince = r.time()
	t.Links, t.Suggested, t.SolvedBy = r.uints(), r.uints(), r.uvarint()
	t.Language, t.ForwardedBy = templates.Language(r.str()), r.str()
	t.Problem, t.MergedInto, t.OpenedTier = r.uvarint(), r.uvarint(), r.int()
	r.mark(&t.Answered)
	r.mark(&t.Resolved)
	if n := r.count(4); n > 0 {
		t.Reopened = make([]Mark, n)
		for i := range t.Reopened {
			r.mark(&t.Reopened[i])
		}
	}
	r.mark(&t.FirstResponseBreach)
	r.mark(&t.ResolutionBreach)
	r.mark(&t.Rated)
	t.DoneAt = r.time()
	t.PriorWork.FirstResponse, t.PriorWork.Resolution = r.duration(), r.duration()
	if r.err != nil || len(r.b) != 0 {
		return errTicketRecord
	}
	return nil
}
