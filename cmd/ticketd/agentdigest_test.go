package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// [digest] agents: off unless set, a cron schedule when set (a bad one
// is named by its key), shown by check-config; the example documents it.
func TestAgentDigestConfig(t *testing.T) {
	t.Setenv("TICKETD_TEST_PW", "x")
	dir := t.TempDir()
	load := func(text string) (*Config, error) {
		p := filepath.Join(dir, "c.toml")
		if err := os.WriteFile(p, []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
		return LoadConfig(p)
	}
	cfg, err := load(minimal)
	if err != nil || cfg.AgentDigest != "" || strings.Contains(cfg.Summary(), "agents' mail") {
		t.Fatalf("default: %v, %q", err, cfg.AgentDigest)
	}
	cfg, err = load(minimal + "[digest]\nagents = \"0 8 * * 1-5\"\n")
	if err != nil || cfg.AgentDigest != "0 8 * * 1-5" || !strings.Contains(cfg.Summary(), `agents' mail: "0 8 * * 1-5"`) {
		t.Fatalf("set: %v, %q\n%s", err, cfg.AgentDigest, cfg.Summary())
	}
	if _, err := load(minimal + "[digest]\nagents = \"mornings\"\n"); err == nil || !strings.Contains(err.Error(), `digest.agents: "mornings" is not a cron schedule`) {
		t.Fatalf("bad schedule: %v", err)
	}
	example, err := os.ReadFile("../../config.example.toml")
	if err != nil || !strings.Contains(string(example), "\nagents = \"0 8 * * 1-5\"\n") {
		t.Fatalf("config.example.toml does not document [digest] agents (%v)", err)
	}
}
