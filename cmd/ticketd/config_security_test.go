package main

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// TestSecurityIdentities: [security] agent_logins and single_sender_domains
// reach the workflow; left out, the domains are learned (nil); mistakes are
// named by key.
func TestSecurityIdentities(t *testing.T) {
	t.Setenv("TICKETD_TEST_PW", "x")
	dir := t.TempDir()
	load := func(security string) (*Config, error) {
		p := filepath.Join(dir, "c.toml")
		text := strings.Replace(minimal, "[[tiers]]", "[security]\ntrusted_authserv_id = \"mx.example.com\"\n"+security+"\n[[tiers]]", 1)
		if err := os.WriteFile(p, []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
		return LoadConfig(p)
	}
	cfg, err := load(`agent_logins = { "Ana@Example.com" = ["ANA"] }`)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(cfg.AgentLogins["ana@example.com"], []string{"ana"}) || cfg.SingleSenderDomains != nil {
		t.Fatalf("logins %v, domains %#v", cfg.AgentLogins, cfg.SingleSenderDomains)
	}
	if cfg, err = load(`single_sender_domains = []`); err != nil || cfg.SingleSenderDomains == nil || len(cfg.SingleSenderDomains) != 0 {
		t.Fatalf("empty list: %#v, %v", cfg.SingleSenderDomains, err)
	}
	if !strings.Contains(cfg.Summary(), "by their login only") {
		t.Errorf("summary:\n%s", cfg.Summary())
	}
	for _, bad := range []struct{ text, want string }{
		{`agent_logins = { "nobody@example.com" = ["x"] }`, "security.agent_logins"},
		{`single_sender_domains = ["ana@example.com"]`, "security.single_sender_domains"},
	} {
		if _, err := load(bad.text); err == nil || !strings.Contains(err.Error(), bad.want) {
			t.Errorf("%s: error %v, want one naming %s", bad.text, err, bad.want)
		}
	}
}
