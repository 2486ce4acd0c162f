package main

import (
	"fmt"
	"strings"
	"time"

	"github.com/ticketd/ticketd/templates"
	"github.com/ticketd/ticketd/tickets"
)

// loadTickets validates every section the ticket workflow reads into its
// complete options, from tickets.DefaultOptions: all but the templates,
// the clock and the hooks, which only a running desk has (deskTickets).
func loadTickets(bad badFunc, fc *fileConfig) tickets.Options {
	o := tickets.DefaultOptions()
	loadDesk(bad, fc, &o)
	o.Policy = loadPolicy(bad, fc, o.Location)
	if o.Policy != nil && o.Policy.IsAgent(o.Desk.Email) {
		bad("tiers", "the support address %s cannot also be an agent", o.Desk.Email)
	}
	o.Intake = loadIntake(bad, "", fc.Types, fc.Categories, o.Policy)
	loadQueues(bad, fc, &o)
	loadSecurity(bad, fc.Security, &o)
	loadEscalation(bad, fc, &o)
	loadWorkflow(bad, fc, &o)
	loadMail(bad, fc.Mail, &o)
	o.Limits = loadLimits(bad, fc.Limits)
	o.Spam = spamOptions(bad, fc.Spam)
	return o
}

// loadDesk validates language, timezone and [support]: who the desk is,
// how its mails speak and in which time zone.
func loadDesk(bad badFunc, fc *fileConfig, o *tickets.Options) {
	o.Language = templates.Language(or(fc.Language, string(o.Language)))
	if !o.Language.Known() {
		bad("language", "%q is not one of %v", o.Language, templates.Languages())
	}
	loadLanguages(bad, fc, o)
	o.Location = time.Local
	if fc.Timezone != "" {
		loc, err := time.LoadLocation(fc.Timezone)
		if err != nil {
			bad("timezone", "%q is not a known time zone", fc.Timezone)
		}
		o.Location = loc
	}
	o.Desk = tickets.NewAddress(fc.Support.Name, fc.Support.Address)
	if !tickets.PlainEmail(o.Desk.Email) {
		bad("support.address", "%q is not an email address", fc.Support.Address)
	}
	if o.Desk.Name == "" {
		o.Desk.Name = templates.DeskName(o.Language)
	}
	o.Tag = or(fc.Support.Tag, o.Tag)
	if strings.ContainsAny(o.Tag, "[]#\r\n") {
		bad("support.tag", "%q must not contain [ ] # or line breaks", o.Tag)
	}
}

// loadLanguages validates languages and detect_language: which languages
// requesters may be written in (default: every language of the
// templates) and whether each requester's is detected (default: yes).
func loadLanguages(bad badFunc, fc *fileConfig, o *tickets.Options) {
	o.Languages = nil
	for i, l := range fc.Languages {
		lang := templates.Language(strings.ToLower(strings.TrimSpace(l)))
		if !lang.Known() {
			bad(fmt.Sprintf("languages[%d]", i), "%q is not one of %v", l, templates.Languages())
			continue
		}
		o.Languages = append(o.Languages, lang)
	}
	if fc.Languages != nil && len(fc.Languages) == 0 {
		bad("languages", "is empty: leave it out for every language of the templates, or list at least %q", o.Language)
	}
	if fc.DetectLanguage != nil {
		o.DetectLanguage = *fc.DetectLanguage
	}
}

// loadEscalation validates who hears of escalations: [escalation]
// notify_requester and [digest] managers.
func loadEscalation(bad badFunc, fc *fileConfig, o *tickets.Options) {
	if n := fc.Escalation.NotifyRequester; n != nil {
		o.NotifyRequesterOnEscalation = *n
	}
	for i, m := range fc.Digest.Managers {
		if e, ok := emailAt(bad, fmt.Sprintf("digest.managers[%d]", i), m); ok {
			o.Managers = append(o.Managers, e)
		}
	}
	p, err := tickets.ParseDigestPeriod(fc.Digest.Period)
	if err != nil {
		bad("digest.period", "%q is not one of daily, weekly, monthly", fc.Digest.Period)
	}
	o.DigestPeriod = p
}

// loadWorkflow validates [workflow] and [knowledge_base] into o; unset
// keys keep tickets.DefaultOptions.
func loadWorkflow(bad badFunc, fc *fileConfig, o *tickets.Options) {
	wf := fc.Workflow
	for _, d := range []struct {
		key, value string
		dst        *time.Duration
	}{
		{"workflow.reopen_window", wf.ReopenWindow, &o.ReopenWindow},
		{"workflow.auto_close", wf.AutoClose, &o.AutoClose},
		{"workflow.pending_reminder", wf.PendingReminder, &o.PendingReminder},
		{"workflow.pending_resolve", wf.PendingResolve, &o.PendingResolve},
	} {
		if d.value != "" {
			*d.dst = optionalDuration(bad, d.key, d.value)
		}
	}
	switch wf.Strangers {
	case "", "new_ticket":
	case "join":
		o.StrangersJoin = true
	default:
		bad("workflow.strangers", "%q is not one of new_ticket, join", wf.Strangers)
	}
	if wf.CollisionCheck != nil {
		o.CollisionCheck = *wf.CollisionCheck
	}
	if wf.CSAT != nil {
		o.CSAT = *wf.CSAT
	}
	if wf.AssignForwarder != nil {
		o.AssignForwarder = *wf.AssignForwarder
	}
	if wf.LowRating != nil {
		if o.LowRating = *wf.LowRating; o.LowRating < 0 || o.LowRating > 5 {
			bad("workflow.low_rating", "%d is not between 0 (never) and 5", o.LowRating)
		}
	}
	if n := fc.KB.Suggestions; n != nil {
		if o.KBSuggestions = *n; o.KBSuggestions < 0 || o.KBSuggestions > 10 {
			bad("knowledge_base.suggestions", "%d is not between 0 (off) and 10", o.KBSuggestions)
		}
	}
	if m := fc.KB.MinScore; m != nil {
		if o.KBMinScore = *m; o.KBMinScore < 0 {
			bad("knowledge_base.min_score", "%v must not be negative", o.KBMinScore)
		}
	}
}
