package tickets

import (
	"fmt"
	"strings"

	"github.com/ticketd/ticketd/templates"
	"github.com/ticketd/ticketd/tiers"
)

// Where a ticket's type and category take it, and the #type and
// #category commands. The rules themselves are in intake.go.

// startTier is the tier a new ticket t starts at: its category's, else 1.
func (s *Service) startTier(t *Ticket) int {
	if c, ok := s.intake(t).Category(t.Category); ok && c.Tier > 0 {
		if _, ok := s.queueOf(t).Policy.Tier(c.Tier); ok {
			return c.Tier
		}
	}
	return 1
}

// categoryAgents are the agents t's category sends its tickets to while
// nobody has t and it is at the category's tier; nil: the whole tier.
func (s *Service) categoryAgents(t *Ticket) []string {
	c, ok := s.intake(t).Category(t.Category)
	if !ok || len(c.Agents) == 0 || t.Tier != max(c.Tier, 1) {
		return nil
	}
	return c.Agents
}

// createdDetail is what the timeline says of a new ticket's
// classification.
func createdDetail(t *Ticket, c Classification) string {
	d := fmt.Sprintf("priority %s, type %s", t.Priority, t.Type)
	if c.Why != "" {
		d += " (" + c.Why + ")"
	}
	if t.Category != "" {
		d += ", category " + t.Category
	}
	return d
}

// checkType returns what is wrong with the argument of #type, "" when
// it names a type.
func (a *applier) checkType(arg string) string {
	if _, ok := tiers.ParseType(arg); !ok {
		return a.say("problem_type", templates.Phrase{})
	}
	return ""
}

// checkCategory returns what is wrong with the argument of #category for
// t, "" when it names one of the desk's categories or none.
func (a *applier) checkCategory(t *Ticket, arg string) string {
	if noCategoryWords[tiers.Fold(arg)] {
		return ""
	}
	if _, ok := a.s.intake(t).Category(arg); !ok {
		return a.say("problem_category", templates.Phrase{Text: strings.Join(a.s.intake(t).CategoryNames(), ", ")})
	}
	return ""
}

// setCategory gives t the category arg names (checked), or none.
func (a *applier) setCategory(t *Ticket, arg, actor string) error {
	name := ""
	if c, ok := a.s.intake(t).Category(arg); ok {
		name = c.Name
	}
	if name == t.Category {
		return nil
	}
	ev := Event{Ticket: t.ID, Time: a.now, Kind: EventCategory, Actor: actor, Detail: fmt.Sprintf("%s → %s", or(t.Category, "none"), or(name, "none"))}
	t.Category = name
	return addEvent(a.tx, ev)
}
