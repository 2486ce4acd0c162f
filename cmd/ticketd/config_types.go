package main

import (
	"fmt"
	"strings"

	"github.com/ticketd/ticketd/tickets"
	"github.com/ticketd/ticketd/tiers"
)

// Ticket types and categories: [types], [[types.rules]], [[categories]]
// and the per-type targets of a tier ([tiers.request],
// [tiers.request.priority.high]). The functions take the tables and a key
// prefix so that a section holding its own ([[queues]]) reuses them.

// typesKeys is a [types] table.
type typesKeys struct {
	Default string         `toml:"default"`
	Rules   []typeRuleKeys `toml:"rules"`
}

// typeRuleKeys is one [[types.rules]] table.
type typeRuleKeys struct {
	Type      string   `toml:"type"`
	Keywords  []string `toml:"keywords"`
	Addresses []string `toml:"addresses"`
}

// categoryKeys is one [[categories]] table.
type categoryKeys struct {
	Name     string   `toml:"name"`
	Keywords []string `toml:"keywords"`
	Tier     int      `toml:"tier"`
	Agents   []string `toml:"agents"`
}

// typeTargetsKeys is a [tiers.incident] or [tiers.request] table.
type typeTargetsKeys struct {
	targetsConfig
	Priority map[string]targetsConfig `toml:"priority"`
}

// loadIntake validates types (at prefix+"types") and categories (at
// prefix+"categories") into the rules that classify new tickets, against
// the tiers they route to (nil: not checked, the policy is invalid).
func loadIntake(bad badFunc, prefix string, types typesKeys, cats []categoryKeys, policy *tiers.Policy) tickets.Intake {
	var in tickets.Intake
	if types.Default != "" {
		in.DefaultType = typeWord(types.Default)
	}
	for _, r := range types.Rules {
		in.TypeRules = append(in.TypeRules, tickets.TypeRule{Type: typeWord(r.Type), Keywords: r.Keywords, Addresses: r.Addresses})
	}
	for _, c := range cats {
		in.Categories = append(in.Categories, tickets.Category{Name: c.Name, Keywords: c.Keywords, Tier: c.Tier, Agents: c.Agents})
	}
	if err := in.ValidateTypes(); err != nil {
		for _, e := range unjoin(err) {
			bad(prefix+"types", "%v", e)
		}
	}
	if policy == nil {
		return in // its tiers are wrong, and said so
	}
	if err := in.ValidateCategories(policy); err != nil {
		for _, e := range unjoin(err) {
			bad(prefix+"categories", "%v", e)
		}
	}
	return in
}

// typeWord reads a type as written in the file, in English or Spanish;
// an unknown word is kept for the validation to name.
func typeWord(s string) tiers.Type {
	if typ, ok := tiers.ParseType(s); ok {
		return typ
	}
	return tiers.Type(s)
}

// loadTypeTargets validates a tier's [tiers.incident] and
// [tiers.request] tables (key: the tier's key) into its per-type targets;
// nil when it has none.
func loadTypeTargets(bad badFunc, key string, byType map[tiers.Type]*typeTargetsKeys) map[tiers.Type]tiers.TypeTargets {
	var out map[tiers.Type]tiers.TypeTargets
	for _, typ := range tiers.Types {
		tk := byType[typ]
		if tk == nil {
			continue
		}
		k := key + "." + string(typ)
		tt := tiers.TypeTargets{Target: loadTargets(bad, k, tk.targetsConfig)}
		for p, tg := range tk.Priority {
			if tt.ByPriority == nil {
				tt.ByPriority = map[tiers.Priority]tiers.Target{}
			}
			tt.ByPriority[tiers.Priority(p)] = loadTargets(bad, k+".priority."+p, tg)
		}
		if out == nil {
			out = map[tiers.Type]tiers.TypeTargets{}
		}
		out[typ] = tt
	}
	return out
}

// loadTargets validates an optional pair of targets (a missing one: 0,
// the next setting decides).
func loadTargets(bad badFunc, key string, tg targetsConfig) tiers.Target {
	var target tiers.Target
	if tg.FirstResponse != "" {
		target.FirstResponse = parseDuration(bad, key+".first_response", tg.FirstResponse)
	}
	if tg.Resolution != "" {
		target.Resolution = parseDuration(bad, key+".resolution", tg.Resolution)
	}
	return target
}

// writeTypeTargets adds a tier's per-type targets to its check-config line.
func writeTypeTargets(b *strings.Builder, t tiers.Tier) {
	for _, typ := range tiers.Types {
		tt, ok := t.ByType[typ]
		if !ok {
			continue
		}
		tg := t.Target(typ, "")
		fmt.Fprintf(b, "; %s: %s/%s", typ, tg.FirstResponse, tg.Resolution)
		for _, p := range tiers.Priorities {
			if _, ok := tt.ByPriority[p]; ok {
				tg := t.Target(typ, p)
				fmt.Fprintf(b, "; %s %s: %s/%s", typ, p, tg.FirstResponse, tg.Resolution)
			}
		}
	}
}

// intakeSummary describes types and categories for check-config; indent
// goes before each line (a queue's are indented under it).
func intakeSummary(indent string, in tickets.Intake) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s  types:       default %s", indent, in.Default())
	for _, r := range in.TypeRules {
		var what []string
		if len(r.Addresses) > 0 {
			what = append(what, "to "+strings.Join(r.Addresses, ", "))
		}
		if len(r.Keywords) > 0 {
			what = append(what, "words "+strings.Join(r.Keywords, ", "))
		}
		fmt.Fprintf(&b, "; %s when %s", r.Type, strings.Join(what, " or "))
	}
	b.WriteString("\n")
	for _, c := range in.Categories {
		route := "tier 1"
		if c.Tier > 0 {
			route = fmt.Sprintf("tier %d", c.Tier)
		}
		if len(c.Agents) > 0 {
			route += ", agents " + strings.Join(c.Agents, ", ")
		}
		fmt.Fprintf(&b, "%s  category:    %s — words %s → %s\n", indent, c.Name, strings.Join(c.Keywords, ", "), route)
	}
	return b.String()
}
