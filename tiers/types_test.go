package tiers

import (
	"strings"
	"testing"
	"time"
)

func TestParseType(t *testing.T) {
	for in, want := range map[string]Type{
		"incident": TypeIncident, "Incidente": TypeIncident, "INCIDENCIA": TypeIncident,
		"request": TypeRequest, "solicitud": TypeRequest, "Petición": TypeRequest, "peticion": TypeRequest, "requerimiento": TypeRequest, "Solicitação": TypeRequest,
	} {
		if got, ok := ParseType(in); !ok || got != want {
			t.Errorf("ParseType(%q) = %q, %v; want %q", in, got, ok, want)
		}
	}
	for _, in := range []string{"", "problem", "incidents", "sol icitud"} {
		if got, ok := ParseType(in); ok {
			t.Errorf("ParseType(%q) = %q, want not ok", in, got)
		}
	}
}

// TestTargetPerType: each target comes from the most specific setting
// that has it: type+priority, type, priority, tier.
func TestTargetPerType(t *testing.T) {
	h := time.Hour
	tier := Tier{
		FirstResponse: 1 * h, Resolution: 8 * h,
		ByPriority: map[Priority]Target{PriorityUrgent: {FirstResponse: 10 * time.Minute, Resolution: 4 * h}, PriorityLow: {Resolution: 24 * h}},
		ByType: map[Type]TypeTargets{
			TypeRequest: {Target: Target{FirstResponse: 8 * h, Resolution: 40 * h},
				ByPriority: map[Priority]Target{PriorityHigh: {Resolution: 16 * h}}},
			TypeIncident: {Target: Target{Resolution: 6 * h}},
		},
	}
	for _, c := range []struct {
		typ    Type
		pr     Priority
		fr, rs time.Duration
	}{
		{"", PriorityNormal, 1 * h, 8 * h},                         // the tier
		{"", PriorityUrgent, 10 * time.Minute, 4 * h},              // priority
		{TypeRequest, PriorityNormal, 8 * h, 40 * h},               // type
		{TypeRequest, PriorityHigh, 8 * h, 16 * h},                 // type+priority, type
		{TypeRequest, PriorityUrgent, 8 * h, 40 * h},               // the type wins over the tier's priority
		{TypeRequest, PriorityLow, 8 * h, 40 * h},                  // idem
		{TypeIncident, PriorityNormal, 1 * h, 6 * h},               // type, then tier
		{TypeIncident, PriorityUrgent, 10 * time.Minute, 6 * h},    // type, then priority
		{TypeIncident, PriorityLow, 1 * h, 6 * h},                  // type's resolution over priority's
		{Type("unknown"), PriorityUrgent, 10 * time.Minute, 4 * h}, // no such type: as none
	} {
		got := tier.Target(c.typ, c.pr)
		if got.FirstResponse != c.fr || got.Resolution != c.rs {
			t.Errorf("Target(%q, %q) = %v/%v, want %v/%v", c.typ, c.pr, got.FirstResponse, got.Resolution, c.fr, c.rs)
		}
	}
}

func TestPolicyRejectsUnknownType(t *testing.T) {
	_, err := NewPolicy([]Tier{{Level: 1, Name: "N1", Agents: []string{"a@x.test"}, FirstResponse: time.Hour, Resolution: 2 * time.Hour,
		ByType: map[Type]TypeTargets{"problem": {}, TypeRequest: {ByPriority: map[Priority]Target{"asap": {}}}}}}, Options{})
	if err == nil {
		t.Fatal("want an error")
	}
	for _, want := range []string{`unknown ticket type "problem"`, `request: unknown priority "asap"`} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q lacks %q", err, want)
		}
	}
}
