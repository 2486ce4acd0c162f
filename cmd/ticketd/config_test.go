package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ticketd/ticketd/mailout"
)

// TestExampleConfig parses and validates config.example.toml, with its
// password files made to exist.
func TestExampleConfig(t *testing.T) {
	data, err := os.ReadFile("../../config.example.toml")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	text := string(data)
	for _, name := range []string{"imap-password", "smtp-password"} {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte("pw\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		text = strings.ReplaceAll(text, "/etc/ticketd/credentials/"+name, p)
	}
	path := filepath.Join(dir, "ticketd.toml")
	os.WriteFile(path, []byte(text), 0o600)
	t.Setenv(credentialsDirEnv, "") // not under systemd: password_file is read
	cfg, err := LoadConfig(path)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.IMAP.Password != "pw" || cfg.PollInterval != time.Minute || cfg.Location.String() != "America/Bogota" {
		t.Errorf("decoded %+v", cfg)
	}
	if tier, _ := cfg.Policy.Tier(2); tier.Resolution != 24*time.Hour || tier.Agents[0] != "marta@example.com" {
		t.Errorf("tier 2 %+v", tier)
	}
	p := cfg.Policy
	if t1, _ := p.Tier(1); !t1.BusinessHours || t1.Target("", "urgent").FirstResponse != 10*time.Minute || t1.Target("", "high").Resolution != 8*time.Hour {
		t.Errorf("tier 1 %+v", t1)
	}
	if t4, _ := p.Tier(4); !t4.Vendor || t4.VendorRef.FindStringSubmatch("[ACME #77] Re: x")[1] != "77" {
		t.Errorf("tier 4 %+v", t4)
	}
	if p.Calendar() == nil || p.WarnAt() != 0.75 || !cfg.NotifyRequesterOnEscalation || cfg.Managers[0] != "jefatura@example.com" || string(cfg.DigestPeriod) != "daily" {
		t.Errorf("calendar %v warn %v", p.Calendar(), p.WarnAt())
	}
	if got := p.DetectPriority("Servidor CAIDO", ""); got != "urgent" {
		t.Errorf("keywords: %s", got)
	}
	sum := cfg.Summary()
	for _, want := range []string{"soporte@example.com", "imap.example.com:993 (tls)", "tier 2:", "AUTH PLAIN as soporte@example.com, up to 2 connections",
		`verified by Authentication-Results from "mx.example.com"`,
		`spam:        to "Spam": X-Spam-Flag/X-Spam-Status/X-Spam: yes, DMARC fail under p=reject/quarantine (from "mx.example.com"); #spam does not block the sender`} {
		if !strings.Contains(sum, want) {
			t.Errorf("summary lacks %q:\n%s", want, sum)
		}
	}
	if strings.Contains(sum, "pw") && strings.Contains(sum, "password") {
		t.Errorf("summary shows a secret:\n%s", sum)
	}
}

const minimal = `
data_dir = "data"
[support]
address = "soporte@example.com"
[imap]
address = "127.0.0.1:143"
security = "none"
password_env = "TICKETD_TEST_PW"
[smtp]
address = "127.0.0.1:25"
security = "none"
[[tiers]]
level = 1
name = "N1"
agents = ["ana@example.com"]
first_response = "30m"
resolution = "8h"
`

func TestConfigProblemsNameTheirKeys(t *testing.T) {
	t.Setenv("TICKETD_TEST_PW", "x")
	dir := t.TempDir()
	load := func(text string) error {
		p := filepath.Join(dir, "c.toml")
		os.WriteFile(p, []byte(text), 0o600)
		_, err := LoadConfig(p)
		return err
	}
	if err := load(minimal); err != nil {
		t.Fatalf("minimal config: %v", err)
	}
	cases := []struct {
		name, from, to string
		want           []string
	}{
		{"unknown key", `[support]`, "colour = \"red\"\n[support]", []string{"colour: unknown key"}},
		{"unknown key in a section", `[smtp]`, "[smtp]\nhots = \"x\"", []string{"smtp.hots: unknown key"}},
		{"no smtp connection", `[smtp]`, "[smtp]\nconnections = 0", []string{"smtp.connections: 0 must be between 1 and 16"}},
		{"too many smtp connections", `[smtp]`, "[smtp]\nconnections = 17", []string{"smtp.connections: 17 must be between 1 and 16"}},
		{"bad duration", `"30m"`, `"30 minutes"`, []string{`tiers[0].first_response: "30 minutes" is not a duration`}},
		{"missing agents", `agents = ["ana@example.com"]`, ``, []string{"tiers: tier 1: agents: at least one agent"}},
		{"plaintext to a remote host", `address = "127.0.0.1:143"`, `address = "imap.example.com:143"`, []string{`imap.security: "none" sends passwords in the clear`}},
		{"unreadable password file", `password_env = "TICKETD_TEST_PW"`, `password_file = "/nonexistent/pw"`, []string{"imap.password_file: cannot read", "no such file"}},
		{"unset password env", `TICKETD_TEST_PW`, `TICKETD_UNSET_PW`, []string{"imap.password_env: environment variable TICKETD_UNSET_PW is not set"}},
		{"bad security", `security = "none"` + "\npassword_env", `security = "ssl"` + "\npassword_env", []string{`imap.security: "ssl" is not one of`}},
		{"bad language and zone", `data_dir = "data"`, "data_dir = \"data\"\nlanguage = \"fr\"\ntimezone = \"Mars/Olympus\"", []string{`language: "fr"`, `timezone: "Mars/Olympus"`}},
		{"bad schedule", `[smtp]`, "[escalation]\nschedule = \"every minute\"\n[smtp]", []string{`escalation.schedule: "every minute" is not a cron schedule`}},
		{"desk as agent", `agents = ["ana@example.com"]`, `agents = ["Soporte@example.com"]`, []string{"cannot also be an agent"}},
		{"not toml", `[smtp]`, `[smtp`, []string{"c.toml"}},
		{"bad calendar", `[smtp]`, "[calendar]\nmonday = \"18:00-08:00\"\nholidays = [\"someday\"]\n[smtp]", []string{"calendar: monday", `calendar: holidays: "someday"`}},
		{"business hours without a calendar", `resolution = "8h"`, "resolution = \"8h\"\nhours = \"business\"", []string{"business hours need a [calendar]"}},
		{"bad hours", `resolution = "8h"`, "resolution = \"8h\"\nhours = \"nights\"", []string{`tiers[0].hours: "nights"`}},
		{"bad priority target", `resolution = "8h"`, "resolution = \"8h\"\n[tiers.priority.urgent]\nfirst_response = \"soon\"\n[tiers.priority.someday]\nresolution = \"1h\"", []string{`tiers[0].priority.urgent.first_response: "soon"`, `unknown priority "someday"`}},
		{"bad vendor", `resolution = "8h"`, "resolution = \"8h\"\nvendor = true\nvendor_ref = \"[\"", []string{"tiers[0].vendor_ref", "first tier cannot be a vendor"}},
		{"bad warn_at and keywords", `[smtp]`, "[escalation]\nwarn_at = 2.0\n[priority]\nasap = [\"x\"]\n[smtp]", []string{"warn_at", `keywords: unknown priority "asap"`}},
		{"digest without managers", `[smtp]`, "[digest]\nschedule = \"0 8 * * *\"\n[smtp]", []string{"digest.managers: at least one"}},
		{"bad digest period", `[smtp]`, "[digest]\nschedule = \"0 8 * * *\"\nmanagers = [\"jefa@example.com\"]\nperiod = \"hourly\"\n[smtp]", []string{`digest.period: "hourly" is not one of daily, weekly, monthly`}},
		{"bad spam keys", `[smtp]`, "[spam]\nscore_header = \"X Spam: Score\"\nscore_threshold = 5.0\nblock = [\"nobody\", \"@\"]\n[smtp]", []string{`spam.score_header: "X Spam: Score"`, `spam.block[0]: "nobody"`, `spam.block[1]: "@" is not a domain`}},
		{"threshold without a header", `[smtp]`, "[spam]\nscore_threshold = 5.0\n[smtp]", []string{"spam.score_header: is required"}},
		{"spam mailbox is the inbox", `security = "none"` + "\npassword_env", `security = "none"` + "\nspam_mailbox = \"INBOX\"\npassword_env", []string{"imap.spam_mailbox: must differ"}},
		{"verified agents without a trusted id", `[smtp]`, "[security]\nrequire_verified_agents = true\n[smtp]", []string{"security.require_verified_agents: needs security.trusted_authserv_id"}},
	}
	for _, c := range cases {
		if !strings.Contains(minimal, c.from) {
			t.Fatalf("%s: fixture lacks %q", c.name, c.from)
		}
		err := load(strings.Replace(minimal, c.from, c.to, 1))
		if err == nil {
			t.Errorf("%s: no error", c.name)
			continue
		}
		for _, w := range c.want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("%s: error does not mention %q:\n%v", c.name, w, err)
			}
		}
	}
	// Every problem at once, not one per run.
	err := load(strings.NewReplacer(`"30m"`, `"x"`, `security = "none"`+"\npassword_env", `security = "bad"`+"\npassword_env").Replace(minimal))
	if ce, ok := err.(*ConfigError); !ok || len(ce.Problems) < 2 {
		t.Errorf("want all problems reported together, got %v", err)
	}
}

// TestSMTPConnections: [smtp] connections reaches the sender; left out,
// it is mailout's default.
func TestSMTPConnections(t *testing.T) {
	t.Setenv("TICKETD_TEST_PW", "x")
	dir := t.TempDir()
	for text, want := range map[string]int{
		minimal: mailout.DefaultConnections,
		strings.Replace(minimal, "[smtp]", "[smtp]\nconnections = 4", 1): 4,
	} {
		p := filepath.Join(dir, "c.toml")
		os.WriteFile(p, []byte(text), 0o600)
		cfg, err := LoadConfig(p)
		if err != nil {
			t.Fatal(err)
		}
		if cfg.SMTP.Connections != want {
			t.Errorf("connections %d, want %d", cfg.SMTP.Connections, want)
		}
	}
}
