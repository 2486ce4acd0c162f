package tiers

import (
	"errors"
	"fmt"
	"net/mail"
	"sort"
	"strings"
	"time"
)

// Tier is one support level.
type Tier struct {
	Level  int
	Name   string
	Agents []string // lower-case addresses
	// FirstResponse and Resolution are the service-level targets counted
	// from when the ticket reached this tier.
	FirstResponse time.Duration
	Resolution    time.Duration
}

// Policy is the validated set of tiers.
type Policy struct {
	tiers   []Tier         // ordered by level
	agentOf map[string]int // address → lowest level the agent belongs to
}

// NewPolicy validates the tiers and returns a Policy. Every problem found
// is reported, not just the first.
func NewPolicy(tiers []Tier) (*Policy, error) {
	var errs []error
	if len(tiers) == 0 {
		errs = append(errs, errors.New("at least one tier is required"))
	}
	sorted := make([]Tier, len(tiers))
	copy(sorted, tiers)
	sort.SliceStable(sorted, func(i, j int) bool { return sorted[i].Level < sorted[j].Level })
	p := &Policy{agentOf: map[string]int{}}
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
		agents := make([]string, 0, len(t.Agents))
		for _, a := range t.Agents {
			addr, err := mail.ParseAddress(a)
			if err != nil {
				errs = append(errs, fmt.Errorf("%s: agents: %q is not an address", where, a))
				continue
			}
			email := strings.ToLower(addr.Address)
			agents = append(agents, email)
			if _, seen := p.agentOf[email]; !seen {
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
		sorted[i] = t
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

// IsAgent reports whether email (any case) belongs to an agent of any tier.
func (p *Policy) IsAgent(email string) bool {
	_, ok := p.agentOf[strings.ToLower(strings.TrimSpace(email))]
	return ok
}
