package main

import (
	"fmt"
	"path/filepath"
	"strings"

	"github.com/ticketd/ticketd/mailauth"
	"github.com/ticketd/ticketd/templates"
	"github.com/ticketd/ticketd/tiers"
)

// Summary describes what would run, for check-config.
func (c *Config) Summary() string {
	var b strings.Builder
	fmt.Fprintf(&b, "config %s is valid\n", c.Path)
	fmt.Fprintf(&b, "  desk:        %s, token [%s #N], mails in %q, time zone %s\n", c.Desk, c.Tag, c.Language, c.Location)
	fmt.Fprintf(&b, "  languages:   %s\n", c.languagesSummary())
	fmt.Fprintf(&b, "  database:    %s\n", filepath.Join(c.DataDir, "ticketd.db"))
	fmt.Fprintf(&b, "  imap:        %s (%s) as %s, mailbox %q → %q, failed → %q, poll every %s\n",
		c.IMAP.Address, c.IMAP.Security, c.IMAP.Username, c.IMAP.Mailbox, c.IMAP.ProcessedMailbox, c.IMAP.FailedMailbox, c.PollInterval)
	auth := "no AUTH"
	switch {
	case mailauth.IsOAuth(c.SMTP.Auth):
		auth = authSummary(c.SMTP.Auth) + " as " + c.SMTP.Username
	case c.SMTP.Username != "":
		auth = "AUTH PLAIN as " + c.SMTP.Username
	}
	fmt.Fprintf(&b, "  smtp:        %s (%s), %s, up to %d connections\n", c.SMTP.Address, c.SMTP.Security, auth, c.SMTP.Connections)
	writeTiers(&b, "tier", c.Policy)
	b.WriteString(intakeSummary("", c.Intake))
	b.WriteString(c.queuesSummary())
	if c.RequireVerifiedAgents {
		fmt.Fprintf(&b, "  agents:      verified by Authentication-Results from %q\n", c.IMAP.TrustedAuthservID)
		switch {
		case c.SingleSenderDomains == nil:
			fmt.Fprintf(&b, "               by their login, or by DKIM/SPF/DMARC on domains no requester writes from\n")
		case len(c.SingleSenderDomains) == 0:
			fmt.Fprintf(&b, "               by their login only (smtp.auth)\n")
		default:
			fmt.Fprintf(&b, "               by their login, or by DKIM/SPF/DMARC on %s\n", strings.Join(c.SingleSenderDomains, ", "))
		}
	} else {
		fmt.Fprintf(&b, "  agents:      WARNING: trusted by their From header alone (set security.trusted_authserv_id)\n")
	}
	warn := "no warnings"
	if w := c.Policy.WarnAt(); w > 0 {
		warn = fmt.Sprintf("warnings at %.0f%% of a target", w*100)
	}
	fmt.Fprintf(&b, "  escalation:  checked %q, %s, requester told: %v\n", c.Escalation, warn, c.NotifyRequesterOnEscalation)
	if c.Digest != "" {
		fmt.Fprintf(&b, "  digest:      %q, %s, to %s\n", c.Digest, c.DigestPeriod, strings.Join(c.Managers, ", "))
	}
	if c.AgentDigest != "" {
		fmt.Fprintf(&b, "  agents' mail: %q, each agent their own open tickets\n", c.AgentDigest)
	}
	w := c.Options
	fmt.Fprintf(&b, "  workflow:    reopen within %s, auto-close after %s, pending reminder %s then resolve %s, strangers join: %v, collision check: %v, satisfaction: %v\n",
		offOr(w.ReopenWindow), offOr(w.AutoClose), offOr(w.PendingReminder), offOr(w.PendingResolve), w.StrangersJoin, w.CollisionCheck, w.CSAT)
	fmt.Fprintf(&b, "  on behalf:   an agent's forward opens its sender's ticket, forwarding agent assigned: %v\n", w.AssignForwarder)
	fmt.Fprintf(&b, "  kb:          up to %d suggestion(s), min score %.1f\n", w.KBSuggestions, w.KBMinScore)
	if c.TemplatesDir != "" {
		fmt.Fprintf(&b, "  templates:   embedded, overridden from %s\n", c.TemplatesDir)
	}
	b.WriteString(c.adminSummary())
	b.WriteString(mailSummary(c.Options, c.IMAP.MaxAttachmentSize))
	b.WriteString("  " + limitsSummary(c.Limits, c.SMTP.MaxRecipients, c.OutboxBacklog))
	b.WriteString(c.spamSummary())
	b.WriteString(c.imapAuthSummary())
	return b.String()
}

// languagesSummary says in which languages requesters are written to, and
// how theirs is chosen.
func (c *Config) languagesSummary() string {
	langs := c.Languages
	if len(langs) == 0 {
		langs = templates.Languages()
	}
	var names []string
	for _, l := range langs {
		names = append(names, string(l))
	}
	if !c.DetectLanguage {
		return fmt.Sprintf("requesters in %q unless an agent sets theirs with #language (%s); detection off", c.Language, strings.Join(names, ", "))
	}
	return fmt.Sprintf("requesters in their own (%s: Content-Language, then their words; remembered per address; #language corrects), agents in %q",
		strings.Join(names, ", "), c.Language)
}

// writeTiers prints one line per tier of p, each starting with label.
func writeTiers(b *strings.Builder, label string, p *tiers.Policy) {
	for _, t := range p.Tiers() {
		who, hours := "agent(s)", "24/7"
		if t.Vendor {
			who = "vendor address(es)"
		}
		if t.BusinessHours {
			hours = "business hours"
		}
		fmt.Fprintf(b, "  %-12s %s — %d %s: %s; first response %s, resolution %s (%s)",
			fmt.Sprintf("%s %d:", label, t.Level), t.Name, len(t.Agents), who, strings.Join(t.Agents, ", "), t.FirstResponse, t.Resolution, hours)
		for _, p := range tiers.Priorities {
			if _, ok := t.ByPriority[p]; ok {
				tg := t.Target("", p)
				fmt.Fprintf(b, "; %s: %s/%s", p, tg.FirstResponse, tg.Resolution)
			}
		}
		writeTypeTargets(b, t)
		b.WriteString("\n")
	}
}
