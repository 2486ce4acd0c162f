package main

import (
	"bufio"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-smtp"
)

// TestDevWithConfig runs "ticketd dev --config FILE" with an admin's own
// desk — production servers whose secrets are not on this machine, its
// own address, tag, agents, managers and a vendor tier — and plays the
// requester: the sandbox replaces the servers, the desk is the file's, and
// the temporary data directory is gone after Ctrl-C.
func TestDevWithConfig(t *testing.T) {
	etc := t.TempDir()
	conf := filepath.Join(etc, "ticketd.toml")
	err := os.WriteFile(conf, []byte(`data_dir = "/var/lib/ticketd-prod"
language = "en"
[support]
address = "help@acme.test"
name = "ACME help desk"
tag = "Help"
[imap]
address = "imap.acme.test:993"
security = "tls"
password_file = "/nonexistent/imap-password"
poll_interval = "1m"
[smtp]
address = "smtp.acme.test:587"
username = "help@acme.test"
password_file = "secrets/smtp-password"
[admin]
listen = "127.0.0.1:9"
[[tiers]]
level = 1
name = "Tier 1"
agents = ["eva@acme.test"]
first_response = "2m"
resolution = "10m"
[[tiers]]
level = 2
name = "Vendor"
agents = ["support@vendor.test"]
vendor = true
first_response = "5m"
resolution = "1h"
[digest]
schedule = "0 8 * * *"
managers = ["boss@acme.test"]
`), 0o600)
	if err != nil {
		t.Fatal(err)
	}
	cmd, lines, stdout := startDaemon(t, "dev", "--imap", "127.0.0.1:0", "--smtp", "127.0.0.1:0", "--config", conf)
	help := map[string]string{}
	field := regexp.MustCompile(`^\s+(SMTP|IMAP|support address|data|tier 2 agents|managers)[^:]*:\s+(\S+)`)
	sc := bufio.NewScanner(stdout)
	for sc.Scan() && !strings.Contains(sc.Text(), "Try it") {
		if m := field.FindStringSubmatch(sc.Text()); m != nil {
			help[m[1]] = m[2]
		}
	}
	go io.Copy(io.Discard, stdout)
	for _, k := range []string{"SMTP", "IMAP", "support address", "data", "tier 2 agents", "managers"} {
		if help[k] == "" {
			t.Fatalf("ticketd dev --config did not print %q: %v", k, help)
		}
	}
	if help["support address"] != "help@acme.test" || help["tier 2 agents"] != "support@vendor.test" || help["managers"] != "boss@acme.test" {
		t.Errorf("dev does not run the file's desk: %v", help)
	}
	waitLine(t, lines, "ticketd started", 20*time.Second)

	c, err := smtp.Dial(help["SMTP"])
	if err != nil {
		t.Fatal(err)
	}
	body := "From: Pat <pat@acme.test>\r\nTo: help@acme.test\r\nSubject: VPN down\r\nMessage-ID: <devc1@acme.test>\r\n\r\nThe VPN does not connect.\r\n"
	if err := c.SendMail("pat@acme.test", []string{"help@acme.test"}, strings.NewReader(body)); err != nil {
		t.Fatal(err)
	}
	c.Close()
	deadline := time.Now().Add(30 * time.Second)
	for {
		req, agent := inboxSubjects(t, help["IMAP"], "pat@acme.test"), inboxSubjects(t, help["IMAP"], "eva@acme.test")
		if len(req) > 0 && len(agent) > 0 {
			if !strings.Contains(req[0], "[Help #1] We received your request: VPN down") || !strings.Contains(agent[0], "[Help #1] New: VPN down") {
				t.Fatalf("requester got %q, agent got %q", req, agent)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("no acknowledgement and agent notice in the sandbox within 30s")
		}
		time.Sleep(100 * time.Millisecond) // polling a mailbox, not waiting out a deadline
	}
	stopDaemon(t, cmd.Process.Pid, cmd.Wait)
	dataDir := help["data"]
	if !strings.HasPrefix(dataDir, os.TempDir()) {
		t.Fatalf("data dir %s is not a temporary directory", dataDir)
	}
	if _, err := os.Stat(filepath.Dir(dataDir)); !os.IsNotExist(err) {
		t.Errorf("ticketd dev left its temporary directory %s behind (%v)", filepath.Dir(dataDir), err)
	}
	if _, err := os.Stat("/var/lib/ticketd-prod"); !os.IsNotExist(err) {
		t.Errorf("dev touched the production data_dir")
	}
}

// TestDevFromExampleConfig: every section of config.example.toml survives
// the rewrite to the sandbox, and nothing of the real servers remains.
func TestDevFromExampleConfig(t *testing.T) {
	dir := t.TempDir()
	dst := filepath.Join(dir, "dev.toml")
	pw := filepath.Join(dir, "pw")
	if err := os.WriteFile(pw, []byte("dev\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := devFromConfig("../../config.example.toml", dst, filepath.Join(dir, "data"), "127.0.0.1:1143", "127.0.0.1:1025", pw); err != nil {
		t.Fatal(err)
	}
	cfg, err := LoadConfig(dst)
	if err != nil {
		text, _ := os.ReadFile(dst)
		t.Fatalf("%v\n%s", err, text)
	}
	if cfg.IMAP.Address != "127.0.0.1:1143" || cfg.IMAP.Password != "dev" || cfg.SMTP.Address != "127.0.0.1:1025" || cfg.SMTP.Username != "" {
		t.Errorf("servers not replaced: imap %s smtp %s %q", cfg.IMAP.Address, cfg.SMTP.Address, cfg.SMTP.Username)
	}
	if t4, ok := cfg.Policy.Tier(4); !ok || !t4.Vendor || cfg.Managers[0] != "jefatura@example.com" || cfg.Desk.Email != "soporte@example.com" {
		t.Errorf("the example's desk did not survive: %+v", cfg.Policy.Tiers())
	}
	if text, _ := os.ReadFile(dst); strings.Contains(string(text), "example.com:") || strings.Contains(string(text), "/etc/ticketd") {
		t.Errorf("the sandbox config still names a real server or secret:\n%s", text)
	}
}
