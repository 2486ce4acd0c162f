package main

import (
	"fmt"
	"strings"

	"github.com/ticketd/ticketd/mailin/mailparse"
	"github.com/ticketd/ticketd/tickets"
)

// spamKeys is the [spam] section: which mail is spam (kept out of the
// desk, moved to imap.spam_mailbox) and what #spam does.
type spamKeys struct {
	ServerFlags        *bool    `toml:"server_flags"`
	ScoreHeader        string   `toml:"score_header"`
	ScoreThreshold     *float64 `toml:"score_threshold"`
	DMARC              *bool    `toml:"dmarc"`
	Block              []string `toml:"block"`
	BlockOnSpamCommand bool     `toml:"block_on_spam_command"`
}

// spamRules validates the verdicts of [spam] the parser reads.
func spamRules(bad badFunc, k spamKeys) *mailparse.SpamRules {
	rules := mailparse.DefaultSpamRules
	if k.ServerFlags != nil {
		rules.ServerFlags = *k.ServerFlags
	}
	if k.DMARC != nil {
		rules.DMARC = *k.DMARC
	}
	rules.ScoreHeader = strings.TrimSpace(k.ScoreHeader)
	switch {
	case rules.ScoreHeader != "" && !headerName(rules.ScoreHeader):
		bad("spam.score_header", "%q is not a header field name", k.ScoreHeader)
	case rules.ScoreHeader != "" && k.ScoreThreshold == nil:
		bad("spam.score_threshold", "is required with spam.score_header")
	case rules.ScoreHeader == "" && k.ScoreThreshold != nil:
		bad("spam.score_header", "is required with spam.score_threshold")
	case k.ScoreThreshold != nil:
		rules.ScoreThreshold = *k.ScoreThreshold
	}
	return &rules
}

// spamOptions validates the workflow's part of [spam]: the block list and
// what #spam does.
func spamOptions(bad badFunc, k spamKeys) tickets.SpamOptions {
	opts := tickets.SpamOptions{BlockOnCommand: k.BlockOnSpamCommand}
	for i, e := range k.Block {
		n := tickets.NormalizeEmail(e)
		if domain, ok := strings.CutPrefix(n, "@"); ok {
			if !tickets.PlainEmail("x@" + domain) {
				bad(fmt.Sprintf("spam.block[%d]", i), "%q is not a domain", e)
			}
		} else if !tickets.PlainEmail(n) {
			bad(fmt.Sprintf("spam.block[%d]", i), "%q is neither an address nor an @domain", e)
		}
		opts.Block = append(opts.Block, n)
	}
	return opts
}

// headerName reports whether s is a field name (RFC 5322 §3.6.8).
func headerName(s string) bool {
	for _, c := range s {
		if c <= ' ' || c > '~' || c == ':' {
			return false
		}
	}
	return s != ""
}

// spamSummary is check-config's line for [spam].
func (c *Config) spamSummary() string {
	r := c.IMAP.Spam
	var what []string
	if r.ServerFlags {
		what = append(what, "X-Spam-Flag/X-Spam-Status/X-Spam: yes")
	}
	if r.ScoreHeader != "" {
		what = append(what, fmt.Sprintf("%s >= %g", r.ScoreHeader, r.ScoreThreshold))
	}
	switch {
	case r.DMARC && c.IMAP.TrustedAuthservID != "":
		what = append(what, fmt.Sprintf("DMARC fail under p=reject/quarantine (from %q)", c.IMAP.TrustedAuthservID))
	case r.DMARC:
		what = append(what, "DMARC not read (no security.trusted_authserv_id)")
	}
	if n := len(c.Spam.Block); n > 0 {
		what = append(what, fmt.Sprintf("%d blocked address(es)/domain(s)", n))
	}
	if len(what) == 0 {
		what = append(what, "only senders blocked with #spam")
	}
	block := "does not block the sender"
	if c.Spam.BlockOnCommand {
		block = "blocks the sender"
	}
	return fmt.Sprintf("  spam:        to %q: %s; #spam %s\n", c.IMAP.SpamMailbox, strings.Join(what, ", "), block)
}
