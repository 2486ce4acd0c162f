package mailparse

import (
	"github.com/ticketd/ticketd/tickets"
)

// InspectOptions configures Inspect.
type InspectOptions struct {
	Parse Options
	// Tag is the desk's subject token tag; "" accepts any tag.
	Tag string
}

// Report is what ticketd makes of one message, as `ticketd inspect`
// prints it. Lists are never null in JSON, so that scripts can iterate.
type Report struct {
	From      tickets.Address   `json:"from"`
	To        []tickets.Address `json:"to"`
	Cc        []tickets.Address `json:"cc"`
	Subject   string            `json:"subject"`
	MessageID string            `json:"message_id"`
	// Ticket is the number the subject token names, or null.
	Ticket      *uint64              `json:"ticket"`
	Kind        tickets.Kind         `json:"kind"`
	VisibleText string               `json:"visible_text"`
	Attachments []tickets.Attachment `json:"attachments"`
	// InReplyTo lists the In-Reply-To ids (added after the first
	// release: scripts reading the older keys are unaffected).
	InReplyTo []string `json:"in_reply_to"`
	// For a bounce: the Message-ID of the mail that could not be
	// delivered ("" when the report does not say) and the recipients it
	// names. For an automatic reply: the Message-ID of the mail it
	// answers, when it names one.
	OriginalMessageID string                     `json:"original_message_id,omitempty"`
	FailedRecipients  []tickets.BouncedRecipient `json:"failed_recipients,omitempty"`
}

// Inspect parses raw as the poller would and reports the result. It
// touches no store and no server.
func Inspect(raw []byte, opts InspectOptions) (Report, error) {
	in, err := ParseWithOptions(raw, opts.Parse)
	if err != nil {
		return Report{}, err
	}
	r := Report{
		From: in.From, To: orEmpty(in.To), Cc: orEmpty(in.Cc),
		Subject: in.Subject, MessageID: in.MessageID, Kind: in.Kind,
		VisibleText: in.Text, Attachments: in.Attachments, InReplyTo: in.InReplyTo,
	}
	if r.InReplyTo == nil {
		r.InReplyTo = []string{}
	}
	if in.Kind == tickets.KindAutoReply {
		r.OriginalMessageID = autoMailOriginal(in, scanParts(raw, Options{}))
	}
	if r.Attachments == nil {
		r.Attachments = []tickets.Attachment{}
	}
	if n, ok := tickets.TokenNumber(opts.Tag, in.Subject); ok {
		r.Ticket = &n
	}
	if in.Bounce != nil {
		r.OriginalMessageID = in.Bounce.OriginalMessageID
		r.FailedRecipients = in.Bounce.Recipients
		if r.FailedRecipients == nil {
			r.FailedRecipients = []tickets.BouncedRecipient{}
		}
	}
	return r, nil
}

func orEmpty(as []tickets.Address) []tickets.Address {
	if as == nil {
		return []tickets.Address{}
	}
	return as
}
