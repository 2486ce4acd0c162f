package tickets

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/ticketd/ticketd/tiers"
)

// Intake is how a desk classifies a new ticket: its type (incident or
// request) and its category, decided from the mail that opens it, as
// values (Classify) before anything is written. Agents change both later
// with #type and #category.
type Intake struct {
	// DefaultType is the type of a ticket no rule matched, and of tickets
	// stored before types existed (Ticket.Type ""); "" means incident.
	DefaultType tiers.Type
	// TypeRules are tried in order; the first that matches wins.
	TypeRules []TypeRule
	// Categories are tried in order; the first with a keyword in the
	// subject or text is the ticket's. None matching: no category.
	Categories []Category
}

// TypeRule gives Type to a new ticket whose mail was sent to one of
// Addresses (To or Cc), or whose subject or text holds one of Keywords
// (whole words; case and accents ignored, as priority keywords).
type TypeRule struct {
	Type      tiers.Type
	Keywords  []string
	Addresses []string
}

// Category is a kind of subject a desk sorts its tickets by (Correo,
// Impresoras, VPN). Keywords give it to a new ticket; Tier and Agents,
// when set, route its new tickets: they start at Tier (0: tier 1), and
// while nobody has them at that tier, its notices go to Agents instead of
// the whole tier.
type Category struct {
	Name     string
	Keywords []string
	Tier     int
	Agents   []string
}

// Classification is what Intake decided for a new ticket.
type Classification struct {
	Type     tiers.Type
	Category string // "" for none
	// Why says which rule decided the type ("" : the default), for the
	// ticket's timeline.
	Why string
}

// Default returns the desk's default type (incident when unset).
func (in *Intake) Default() tiers.Type {
	if in == nil || in.DefaultType == "" {
		return tiers.TypeIncident
	}
	return in.DefaultType
}

// Classify decides the type and category of a ticket opened by m. It
// reads only m: the same mail always gets the same answer.
func (in *Intake) Classify(m *Inbound) Classification {
	c := Classification{Type: in.Default()}
	if in == nil {
		return c
	}
	if len(in.TypeRules) == 0 && len(in.Categories) == 0 {
		return c // nothing to match: the body is not folded for nothing
	}
	// Subject and text apart: a phrase does not run from one into the other.
	words := [][]string{tiers.Words(m.Subject), tiers.Words(m.Text)}
	rcpts := map[string]bool{}
	for _, a := range slices.Concat(m.To, m.Cc) {
		rcpts[NormalizeEmail(a.Email)] = true
	}
	for _, r := range in.TypeRules {
		if why := r.match(rcpts, words); why != "" {
			c.Type, c.Why = r.Type, why
			break
		}
	}
	for _, cat := range in.Categories {
		if kw := matchKeyword(words, cat.Keywords); kw != "" {
			c.Category = cat.Name
			break
		}
	}
	return c
}

// match says why r applies to a mail to rcpts with words, "" when not.
func (r TypeRule) match(rcpts map[string]bool, words [][]string) string {
	for _, a := range r.Addresses {
		if rcpts[NormalizeEmail(a)] {
			return "sent to " + NormalizeEmail(a)
		}
	}
	if kw := matchKeyword(words, r.Keywords); kw != "" {
		return fmt.Sprintf("keyword %q", kw)
	}
	return ""
}

// matchKeyword returns the first of keywords found in one of texts (as
// folded words), "" for none.
func matchKeyword(texts [][]string, keywords []string) string {
	for _, k := range keywords {
		seq := tiers.Words(k)
		for _, words := range texts {
			if len(seq) > 0 && tiers.ContainsWords(words, seq) {
				return k
			}
		}
	}
	return ""
}

// Category returns the category called name (case and accents ignored).
func (in *Intake) Category(name string) (Category, bool) {
	if in == nil {
		return Category{}, false
	}
	for _, c := range in.Categories {
		if tiers.Fold(c.Name) == tiers.Fold(name) {
			return c, true
		}
	}
	return Category{}, false
}

// CategoryNames lists the categories' names, in order.
func (in *Intake) CategoryNames() []string {
	if in == nil {
		return nil
	}
	names := make([]string, len(in.Categories))
	for i, c := range in.Categories {
		names[i] = c.Name
	}
	return names
}

// Validate checks in against policy (the tiers and agents its categories
// route to) and normalises its addresses. Every problem is reported.
func (in *Intake) Validate(policy *tiers.Policy) error {
	return errors.Join(in.ValidateTypes(), in.ValidateCategories(policy))
}

// ValidateTypes checks the default type and the type rules.
func (in *Intake) ValidateTypes() error {
	var errs []error
	if in.DefaultType != "" && !in.DefaultType.Valid() {
		errs = append(errs, fmt.Errorf("default type %q is not one of %v", in.DefaultType, tiers.Types))
	}
	for i := range in.TypeRules {
		r := &in.TypeRules[i]
		where := fmt.Sprintf("type rule %d", i+1)
		if !r.Type.Valid() {
			errs = append(errs, fmt.Errorf("%s: type %q is not one of %v", where, r.Type, tiers.Types))
		}
		if len(r.Keywords) == 0 && len(r.Addresses) == 0 {
			errs = append(errs, fmt.Errorf("%s: needs keywords or addresses", where))
		}
		for j, a := range r.Addresses {
			r.Addresses[j] = NormalizeEmail(a)
			if domainOf(r.Addresses[j]) == "" {
				errs = append(errs, fmt.Errorf("%s: %q is not an address", where, a))
			}
		}
	}
	return errors.Join(errs...)
}

// ValidateCategories checks the categories against policy (nil: their
// tiers and agents are not checked).
func (in *Intake) ValidateCategories(policy *tiers.Policy) error {
	var errs []error
	seen := map[string]bool{}
	for i := range in.Categories {
		c := &in.Categories[i]
		where := fmt.Sprintf("category %d (%s)", i+1, c.Name)
		c.Name = strings.TrimSpace(c.Name)
		switch key := tiers.Fold(c.Name); {
		case c.Name == "" || strings.ContainsAny(c.Name, "\r\n#"):
			errs = append(errs, fmt.Errorf("%s: name must be one line without # (agents write #category NAME)", where))
		case noCategoryWords[key]:
			errs = append(errs, fmt.Errorf("%s: %q means no category in #category", where, c.Name))
		case seen[key]:
			errs = append(errs, fmt.Errorf("%s: the name is used twice", where))
		}
		seen[tiers.Fold(c.Name)] = true
		if c.Tier != 0 && policy != nil {
			if tier, ok := policy.Tier(c.Tier); !ok || tier.Vendor {
				errs = append(errs, fmt.Errorf("%s: tier %d is not a tier of the desk's agents", where, c.Tier))
			}
		}
		for j, a := range c.Agents {
			c.Agents[j] = NormalizeEmail(a)
			if policy != nil && !policy.IsAgent(c.Agents[j]) {
				errs = append(errs, fmt.Errorf("%s: %s is not an agent of any tier", where, a))
			}
		}
	}
	return errors.Join(errs...)
}

// noCategoryWords clear a ticket's category in #category.
var noCategoryWords = map[string]bool{"none": true, "ninguna": true, "ninguno": true, "nenhuma": true, "nenhum": true, "-": true}

// intake returns the classification rules of t's queue.
func (s *Service) intake(t *Ticket) *Intake { return &s.queueOf(t).Intake }

// typeOf is t's type: tickets stored before types existed have none and
// count as their desk's default.
func (s *Service) typeOf(t *Ticket) tiers.Type {
	if t.Type != "" {
		return t.Type
	}
	return s.intake(t).Default()
}
