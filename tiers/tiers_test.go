package tiers

import (
	"strings"
	"testing"
	"time"
)

func TestNewPolicy(t *testing.T) {
	good := []Tier{
		{Level: 2, Name: "Nivel 2", Agents: []string{"Marta@Example.com"}, FirstResponse: time.Hour, Resolution: 8 * time.Hour},
		{Level: 1, Name: "Nivel 1", Agents: []string{"ana@example.com", "Luis <luis@example.com>"}, FirstResponse: 30 * time.Minute, Resolution: 8 * time.Hour},
	}
	p, err := NewPolicy(good, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if tier, ok := p.Tier(1); !ok || tier.Name != "Nivel 1" {
		t.Fatalf("Tier(1) = %+v, %v; want Nivel 1 (sorted by level)", tier, ok)
	}
	for _, a := range []string{"ana@example.com", "LUIS@example.com", "marta@example.com"} {
		if !p.IsAgent(a) {
			t.Errorf("IsAgent(%q) = false", a)
		}
	}
	if p.IsAgent("requester@example.com") {
		t.Error("a requester counted as an agent")
	}
	if _, ok := p.Tier(3); ok {
		t.Error("Tier(3) exists in a two-tier policy")
	}

	cases := []struct {
		name  string
		tiers []Tier
		want  []string
	}{
		{"none", nil, []string{"at least one tier"}},
		{"gap", []Tier{{Level: 1, Name: "a", Agents: []string{"a@x"}, FirstResponse: 1, Resolution: 1}, {Level: 3, Name: "c", Agents: []string{"c@x"}, FirstResponse: 1, Resolution: 1}}, []string{"tier 3: levels must be"}},
		{"everything wrong", []Tier{{Level: 1, Agents: []string{"not an address"}}}, []string{"tier 1: name is empty", `"not an address" is not an address`, "first_response", "resolution"}},
		{"no agents", []Tier{{Level: 1, Name: "a", FirstResponse: 1, Resolution: 1}}, []string{"tier 1: agents: at least one"}},
	}
	for _, c := range cases {
		_, err := NewPolicy(c.tiers, Options{})
		if err == nil {
			t.Errorf("%s: no error", c.name)
			continue
		}
		for _, w := range c.want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("%s: error %q does not mention %q", c.name, err, w)
			}
		}
	}
}
