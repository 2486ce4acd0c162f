package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ticketd/ticketd/internal/testkit/testcert"
)

// TestRelativePathsFollowTheConfigFile loads a config whose path keys are
// all relative while the working directory is elsewhere (as under systemd,
// where it is "/"): every one must be found beside the config file.
func TestRelativePathsFollowTheConfigFile(t *testing.T) {
	etc := t.TempDir()
	write := func(name, text string, mode os.FileMode) {
		t.Helper()
		p := filepath.Join(etc, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(text), mode); err != nil {
			t.Fatal(err)
		}
	}
	write("secrets/imap-pw", "imap-secret\n", 0o600)
	write("secrets/smtp-pw", "smtp-secret\n", 0o600)
	ca, err := os.ReadFile(testcert.New(t).CAFile)
	if err != nil {
		t.Fatal(err)
	}
	write("ca.pem", string(ca), 0o600)
	write("bin/token", "#!/bin/sh\necho token-from-config-dir\n", 0o700)
	if err := os.MkdirAll(filepath.Join(etc, "tpl"), 0o700); err != nil {
		t.Fatal(err)
	}
	text := strings.NewReplacer(
		`password_env = "TICKETD_TEST_PW"`, "password_file = \"secrets/imap-pw\"\nca_file = \"ca.pem\"",
		"[smtp]\n", "[smtp]\nusername = \"soporte@example.com\"\nauth = \"xoauth2\"\ntoken_command = [\"bin/token\"]\nca_file = \"ca.pem\"\n",
		`data_dir = "data"`, "data_dir = \"data\"\ntemplates_dir = \"tpl\"",
	).Replace(minimal)
	write("ticketd.toml", text, 0o600)

	t.Chdir(t.TempDir()) // anywhere but the config's folder
	cfg, err := LoadConfig(filepath.Join(etc, "ticketd.toml"))
	if err != nil {
		t.Fatal(err)
	}
	if cfg.IMAP.Password != "imap-secret" {
		t.Errorf("imap password %q, want the one in %s/secrets/imap-pw", cfg.IMAP.Password, etc)
	}
	if cfg.IMAP.TLSConfig == nil || cfg.SMTP.TLSConfig == nil {
		t.Error("ca_file not loaded from the config's folder")
	}
	if cfg.DataDir != filepath.Join(etc, "data") || cfg.TemplatesDir != filepath.Join(etc, "tpl") {
		t.Errorf("data_dir %s, templates_dir %s: want both under %s", cfg.DataDir, cfg.TemplatesDir, etc)
	}
	if cfg.SMTP.Token == nil {
		t.Fatal("no token command")
	}
	if tok, err := cfg.SMTP.Token(context.Background()); err != nil || tok != "token-from-config-dir" {
		t.Errorf("token_command bin/token: %q, %v", tok, err)
	}

	// A relative --config path works the same from its own parent.
	t.Chdir(filepath.Dir(etc))
	cfg, err = LoadConfig(filepath.Join(filepath.Base(etc), "ticketd.toml"))
	if err != nil {
		t.Fatal(err)
	}
	if !filepath.IsAbs(cfg.DataDir) || cfg.IMAP.Password != "imap-secret" {
		t.Errorf("relative --config: data_dir %s, password %q", cfg.DataDir, cfg.IMAP.Password)
	}
}
