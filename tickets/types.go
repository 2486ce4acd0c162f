package tickets

import (
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/ticketd/ticketd/templates"
	"github.com/ticketd/ticketd/tiers"
)

// Address is a mailbox: a display name and an address. Email is stored
// lower-cased so comparisons are plain string equality.
type Address struct {
	Name  string `json:"name,omitempty"`
	Email string `json:"email"`
}

// NewAddress returns an Address with the email normalised (trimmed, lower case).
func NewAddress(name, email string) Address {
	return Address{Name: strings.TrimSpace(name), Email: NormalizeEmail(email)}
}

// NormalizeEmail lower-cases and trims an address so that lookups are exact.
func NormalizeEmail(email string) string {
	return strings.ToLower(strings.TrimSpace(email))
}

// ValidEmail is the check every stored address passes: local@domain,
// valid UTF-8, no control characters, at most 320 bytes (RFC 3696).
func ValidEmail(s string) bool {
	at := strings.LastIndexByte(s, '@')
	if at <= 0 || at == len(s)-1 || len(s) > 320 || !utf8.ValidString(s) {
		return false
	}
	return !strings.ContainsFunc(s, func(r rune) bool { return r < 0x20 || r == 0x7f })
}

// PlainEmail is the stricter shape of an address written bare — in a
// config file, or salvaged from a malformed header: also no spaces,
// brackets or separators.
func PlainEmail(s string) bool {
	return ValidEmail(s) && !strings.ContainsAny(s, " <>()[],;:\"\\")
}

// String formats the address for logs and templates ("Name <email>").
func (a Address) String() string {
	if a.Name == "" {
		return a.Email
	}
	return a.Name + " <" + a.Email + ">"
}

// Inbound is one received mail after parsing: everything the workflow needs
// and nothing of the protocol that delivered it. mailin builds it.
type Inbound struct {
	// MessageID is the Message-ID header without angle brackets. When the
	// mail has none, mailin sets it to "sha256:" + ContentHash so that
	// re-delivery is still detected.
	MessageID  string    `json:"message_id"`
	InReplyTo  []string  `json:"in_reply_to,omitempty"` // without angle brackets
	References []string  `json:"references,omitempty"`  // without angle brackets, oldest first
	From       Address   `json:"from"`
	ReplyTo    []Address `json:"reply_to,omitempty"`
	To         []Address `json:"to,omitempty"`
	Cc         []Address `json:"cc,omitempty"`
	// DeliveredTo and XOriginalTo are the envelope recipients the MTA
	// recorded (Delivered-To, X-Original-To; topmost first): they route
	// Bcc'd mail and rewritten aliases to a queue (queue.go).
	DeliveredTo []string `json:"delivered_to,omitempty"`
	XOriginalTo []string `json:"x_original_to,omitempty"`
	// Mailbox is the IMAP mailbox the mail was read from, set by mailin:
	// mail naming no queue address goes to that mailbox's queue.
	Mailbox string    `json:"mailbox,omitempty"`
	Subject string    `json:"subject"` // decoded (RFC 2047)
	Date    time.Time `json:"date"`    // the Date header; zero when missing or unparseable
	// Text is the new text of the message: the readable body (text/plain
	// when present, else text derived from text/html) without quoted
	// history, ticketd's reply line or signature. It may be empty: a reply
	// that only quotes.
	Text string `json:"text"`
	// FullText is the whole readable body, quotes included. Both texts are
	// capped in size; the raw message stays in the IMAP mailbox.
	FullText string `json:"full_text,omitempty"`
	// AutoSubmitted is true for mail that must never be answered
	// automatically (RFC 3834 Auto-Submitted other than "no", Precedence
	// bulk/junk/list).
	AutoSubmitted bool `json:"auto_submitted,omitempty"`
	// SenderVerified is true when a trusted Authentication-Results header
	// (RFC 8601) shows the From domain authenticated: dmarc=pass, or
	// dkim=pass / spf=pass aligned with the From domain. It proves the
	// domain, not the person (verify.go decides what it proves for whom).
	SenderVerified bool `json:"sender_verified,omitempty"`
	// AuthLogin is the SMTP AUTH login a trusted Authentication-Results
	// header records (auth=pass smtp.auth=...), lower case; "" when none.
	AuthLogin string `json:"auth_login,omitempty"`
	// Priority is what the sender's client declared (Importance,
	// X-Priority, Priority headers), one of tiers.Priorities, or "".
	Priority tiers.Priority `json:"priority,omitempty"`
	// Kind classifies the message (normal, autoreply, bounce, own); ""
	// is read as normal, or autoreply when AutoSubmitted.
	Kind Kind `json:"kind,omitempty"`
	// Bounce is what a delivery failure report says; nil unless Kind is
	// KindBounce.
	Bounce *Bounce `json:"bounce,omitempty"`
	// Attachments lists the message's attachments and inline non-text
	// parts.
	Attachments []Attachment `json:"attachments,omitempty"`
	// ContentHash is the hex SHA-256 of the raw message.
	ContentHash string `json:"content_hash"`
	// Size is the raw message size in bytes.
	Size int64 `json:"size"`
	// ContentLanguage is the primary subtag of the first language the
	// Content-Language header declares (RFC 3282), lower case: "en" for
	// "en-US, es"; "" when there is none.
	ContentLanguage string `json:"content_language,omitempty"`
	// Spam is the receiving server's verdict that the mail is spam, as
	// mailparse read it (spam.go); "" when it gave none.
	Spam SpamReason `json:"spam,omitempty"`
	// Forwarded is the mail this one forwards (inline or attached), as
	// its original sender wrote it; nil when it forwards none. Only an
	// agent's forward makes its sender the requester (onbehalf.go).
	Forwarded *Forwarded `json:"forwarded,omitempty"`

	// prepared is what Service.Prepare computed for this message ahead
	// of the transaction (prepare.go); nil when it was not prepared.
	prepared *prepared
}

// Forwarded is a mail forwarded inside another: who wrote it, when, about
// what and in which words, and what the forwarder wrote above it.
type Forwarded struct {
	From    Address   `json:"from"`
	Date    time.Time `json:"date,omitzero"` // zero when the layout's date was unreadable
	Subject string    `json:"subject,omitempty"`
	Text    string    `json:"text"`
	Note    string    `json:"note,omitempty"` // the forwarder's own words
}

// Outcome says what happened to one inbound message.
type Outcome string

const (
	OutcomeCreated   Outcome = "created"   // a new ticket was opened
	OutcomeAppended  Outcome = "appended"  // added to an existing ticket
	OutcomeDuplicate Outcome = "duplicate" // seen before: nothing changed
	OutcomeIgnored   Outcome = "ignored"   // deliberately not applied (e.g. our own mail)
	OutcomeSpam      Outcome = "spam"      // spam: applied to nothing, for the spam mailbox (spam.go)
)

// Result reports how one inbound message was applied. The caller may move
// the message out of the inbox only once it holds a Result: by then the
// change is committed.
type Result struct {
	Ticket  uint64  `json:"ticket"` // 0 when ignored
	Outcome Outcome `json:"outcome"`
	Reason  string  `json:"reason,omitempty"` // why ignored
	// Spam says why an OutcomeSpam message is spam; "" when it was filed
	// as spam before (a second delivery).
	Spam SpamReason `json:"spam,omitempty"`
}

// Status is a ticket's place in its lifecycle.
type Status string

const (
	StatusNew      Status = "new"      // nobody at the desk has answered yet
	StatusOpen     Status = "open"     // an agent answered; work goes on
	StatusPending  Status = "pending"  // waiting on the requester
	StatusResolved Status = "resolved" // the desk considers it solved
	StatusClosed   Status = "closed"   // finished; new mail opens a new ticket
)

// Ticket is one conversation with a requester.
type Ticket struct {
	ID      uint64 `json:"id"`
	Subject string `json:"subject"`
	Status  Status `json:"status"`
	// Queue is the name of the ticket's queue; "" the default queue
	// (queue.go).
	Queue        string    `json:"queue,omitempty"`
	Tier         int       `json:"tier"`
	Requester    Address   `json:"requester"`
	Participants []Address `json:"participants,omitempty"` // Cc'd people who get public answers
	// Pending are people a mail in the requester's name copied, waiting
	// for the requester to confirm them (participants.go).
	Pending  []PendingParticipant `json:"pending_participants,omitempty"`
	Assignee string               `json:"assignee,omitempty"` // agent address, empty when unassigned
	Created  time.Time            `json:"created"`
	Updated  time.Time            `json:"updated"`
	// FirstResponse is when an agent first answered publicly; zero until then.
	FirstResponse time.Time `json:"first_response,omitempty"`
	ResolvedAt    time.Time `json:"resolved_at,omitempty"`
	// RootMessageID is the Message-ID of the mail that opened the ticket;
	// LastPublicMessageID is the newest message of the public conversation.
	// Outgoing mail refers to both so clients keep one thread.
	RootMessageID       string `json:"root_message_id"`
	LastPublicMessageID string `json:"last_public_message_id"`
	// AgentThreadID is the Message-ID of the first notification sent to
	// agents, so the agents' view threads too.
	AgentThreadID string `json:"agent_thread_id,omitempty"`

	Priority tiers.Priority `json:"priority,omitempty"`
	// Type is incident or request; "" (tickets stored before types
	// existed) reads as the desk's default type (Service.typeOf).
	Type tiers.Type `json:"type,omitempty"`
	// Category is one of the desk's categories by name, "" for none.
	Category string `json:"category,omitempty"`
	// TierSince is when the ticket reached its current tier; the SLA
	// countdowns of that tier started then.
	TierSince time.Time `json:"tier_since,omitzero"`
	SLA       SLA       `json:"sla"`
	// NextCheck is the instant under which the ticket is filed in the SLA
	// due index (zero: not filed). Kept here so the old entry can be
	// removed exactly when the ticket is filed again.
	NextCheck time.Time `json:"next_check,omitzero"`
	// Escalations counts how often the ticket climbed a tier.
	Escalations int `json:"escalations,omitempty"`
	// VendorRef is the external vendor's own ticket number, once their
	// mail named it.
	VendorRef string `json:"vendor_ref,omitempty"`
	// Rating is the requester's satisfaction (1–5), 0 when not rated;
	// RatingComment what they wrote with it. CSATAsked is set when the
	// question went out for the current resolution.
	Rating        int    `json:"rating,omitempty"`
	RatingComment string `json:"rating_comment,omitempty"`
	CSATAsked     bool   `json:"csat_asked,omitempty"`

	// LastPublicAt and LastPublicBy are when and by whom (requester,
	// participant, or the agent whose answer was relayed) the public
	// conversation last moved: the collision check compares them with the
	// notification an agent answers.
	LastPublicAt time.Time `json:"last_public_at,omitzero"`
	LastPublicBy string    `json:"last_public_by,omitempty"`
	// Held is an agent's answer kept back by the collision check until
	// they confirm it with #send.
	Held *HeldReply `json:"held,omitempty"`

	// PendingSince is when the ticket last became pending; ReminderSent
	// whether the requester was reminded since.
	PendingSince time.Time `json:"pending_since,omitzero"`
	ReminderSent bool      `json:"reminder_sent,omitempty"`

	// Links are related tickets: the one a new ticket continues, or that
	// a stranger's mail named.
	Links []uint64 `json:"links,omitempty"`
	// Suggested are the knowledge-base articles offered in the
	// acknowledgement; SolvedBy the one the requester said solved it.
	Suggested []uint64 `json:"suggested,omitempty"`
	SolvedBy  uint64   `json:"solved_by,omitempty"`
	// CloseReason says why a closed ticket was closed when it is not the
	// usual end: CloseSpam (spam.go).
	CloseReason CloseReason `json:"close_reason,omitempty"`

	// Language is the requester's language on this ticket: every mail to
	// the requester and participants is written in it (language.go); ""
	// (tickets from before languages per requester): the desk's.
	Language templates.Language `json:"language,omitempty"`
	// ForwardedBy is the agent who opened the ticket on the requester's
	// behalf, forwarding their mail or naming them with "#requester" in a
	// new mail (onbehalf.go); "" otherwise.
	ForwardedBy string `json:"forwarded_by,omitempty"`

	// Problem is the problem ticket this incident is linked to (0: none);
	// the problem's incidents are in the problem_incidents index
	// (problems.go). MergedInto is the ticket this one was merged into: it
	// is closed, and mail that threads to it lands there (merge.go).
	Problem    uint64 `json:"problem,omitempty"`
	MergedInto uint64 `json:"merged_into,omitempty"`

	// The report's facts (aggregate.go), recorded by the workflow when
	// they happen, so every figure is a function of the stored ticket.
	// OpenedTier is the tier the ticket opened at. Answered is its first
	// public answer, Resolved its last resolution (zeroed when it
	// reopens), Reopened each reopening; Work in them is business time
	// since opening on each tier's clock, pauses excluded. PriorWork is
	// the time the countdowns of the tiers it left had counted.
	// FirstResponseBreach and ResolutionBreach are the first breach of
	// each target on any tier: sticky, as the countdowns restart per
	// tier. Rated is when Rating came, with the tier and agent of the
	// resolution rated; DoneAt when the ticket last left
	// the open statuses (resolved or closed).
	OpenedTier          int       `json:"opened_tier,omitempty"`
	Answered            Mark      `json:"answered,omitzero"`
	Resolved            Mark      `json:"resolved,omitzero"`
	Reopened            []Mark    `json:"reopened,omitempty"`
	FirstResponseBreach Mark      `json:"first_response_breach,omitzero"`
	ResolutionBreach    Mark      `json:"resolution_breach,omitzero"`
	Rated               Mark      `json:"rated,omitzero"`
	DoneAt              time.Time `json:"done_at,omitzero"`
	PriorWork           SLAWork   `json:"prior_work,omitzero"`
}

// Mark records one moment of a ticket's life for the reports: when, at
// which tier, by which agent ("" for ticketd or the requester), and the
// business time counted since the ticket opened (answers, resolutions).
type Mark struct {
	At    time.Time     `json:"at"`
	Tier  int           `json:"tier,omitempty"`
	Agent string        `json:"agent,omitempty"`
	Work  time.Duration `json:"work,omitempty"`
}

// SLAWork is counted time per SLA target.
type SLAWork struct {
	FirstResponse time.Duration `json:"first_response,omitempty"`
	Resolution    time.Duration `json:"resolution,omitempty"`
}

// HeldReply is an agent's answer waiting for confirmation.
type HeldReply struct {
	Agent     string    `json:"agent"`
	Text      string    `json:"text"`
	MessageID string    `json:"message_id"`
	At        time.Time `json:"at"`
}

// SLA holds the service-level countdowns of the ticket's current tier.
type SLA struct {
	FirstResponse tiers.Countdown `json:"first_response"`
	Resolution    tiers.Countdown `json:"resolution"`
}

// EventKind names what an Event records.
type EventKind string

const (
	EventCreated        EventKind = "created"         // ticket opened by an inbound mail
	EventInbound        EventKind = "inbound"         // a mail from anyone, added to the ticket
	EventOutbound       EventKind = "outbound"        // a mail queued to someone
	EventDelivered      EventKind = "delivered"       // the SMTP server accepted an outbound mail
	EventDeliveryFailed EventKind = "delivery_failed" // an outbound mail could not be delivered
	EventNotSent        EventKind = "not_sent"        // a mail had nobody to go to (Detail: which, why)
	EventStatus         EventKind = "status"          // status changed
	EventAssigned       EventKind = "assigned"        // assignee changed
	EventPriority       EventKind = "priority"        // priority changed
	EventEscalated      EventKind = "escalated"       // moved to the next tier (Detail: why)
	EventSLAWarning     EventKind = "sla_warning"     // a target is about to be breached
	EventSLABreach      EventKind = "sla_breach"      // a target was breached
	EventVendorRef      EventKind = "vendor_ref"      // the vendor's ticket number was recorded
	EventCommand        EventKind = "command"         // an agent's command was applied
	EventAnswer         EventKind = "answer"          // an agent's answer relayed to the requester (Text: as relayed)
	EventHeld           EventKind = "held"            // an agent's answer held by the collision check
	EventRating         EventKind = "rating"          // the requester rated the help (Detail: 1–5)
	EventLinked         EventKind = "linked"          // related to another ticket (Detail: why)
	EventKB             EventKind = "kb"              // knowledge base: saved, suggested or helped
	EventReminder       EventKind = "reminder"        // the requester was reminded of a pending ticket
	EventParticipants   EventKind = "participants"    // people copied, asked about, added, removed or refused
	EventProblem        EventKind = "problem"         // linked to or unlinked from a problem, or resolved with it (Detail: which, what)
	EventMerged         EventKind = "merged"          // merged into another ticket, or another merged into this one
	EventType           EventKind = "type"            // the ticket type changed (Detail: from → to)
	EventCategory       EventKind = "category"        // the category changed (Detail: from → to)
	EventQueue          EventKind = "queue"           // moved to another queue (Detail: from → to)
	EventRequester      EventKind = "requester"       // opened on someone's behalf, or the requester changed (#requester)
)

// Event is one entry of a ticket's timeline.
type Event struct {
	Seq        uint64    `json:"seq"`
	Ticket     uint64    `json:"ticket"`
	Time       time.Time `json:"time"`
	Kind       EventKind `json:"kind"`
	Actor      string    `json:"actor,omitempty"` // address of who caused it; "" for ticketd
	MessageID  string    `json:"message_id,omitempty"`
	Subject    string    `json:"subject,omitempty"`
	Text       string    `json:"text,omitempty"`
	From       Status    `json:"from,omitempty"` // for status events
	To         Status    `json:"to,omitempty"`
	FromTier   int       `json:"from_tier,omitempty"` // for escalations; answers: the tier that answered
	ToTier     int       `json:"to_tier,omitempty"`
	Outbox     uint64    `json:"outbox,omitempty"`     // for outbound/delivery events
	Recipients []string  `json:"recipients,omitempty"` // for outbound events
	// Role is as whom an inbound mail was added (EventInbound); Template
	// the template of an outbound mail (EventOutbound). Code branches on
	// these, never on Detail.
	Role     Role           `json:"role,omitempty"`
	Template templates.Name `json:"template,omitempty"`
	// Detail is for people: error text, reasons, what was done.
	Detail string `json:"detail,omitempty"`
	// Attachments of an inbound mail, kept or dropped (attachments.go).
	Attachments []Attachment `json:"attachments,omitempty"`
	// MergedFrom is the ticket this event was copied from when that
	// ticket was merged into this one (merge.go); 0 for the ticket's own.
	MergedFrom uint64 `json:"merged_from,omitempty"`
}

// Mail is one outgoing message waiting in the durable outbox. It is fully
// rendered when queued, so delivery makes no decisions and a template
// change never alters a mail already promised.
type Mail struct {
	ID     uint64 `json:"id"`
	Ticket uint64 `json:"ticket"`
	// Kind is the template that produced it (ack, agent_new, ...), for logs.
	Kind templates.Name `json:"kind"`
	From Address        `json:"from"`
	// To and Cc are the visible header recipients; the envelope goes to all.
	To         []Address `json:"to"`
	Cc         []Address `json:"cc,omitempty"`
	ReplyTo    *Address  `json:"reply_to,omitempty"`
	Subject    string    `json:"subject"`
	Text       string    `json:"text"`
	HTML       string    `json:"html"`
	MessageID  string    `json:"message_id"` // without angle brackets
	InReplyTo  string    `json:"in_reply_to,omitempty"`
	References []string  `json:"references,omitempty"`
	// AutoSubmitted is the RFC 3834 value (AutoReplied, AutoGenerated)
	// or "" for mail written by a person (a relayed agent answer).
	AutoSubmitted AutoSubmitted `json:"auto_submitted,omitempty"`
	// Attachments go out with the mail; their content is read from the
	// attachment store (Blobs) by SHA256 when the mail is composed.
	Attachments []Attachment `json:"attachments,omitempty"`
	Queued      time.Time    `json:"queued"`
	Attempts    int          `json:"attempts"`
	NextAttempt time.Time    `json:"next_attempt"`
	LastError   string       `json:"last_error,omitempty"`
	// Done are the recipients already settled: the SMTP server accepted
	// the mail for them, or refused them for good. A retry goes to the
	// others only (Pending).
	Done []string `json:"done,omitempty"`
}

// Pending returns the envelope recipients the mail has still to reach:
// Recipients without duplicates and without Done.
func (m *Mail) Pending() []string {
	seen := make(map[string]bool, len(m.Done))
	for _, r := range m.Done {
		seen[r] = true
	}
	var out []string
	for _, r := range m.Recipients() {
		if r != "" && !seen[r] {
			seen[r] = true
			out = append(out, r)
		}
	}
	return out
}

// Recipients returns every envelope recipient of the mail.
func (m *Mail) Recipients() []string {
	rcpts := make([]string, 0, len(m.To)+len(m.Cc))
	for _, a := range m.To {
		rcpts = append(rcpts, a.Email)
	}
	for _, a := range m.Cc {
		rcpts = append(rcpts, a.Email)
	}
	return rcpts
}

// Rejection is one recipient the SMTP server refused permanently while it
// accepted the other recipients of the same mail.
type Rejection struct {
	Mail   uint64 // outbox id
	Ticket uint64
	Rcpt   string
	Reason string // the server's reply, with its code
}

// MessageError is returned by Service.Apply when one message of a batch
// cannot be applied because of what it contains. Nothing was committed;
// the caller sets that message aside and applies the others again.
type MessageError struct {
	Index     int    // position in the batch
	MessageID string // its Message-ID, for logs
	Err       error
}

func (e *MessageError) Error() string {
	return fmt.Sprintf("message %d (%s): %v", e.Index, e.MessageID, e.Err)
}

func (e *MessageError) Unwrap() error { return e.Err }
