package tickets

import (
	"fmt"
	"strings"
	"time"

	"github.com/ticketd/ticketd/templates"
)

// reason says why a ticket moved or an alert went out, as typed values:
// the words people read come from the templates' phrases in the mail's
// language (reason.words); events and logs keep String, for operators.
type reason struct {
	phrase string // a templates phrase name: "reason_breach", ...
	agent  string // who asked, for an agent's command
	text   string // the agent's own words, if any
	clock  string // "first_response" or "resolution"
	target time.Duration
	left   time.Duration
	tier   int
}

func breachReason(clock string, target time.Duration, tier int) reason {
	return reason{phrase: "reason_breach", clock: clock, target: target, tier: tier}
}

func agentReason(phrase, agent, text string) reason {
	return reason{phrase: phrase, agent: agent, text: strings.TrimSpace(text)}
}

// String is the reason for the ticket's timeline (admin commands, logs):
// config keys and Go durations, read by operators, never mailed.
func (r reason) String() string {
	switch r.phrase {
	case "reason_breach":
		return fmt.Sprintf("%s target %s breached at tier %d", r.clock, r.target, r.tier)
	case "reason_warning":
		return fmt.Sprintf("%s target %s at tier %d due in %s", r.clock, r.target, r.tier, r.left)
	case "reason_moved_by":
		return "moved by " + r.agent
	case "reason_escalated_by":
		return strings.TrimSuffix("escalated by "+r.agent+": "+r.text, ": ")
	}
	return r.phrase
}

// words renders the reason in lang for people.
func (r reason) words(set *templates.Set, lang templates.Language) string {
	if r.phrase == "" {
		return ""
	}
	return phrase(set, lang, r.phrase, templates.Phrase{Agent: r.agent, Text: r.text, Clock: r.clock,
		Target: humanDuration(r.target), Left: humanDuration(r.left), Tier: r.tier})
}

// phrase renders a phrase; New checked every phrase name renders, so an
// error is a misspelt name in this package: show the name, not nothing.
func phrase(set *templates.Set, lang templates.Language, name string, p templates.Phrase) string {
	s, err := set.Phrase(lang, name, p)
	if err != nil {
		return name
	}
	return s
}

// say renders a phrase in the desk's language: the language of the queue
// of the ticket at hand (on), else the default queue's.
func (a *applier) say(name string, p templates.Phrase) string {
	return phrase(a.s.opts.Templates, a.lang(), name, p)
}

// on makes t the ticket at hand: phrases speak its queue's language.
func (a *applier) on(t *Ticket) { a.deskLang = a.s.deskLanguage(t) }

func (a *applier) lang() templates.Language {
	if a.deskLang == "" {
		return a.s.opts.Language
	}
	return a.deskLang
}
