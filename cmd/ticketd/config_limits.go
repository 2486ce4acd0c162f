package main

import (
	"fmt"
	"strings"

	"github.com/ticketd/ticketd/mailout"
	"github.com/ticketd/ticketd/tickets"
)

// limitsKeys is the [limits] section: the caps that keep one sender or
// one forged mail from making the desk write without end. Unset keys
// take the defaults of tickets.DefaultLimits and
// mailout.DefaultMaxRecipients.
type limitsKeys struct {
	Participants             *int   `toml:"participants"`
	SubjectChars             *int   `toml:"subject_chars"`
	RecipientsPerTransaction *int   `toml:"recipients_per_transaction"`
	AgentNoticesPerSender    *int   `toml:"agent_notices_per_sender"`
	StatusRepliesPerSender   *int   `toml:"status_replies_per_sender"`
	AutoRepliesPerTicket     *int   `toml:"auto_replies_per_ticket"`
	OutboxBacklog            *int   `toml:"outbox_backlog"`
	Window                   string `toml:"window"`
}

// setRange validates a count that must be between 1 and max (a cap of
// [limits], [smtp] connections) into dst when it is set; key names it in
// the error.
func setRange(bad badFunc, key string, v *int, dst *int, max int) {
	if v == nil {
		return
	}
	if *v < 1 || *v > max {
		bad(key, "%d must be between 1 and %d", *v, max)
		return
	}
	*dst = *v
}

// loadLimits validates the workflow's caps of [limits].
func loadLimits(bad badFunc, k limitsKeys) tickets.Limits {
	l := tickets.DefaultLimits
	setRange(bad, "limits.participants", k.Participants, &l.Participants, 10000)
	setRange(bad, "limits.subject_chars", k.SubjectChars, &l.SubjectRunes, 10000)
	setRange(bad, "limits.agent_notices_per_sender", k.AgentNoticesPerSender, &l.AgentNotices, 1000000)
	setRange(bad, "limits.status_replies_per_sender", k.StatusRepliesPerSender, &l.StatusReplies, 1000000)
	setRange(bad, "limits.auto_replies_per_ticket", k.AutoRepliesPerTicket, &l.AutoReplies, 1000000)
	if k.Window != "" {
		l.Window = parseDuration(bad, "limits.window", k.Window)
	}
	return l
}

// smtpRecipients validates [limits] recipients_per_transaction, the
// sender's cap: a mail to more is sent in several transactions.
func smtpRecipients(bad badFunc, k limitsKeys) int {
	n := mailout.DefaultMaxRecipients
	setRange(bad, "limits.recipients_per_transaction", k.RecipientsPerTransaction, &n, 1000)
	return n
}

// outboxBacklog validates [limits] outbox_backlog, the flow control's
// bound (backlog.go).
func outboxBacklog(bad badFunc, k limitsKeys) int {
	n := DefaultOutboxBacklog
	setRange(bad, "limits.outbox_backlog", k.OutboxBacklog, &n, 1000000)
	return n
}

// limitsSummary is check-config's line for [limits].
func limitsSummary(t tickets.Limits, smtpRecipients, outboxBacklog int) string {
	var b strings.Builder
	fmt.Fprintf(&b, "limits: %d participants per ticket, subjects cut at %d characters, %d recipients per SMTP transaction;\n", t.Participants, t.SubjectRunes, smtpRecipients)
	fmt.Fprintf(&b, "  the ingest waits for delivery while more than %d mails wait for their first attempt;\n", outboxBacklog)
	fmt.Fprintf(&b, "  per sender per %s: %d agent notices, %d status replies; %d auto-replies recorded per ticket\n", t.Window, t.AgentNotices, t.StatusReplies, t.AutoReplies)
	return b.String()
}
