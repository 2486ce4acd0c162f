package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestAssignForwarder: [workflow] assign_forwarder reaches the workflow
// and check-config says it; left out, it is off.
func TestAssignForwarder(t *testing.T) {
	t.Setenv("TICKETD_TEST_PW", "x")
	dir := t.TempDir()
	for _, c := range []struct {
		workflow string
		want     bool
	}{{"", false}, {"[workflow]\nassign_forwarder = true\n", true}, {"[workflow]\nassign_forwarder = false\n", false}} {
		p := filepath.Join(dir, "c.toml")
		if err := os.WriteFile(p, []byte(strings.Replace(minimal, "[[tiers]]", c.workflow+"[[tiers]]", 1)), 0o600); err != nil {
			t.Fatal(err)
		}
		cfg, err := LoadConfig(p)
		if err != nil {
			t.Fatal(err)
		}
		if cfg.AssignForwarder != c.want {
			t.Errorf("%q: assign forwarder %v, want %v", c.workflow, cfg.AssignForwarder, c.want)
		}
		if want := "forwarding agent assigned: " + map[bool]string{true: "true", false: "false"}[c.want]; !strings.Contains(cfg.Summary(), want) {
			t.Errorf("summary lacks %q:\n%s", want, cfg.Summary())
		}
	}
}
