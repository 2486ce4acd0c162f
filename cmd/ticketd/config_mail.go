package main

import (
	"fmt"
	"strings"
	"time"

	"github.com/ticketd/ticketd/tickets"
)

// mailKeys is the [mail] section: how ticketd treats the mail it receives
// (issue 5).
type mailKeys struct {
	AckLimit     *int   `toml:"ack_limit"`
	AckWindow    string `toml:"ack_window"`
	ImportBefore string `toml:"import_before"`
	// MaxAttachmentMB bounds one attachment kept, in MiB.
	MaxAttachmentMB *int `toml:"max_attachment_mb"`
	// Admins get operational alerts (a login that starts failing).
	Admins []string `toml:"admins"`
}

// mailConfig is the validated [mail] section.
type mailConfig struct {
	AckLimit     tickets.AckLimit
	ImportBefore time.Time // zero: no cut-off
	// ImportAll is set by "once --import": everything is imported.
	ImportAll bool
	// Admins receive alerts by mail.
	Admins []string
	// MaxAttachmentSize is the largest attachment kept, in bytes.
	MaxAttachmentSize int64
}

// defaultMaxAttachmentMB is the attachment limit when max_attachment_mb
// is unset: what common providers accept in one mail.
const defaultMaxAttachmentMB = 25

// loadMail validates the [mail] section; dates without a time are
// midnight in loc.
func loadMail(bad badFunc, k mailKeys, loc *time.Location) mailConfig {
	mc := mailConfig{AckLimit: tickets.DefaultAckLimit, MaxAttachmentSize: defaultMaxAttachmentMB << 20}
	if k.MaxAttachmentMB != nil {
		if *k.MaxAttachmentMB < 1 || *k.MaxAttachmentMB > maxAttachmentMB {
			bad("mail.max_attachment_mb", "%d is not between 1 and %d", *k.MaxAttachmentMB, maxAttachmentMB)
		}
		mc.MaxAttachmentSize = int64(*k.MaxAttachmentMB) << 20
	}
	if k.AckLimit != nil {
		if *k.AckLimit < 1 {
			bad("mail.ack_limit", "%d must be at least 1", *k.AckLimit)
		}
		mc.AckLimit.Max = *k.AckLimit
	}
	if k.AckWindow != "" {
		mc.AckLimit.Window = parseDuration(bad, "mail.ack_window", k.AckWindow)
	}
	for i, a := range k.Admins {
		if e := tickets.NormalizeEmail(a); !validEmail(e) {
			bad(fmt.Sprintf("mail.admins[%d]", i), "%q is not an email address", a)
		} else {
			mc.Admins = append(mc.Admins, e)
		}
	}
	if k.ImportBefore != "" {
		t, err := parseCutOff(k.ImportBefore, loc)
		if err != nil {
			bad("mail.import_before", "%v", err)
		}
		mc.ImportBefore = t
	}
	return mc
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

// summary describes the section for check-config.
func (mc mailConfig) summary() string {
	s := fmt.Sprintf("  mail:        at most %d acknowledgements per sender every %s; attachments kept up to %d MB",
		mc.AckLimit.Max, mc.AckLimit.Window, mc.MaxAttachmentSize>>20)
	if len(mc.Admins) > 0 {
		s += "; login alerts to " + strings.Join(mc.Admins, ", ")
	}
	if !mc.ImportBefore.IsZero() {
		s += fmt.Sprintf("; mail dated before %s is imported silently", mc.ImportBefore.Format(time.RFC3339))
	}
	return s + "\n"
}
