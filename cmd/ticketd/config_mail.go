package main

import (
	"fmt"
	"strings"
	"time"

	"github.com/ticketd/ticketd/tickets"
)

// mailKeys is the [mail] section: how ticketd treats the mail it receives.
type mailKeys struct {
	AckLimit     *int   `toml:"ack_limit"`
	AckWindow    string `toml:"ack_window"`
	ImportBefore string `toml:"import_before"`
	// MaxAttachmentMB bounds one attachment kept, in MiB.
	MaxAttachmentMB *int `toml:"max_attachment_mb"`
	// Admins get operational alerts (a login that starts failing).
	Admins []string `toml:"admins"`
}

// loadMail validates the workflow's part of [mail] into o (the attachment
// limit is the poller's: maxAttachmentSize); dates without a time are
// midnight in o.Location.
func loadMail(bad badFunc, k mailKeys, o *tickets.Options) {
	if k.AckLimit != nil {
		if *k.AckLimit < 1 {
			bad("mail.ack_limit", "%d must be at least 1", *k.AckLimit)
		}
		o.AckLimit.Max = *k.AckLimit
	}
	if k.AckWindow != "" {
		o.AckLimit.Window = parseDuration(bad, "mail.ack_window", k.AckWindow)
	}
	for i, a := range k.Admins {
		if e, ok := emailAt(bad, fmt.Sprintf("mail.admins[%d]", i), a); ok {
			o.Admins = append(o.Admins, e)
		}
	}
	if k.ImportBefore != "" {
		t, err := parseCutOff(k.ImportBefore, o.Location)
		if err != nil {
			bad("mail.import_before", "%v", err)
		}
		o.ImportBefore = t
	}
}

// maxAttachmentSize validates [mail] max_attachment_mb: the largest
// attachment kept, in bytes (def when unset).
func maxAttachmentSize(bad badFunc, k mailKeys, def int64) int64 {
	if k.MaxAttachmentMB == nil {
		return def
	}
	if *k.MaxAttachmentMB < 1 || *k.MaxAttachmentMB > maxAttachmentMB {
		bad("mail.max_attachment_mb", "%d is not between 1 and %d", *k.MaxAttachmentMB, maxAttachmentMB)
	}
	return int64(*k.MaxAttachmentMB) << 20
}

// parseCutOff reads an RFC 3339 time or a YYYY-MM-DD date (midnight in
// loc).
func parseCutOff(s string, loc *time.Location) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	if loc == nil {
		loc = time.Local
	}
	if t, err := time.ParseInLocation(time.DateOnly, s, loc); err == nil {
		return t, nil
	}
	return time.Time{}, fmt.Errorf("%q is neither a date (2026-03-01) nor an RFC 3339 time (2026-03-01T00:00:00-05:00)", s)
}

// mailSummary is check-config's line for [mail].
func mailSummary(o tickets.Options, maxAttachmentSize int64) string {
	s := fmt.Sprintf("  mail:        at most %d acknowledgements per sender every %s; attachments kept up to %d MB",
		o.AckLimit.Max, o.AckLimit.Window, maxAttachmentSize>>20)
	if len(o.Admins) > 0 {
		s += "; login alerts to " + strings.Join(o.Admins, ", ")
	}
	if !o.ImportBefore.IsZero() {
		s += fmt.Sprintf("; mail dated before %s is imported silently", o.ImportBefore.Format(time.RFC3339))
	}
	return s + "\n"
}
