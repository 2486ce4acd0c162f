package tickets

// Kind classifies a received message; mailin sets it when parsing.
type Kind string

const (
	// KindNormal is mail written by a person.
	KindNormal Kind = "normal"
	// KindAutoReply is automatic mail that must never be answered: RFC
	// 3834 auto-replies, out-of-office notices, list and bulk mail.
	KindAutoReply Kind = "autoreply"
	// KindBounce is a delivery failure report (RFC 3464 delivery-status
	// or a common non-standard bounce) about mail someone sent.
	KindBounce Kind = "bounce"
	// KindOwn is mail ticketd itself sent (the support address as From,
	// or one of its Message-IDs) that came back into the mailbox.
	KindOwn Kind = "own"
)

// Bounce is what a delivery failure report says: which mail failed and
// for whom.
type Bounce struct {
	// OriginalMessageID is the Message-ID (no angle brackets) of the
	// mail that could not be delivered; "" when the report does not say.
	OriginalMessageID string `json:"original_message_id,omitempty"`
	// Returned is true when OriginalMessageID was read from the returned
	// message's header (a text/rfc822-headers or message/rfc822 part), not
	// from loose text: only then does the report speak for that mail.
	Returned bool `json:"returned,omitempty"`
	// Recipients are the addresses the report names, with what happened.
	Recipients []BouncedRecipient `json:"failed_recipients,omitempty"`
}

// BouncedRecipient is one recipient of a delivery failure report.
type BouncedRecipient struct {
	Email string `json:"email"`
	// Action is the RFC 3464 action ("failed", "delayed", ...), "failed"
	// for non-standard bounces.
	Action string `json:"action,omitempty"`
	// Status is the RFC 3463 status code ("5.1.1"), "" when unknown.
	Status string `json:"status,omitempty"`
	// Diagnostic is the remote server's reply, when given.
	Diagnostic string `json:"diagnostic,omitempty"`
}

// Permanent reports whether the recipient hard-bounced: the report says
// the delivery failed, and the status (when given) is a 5.x.x one.
func (r BouncedRecipient) Permanent() bool {
	if r.Action != "failed" {
		return false
	}
	return r.Status == "" || r.Status[0] == '5'
}

// Failed returns the recipients whose delivery failed for good.
func (b *Bounce) Failed() []BouncedRecipient {
	if b == nil {
		return nil
	}
	var out []BouncedRecipient
	for _, r := range b.Recipients {
		if r.Permanent() {
			out = append(out, r)
		}
	}
	return out
}

// Attachment describes one attachment (or inline non-text part) of a
// received message.
type Attachment struct {
	Name string `json:"name"` // decoded file name (RFC 2231/2047); may be ""
	Type string `json:"type"` // lower-case media type
	Size int64  `json:"size"` // decoded bytes
	// Inline is true for parts shown in the body (inline images).
	Inline bool `json:"inline,omitempty"`
	// ContentID (without angle brackets) names an Inline part of an
	// outgoing mail's HTML, which shows it as "cid:<ContentID>"
	// (RFC 2392): mailout sends it in multipart/related with the HTML.
	ContentID string `json:"content_id,omitempty"`
	// SHA256 is the hex digest of the decoded content.
	SHA256 string `json:"sha256,omitempty"`
	// Stored is true when the content is in the attachment store under
	// SHA256 (see Blobs): it can be sent on.
	Stored bool `json:"stored,omitempty"`
	// Dropped is true when the content was not kept: larger than the
	// configured limit, or the store refused it (Reason says which). The
	// raw message in the processed mailbox still holds it.
	Dropped bool   `json:"dropped,omitempty"`
	Reason  string `json:"reason,omitempty"`
	// Unreadable is true for a Dropped attachment whose content could not
	// be decoded (damaged in transit), as opposed to one too large.
	Unreadable bool `json:"unreadable,omitempty"`
}
