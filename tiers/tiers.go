package tiers

import (
	"errors"
	"fmt"
	"net/mail"
	"regexp"
	"sort"
	"strings"
	"time"
)

// Target is a pair of service-level targets, in counted time (see Clock).
type Target struct {
	FirstResponse time.Duration
	Resolution    time.Duration
}

// Tier is one support level.
type Tier struct {
	Level  int
	Name   string
	Agents []string // lower-case addresses
	// FirstResponse and Resolution are the tier's default targets, counted
	// from when the ticket reached this tier; ByPriority overrides them per
	// priority (a zero field keeps the default).
	FirstResponse time.Duration
	Resolution    time.Duration
	ByPriority    map[Priority]Target
	// ByType overrides them per ticket type, and per priority within a
	// type (Target says which wins).
	ByType map[Type]TypeTargets
	// BusinessHours makes the tier's clocks count only the Policy's
	// calendar opening hours; otherwise they run 24/7.
	BusinessHours bool
	// Vendor marks an external supplier (the last tier): its addresses are
	// not agents of the desk. Tickets are forwarded to them with their
	// history, and their replies go to the desk's own agents, never
	// straight to the requester.
	Vendor bool
	// VendorRef finds the vendor's own ticket number in their subjects
	// (e.g. `\[Ticket#(\d+)\]`): its first group, else the whole match.
	VendorRef *regexp.Regexp
}

// Options are the policy settings beyond the tiers themselves.
type Options struct {
	// Calendar is the business calendar for tiers with BusinessHours.
	Calendar *Calendar
	// Keywords raise a new ticket's priority when its subject contains one
	// of them (whole words, case and accents ignored), e.g. urgent: ["urgente", "urgent"].
	Keywords map[Priority][]string
	// WarnAt is the fraction of a target (0 < WarnAt < 1) at which the
	// ticket's people are warned; 0 turns warnings off.
	WarnAt float64
}

// Policy is the validated set of tiers with their calendar and rules.
type Policy struct {
	tiers    []Tier         // ordered by level
	agentOf  map[string]int // address → lowest level the agent belongs to
	vendorOf map[string]int // vendor address → its tier level
	opts     Options
	keywords map[Priority][][]string // each keyword as folded words
}

// NewPolicy validates the tiers and options and returns a Policy. Every
// problem found is reported, not just the first.
func NewPolicy(tiers []Tier, opts Options) (*Policy, error) {
	var errs []error
	if len(tiers) == 0 {
		errs = append(errs, errors.New("at least one tier is required"))
	}
	sorted := make([]Tier, len(tiers))
	copy(sorted, tiers)
	sort.SliceStable(sorted, func(i, j int) bool { return sorted[i].Level < sorted[j].Level })
	p := &Policy{agentOf: map[string]int{}, vendorOf: map[string]int{}, opts: opts, keywords: map[Priority][][]string{}}
	for i, t := range sorted {
		where := fmt.Sprintf("tier %d", t.Level)
		if t.Level != i+1 {
			errs = append(errs, fmt.Errorf("%s: levels must be 1, 2, 3, ... without gaps or repeats", where))
		}
		if strings.TrimSpace(t.Name) == "" {
			errs = append(errs, fmt.Errorf("%s: name is empty", where))
		}
		if len(t.Agents) == 0 {
			errs = append(errs, fmt.Errorf("%s: agents: at least one agent address is required", where))
		}
		if t.Vendor && i != len(sorted)-1 {
			errs = append(errs, fmt.Errorf("%s: only the last tier may be a vendor", where))
		}
		if t.Vendor && i == 0 {
			errs = append(errs, fmt.Errorf("%s: the first tier cannot be a vendor: new tickets need the desk's own agents", where))
		}
		if t.VendorRef != nil && !t.Vendor {
			errs = append(errs, fmt.Errorf("%s: vendor_ref needs vendor = true", where))
		}
		if t.BusinessHours && opts.Calendar == nil {
			errs = append(errs, fmt.Errorf("%s: business hours need a [calendar]", where))
		}
		agents := make([]string, 0, len(t.Agents))
		for _, a := range t.Agents {
			addr, err := mail.ParseAddress(a)
			if err != nil {
				errs = append(errs, fmt.Errorf("%s: agents: %q is not an address", where, a))
				continue
			}
			email := strings.ToLower(addr.Address)
			agents = append(agents, email)
			if t.Vendor {
				if _, isAgent := p.agentOf[email]; isAgent {
					errs = append(errs, fmt.Errorf("%s: %s is an agent of the desk and cannot be the vendor", where, email))
				}
				p.vendorOf[email] = t.Level
			} else if _, seen := p.agentOf[email]; !seen {
				p.agentOf[email] = t.Level
			}
		}
		t.Agents = agents
		if t.FirstResponse <= 0 {
			errs = append(errs, fmt.Errorf("%s: first_response must be a positive duration", where))
		}
		if t.Resolution <= 0 {
			errs = append(errs, fmt.Errorf("%s: resolution must be a positive duration", where))
		}
		for pr := range t.ByPriority {
			if !pr.Valid() {
				errs = append(errs, fmt.Errorf("%s: unknown priority %q (low, normal, high, urgent)", where, pr))
			}
		}
		for typ, tt := range t.ByType {
			if !typ.Valid() {
				errs = append(errs, fmt.Errorf("%s: unknown ticket type %q (incident, request)", where, typ))
			}
			for pr := range tt.ByPriority {
				if !pr.Valid() {
					errs = append(errs, fmt.Errorf("%s: %s: unknown priority %q (low, normal, high, urgent)", where, typ, pr))
				}
			}
		}
		sorted[i] = t
	}
	if opts.WarnAt < 0 || opts.WarnAt >= 1 {
		errs = append(errs, fmt.Errorf("warn_at %v must be between 0 (off) and 1", opts.WarnAt))
	}
	for pr, words := range opts.Keywords {
		if !pr.Valid() {
			errs = append(errs, fmt.Errorf("keywords: unknown priority %q (low, normal, high, urgent)", pr))
		}
		for _, w := range words {
			if seq := Words(w); len(seq) > 0 {
				p.keywords[pr] = append(p.keywords[pr], seq)
			}
		}
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	p.tiers = sorted
	return p, nil
}

// Tier returns the tier at level.
func (p *Policy) Tier(level int) (Tier, bool) {
	if level < 1 || level > len(p.tiers) {
		return Tier{}, false
	}
	return p.tiers[level-1], true
}

// Tiers returns all tiers in level order.
func (p *Policy) Tiers() []Tier {
	out := make([]Tier, len(p.tiers))
	copy(out, p.tiers)
	return out
}

// Last returns the highest level.
func (p *Policy) Last() int { return len(p.tiers) }

// IsAgent reports whether email (any case) belongs to an agent of any
// tier. Vendor addresses are not agents.
func (p *Policy) IsAgent(email string) bool {
	_, ok := p.agentOf[strings.ToLower(strings.TrimSpace(email))]
	return ok
}

// VendorTier returns the level of the vendor tier email belongs to.
func (p *Policy) VendorTier(email string) (int, bool) {
	l, ok := p.vendorOf[strings.ToLower(strings.TrimSpace(email))]
	return l, ok
}

// Clock returns the clock tier level's targets are counted on.
func (p *Policy) Clock(level int) Clock {
	if t, ok := p.Tier(level); ok && t.BusinessHours && p.opts.Calendar != nil {
		return p.opts.Calendar
	}
	return AlwaysOpen{}
}

// WarnAt returns the warning fraction (0: no warnings).
func (p *Policy) WarnAt() float64 { return p.opts.WarnAt }

// Calendar returns the business calendar, nil when none is configured.
func (p *Policy) Calendar() *Calendar { return p.opts.Calendar }
