package main

import (
	"strings"
	"testing"
	"time"

	"github.com/ticketd/ticketd/tiers"
)

// TestTypesAndCategoriesConfig: the example's [types], [[types.rules]],
// [[categories]] and per-type targets load as documented, check-config
// prints them, and every mistake is named by its key.
func TestTypesAndCategoriesConfig(t *testing.T) {
	cfg, err := exampleWith(t, `default = "incident"                 # incident`, `default = "incidente"                 # incident`)
	if err != nil {
		t.Fatal(err)
	}
	in := cfg.Intake
	if in.Default() != tiers.TypeIncident || len(in.TypeRules) != 2 || in.TypeRules[0].Addresses[0] != "solicitudes@example.com" ||
		in.TypeRules[1].Type != tiers.TypeRequest || len(in.Categories) != 3 || in.Categories[1].Name != "VPN" || in.Categories[1].Tier != 2 {
		t.Fatalf("intake %+v", in)
	}
	t1, _ := cfg.Policy.Tier(1)
	for _, c := range []struct {
		typ    tiers.Type
		pr     tiers.Priority
		fr, rs time.Duration
	}{
		{tiers.TypeIncident, tiers.PriorityNormal, 30 * time.Minute, 8 * time.Hour},
		{tiers.TypeIncident, tiers.PriorityUrgent, 10 * time.Minute, 2 * time.Hour},
		{tiers.TypeRequest, tiers.PriorityNormal, 4 * time.Hour, 40 * time.Hour},
		{tiers.TypeRequest, tiers.PriorityUrgent, time.Hour, 8 * time.Hour},
		{tiers.TypeRequest, tiers.PriorityHigh, 4 * time.Hour, 40 * time.Hour},
	} {
		if got := t1.Target(c.typ, c.pr); got.FirstResponse != c.fr || got.Resolution != c.rs {
			t.Errorf("tier 1 %s/%s: %v/%v, want %v/%v", c.typ, c.pr, got.FirstResponse, got.Resolution, c.fr, c.rs)
		}
	}
	s := cfg.Summary()
	for _, want := range []string{
		"; request: 4h0m0s/40h0m0s; request urgent: 1h0m0s/8h0m0s",
		"types:       default incident; request when to solicitudes@example.com; request when words solicitud, alta,",
		"category:    Impresoras — words impresora, imprimir, tóner, printer → tier 1, agents luis@example.com",
		"category:    VPN — words vpn → tier 2",
	} {
		if !strings.Contains(s, want) {
			t.Errorf("check-config lacks %q:\n%s", want, s)
		}
	}
	for _, c := range []struct{ old, new, want string }{
		{`default = "incident"                 # incident`, `default = "problem" # incident`, `types: default type "problem" is not one of [incident request]`},
		{"type = \"request\"\naddresses", "type = \"wish\"\naddresses", `types: type rule 1: type "wish" is not one of`},
		{`addresses = ["solicitudes@example.com"]`, `addresses = ["solicitudes"]`, `types: type rule 1: "solicitudes" is not an address`},
		{`tier = 2` + "\n[[categories]]", `tier = 4` + "\n[[categories]]", "categories: category 2 (VPN): tier 4 is not a tier of the desk's agents"},
		{`agents = ["luis@example.com"]` + "\n[[categories]]", `agents = ["eve@attacker.test"]` + "\n[[categories]]", "categories: category 1 (Impresoras): eve@attacker.test is not an agent"},
		{`name = "Correo"`, `name = "vpn"`, "category 3 (vpn): the name is used twice"},
		{"[tiers.request]\nfirst_response = \"4h\"", "[tiers.request]\nfirst_response = \"soon\"", `tiers[0].request.first_response: "soon" is not a duration`},
		{"[tiers.request.priority.urgent]", "[tiers.request.priority.asap]", `tier 1: request: unknown priority "asap"`},
		{"[tiers.request]", "[tiers.problem]", "problem"},
	} {
		_, err := exampleWith(t, c.old, c.new)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%q → %q: error %v, want %q", c.old, c.new, err, c.want)
		}
	}
}

// TestQueueTypesAndCategoriesConfig: a queue's [queues.types],
// [[queues.categories]] and per-type targets load into that queue only,
// and check-config prints them under it.
func TestQueueTypesAndCategoriesConfig(t *testing.T) {
	commented, block := exampleQueuesBlock(t)
	cfg, err := exampleWith(t, commented, block+"\n")
	if err != nil {
		t.Fatal(err)
	}
	q := cfg.Queues[0]
	if q.Intake.Default() != tiers.TypeRequest || len(q.Intake.TypeRules) != 1 || q.Intake.TypeRules[0].Type != tiers.TypeIncident ||
		len(q.Intake.Categories) != 1 || q.Intake.Categories[0].Agents[0] != "victor@example.com" {
		t.Fatalf("queue intake %+v", q.Intake)
	}
	if len(cfg.Intake.Categories) != 3 {
		t.Fatalf("the default queue's categories changed: %+v", cfg.Intake.Categories)
	}
	t2, _ := q.Policy.Tier(2)
	if got := t2.Target(tiers.TypeRequest, tiers.PriorityNormal); got.FirstResponse != 4*time.Hour || got.Resolution != 72*time.Hour {
		t.Fatalf("queue tier 2 request targets %+v", got)
	}
	if s := cfg.Summary(); !strings.Contains(s, "    types:       default request; incident when words broken, roto, error") ||
		!strings.Contains(s, "    category:    Presupuestos — words presupuesto, quote → tier 1, agents victor@example.com") {
		t.Errorf("check-config:\n%s", s)
	}
	// A queue's category agent must be one of its own agents.
	bad := strings.Replace(block, "keywords = [\"presupuesto\", \"quote\"]\nagents = [\"victor@example.com\"]", "keywords = [\"presupuesto\", \"quote\"]\nagents = [\"ana@example.com\"]", 1)
	if bad == block {
		t.Fatal("the example's queue category changed: fix this test")
	}
	if _, err := exampleWith(t, commented, bad+"\n"); err == nil || !strings.Contains(err.Error(), "queues[0].categories: category 1 (Presupuestos): ana@example.com is not an agent") {
		t.Errorf("a category agent of another queue: %v", err)
	}
}
