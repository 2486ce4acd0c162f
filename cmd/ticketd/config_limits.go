package main

import (
	"fmt"
	"strings"

	"github.com/ticketd/ticketd/tickets"
)

// limitsKeys is the [limits] section: the caps that keep one sender or
// one forged mail from making the desk write without end. Unset keys
// take the defaults of tickets.DefaultLimits and defaultSMTPRecipients.
type limitsKeys struct {
	Participants             *int   `toml:"participants"`
	SubjectChars             *int   `toml:"subject_chars"`
	RecipientsPerTransaction *int   `toml:"recipients_per_transaction"`
	AgentNoticesPerSender    *int   `toml:"agent_notices_per_sender"`
	StatusRepliesPerSender   *int   `toml:"status_replies_per_sender"`
	AutoRepliesPerTicket     *int   `toml:"auto_replies_per_ticket"`
	Window                   string `toml:"window"`
}

// limitsConfig is the validated [limits] section.
type limitsConfig struct {
	Tickets tickets.Limits
	// SMTPRecipients is the most recipients one SMTP transaction carries;
	// a mail to more is sent in several transactions.
	SMTPRecipients int
}

// defaultSMTPRecipients stays well under the 100 recipients RFC 5321
// §4.5.3.1.8 tells servers to accept at least.
const defaultSMTPRecipients = 50

// loadLimits validates the [limits] section.
func loadLimits(bad badFunc, k limitsKeys) limitsConfig {
	lc := limitsConfig{Tickets: tickets.DefaultLimits, SMTPRecipients: defaultSMTPRecipients}
	set := func(key string, v *int, dst *int, max int) {
		if v == nil {
			return
		}
		if *v < 1 || *v > max {
			bad("limits."+key, "%d must be between 1 and %d", *v, max)
			return
		}
		*dst = *v
	}
	set("participants", k.Participants, &lc.Tickets.Participants, 10000)
	set("subject_chars", k.SubjectChars, &lc.Tickets.SubjectRunes, 10000)
	set("recipients_per_transaction", k.RecipientsPerTransaction, &lc.SMTPRecipients, 1000)
	set("agent_notices_per_sender", k.AgentNoticesPerSender, &lc.Tickets.AgentNotices, 1000000)
	set("status_replies_per_sender", k.StatusRepliesPerSender, &lc.Tickets.StatusReplies, 1000000)
	set("auto_replies_per_ticket", k.AutoRepliesPerTicket, &lc.Tickets.AutoReplies, 1000000)
	if k.Window != "" {
		lc.Tickets.Window = parseDuration(bad, "limits.window", k.Window)
	}
	return lc
}

func (lc limitsConfig) summary() string {
	var b strings.Builder
	t := lc.Tickets
	fmt.Fprintf(&b, "limits: %d participants per ticket, subjects cut at %d characters, %d recipients per SMTP transaction;\n", t.Participants, t.SubjectRunes, lc.SMTPRecipients)
	fmt.Fprintf(&b, "  per sender per %s: %d agent notices, %d status replies; %d auto-replies recorded per ticket\n", t.Window, t.AgentNotices, t.StatusReplies, t.AutoReplies)
	return b.String()
}
