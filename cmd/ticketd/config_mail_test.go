package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ticketd/ticketd/tickets"
)

// exampleWith loads config.example.toml with old replaced by new.
func exampleWith(t *testing.T, old, new string) (*Config, error) {
	t.Helper()
	data, err := os.ReadFile("../../config.example.toml")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	text := string(data)
	if !strings.Contains(text, old) {
		t.Fatalf("config.example.toml lacks %q", old)
	}
	text = strings.Replace(text, old, new, 1)
	for _, name := range []string{"imap-password", "smtp-password"} {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte("pw\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		text = strings.ReplaceAll(text, "/etc/ticketd/credentials/"+name, p)
	}
	path := filepath.Join(dir, "ticketd.toml")
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv(credentialsDirEnv, "") // not under systemd: password_file is read
	return LoadConfig(path)
}

func TestMailSection(t *testing.T) {
	cfg, err := exampleWith(t, `# import_before = "2026-03-01"`, `import_before = "2026-03-01"`)
	if err != nil {
		t.Fatal(err)
	}
	bogota, _ := time.LoadLocation("America/Bogota")
	if want := (tickets.AckLimit{Max: 5, Window: time.Hour}); cfg.AckLimit != want {
		t.Errorf("ack limit %+v, want %+v", cfg.AckLimit, want)
	}
	if want := time.Date(2026, 3, 1, 0, 0, 0, 0, bogota); !cfg.ImportBefore.Equal(want) {
		t.Errorf("import_before %v, want %v", cfg.ImportBefore, want)
	}
	if cfg.IMAP.DeskAddress != "soporte@example.com" {
		t.Errorf("IMAP desk address %q", cfg.IMAP.DeskAddress)
	}
	if s := cfg.Summary(); !strings.Contains(s, "at most 5 acknowledgements per sender every 1h0m0s; attachments kept up to 25 MB; mail dated before 2026-03-01T00:00:00-05:00") {
		t.Errorf("summary lacks the mail section:\n%s", s)
	}
	for _, c := range []struct{ old, new, want string }{
		{"ack_limit = 5", "ack_limit = 0", "mail.ack_limit: 0 must be at least 1"},
		{`ack_window = "1h"`, `ack_window = "often"`, `mail.ack_window: "often" is not a duration`},
		{`# import_before = "2026-03-01"`, `import_before = "last year"`, `mail.import_before: "last year" is neither a date`},
		{"ack_limit = 5", "ack_limt = 5", "mail.ack_limt: unknown key"},
	} {
		_, err := exampleWith(t, c.old, c.new)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want %q", c.new, err, c.want)
		}
	}
}

func TestAuthKeys(t *testing.T) {
	const imapPassword = `password_file = "/etc/ticketd/credentials/imap-password"
password_credential = "ticketd_imap-password"`
	const oauth = `auth = "xoauth2"
token_command = ["sh", "-c", "echo tok-imap"]`
	cfg, err := exampleWith(t, imapPassword, oauth)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.IMAP.Auth != "xoauth2" || cfg.IMAP.Token == nil || cfg.IMAP.Password != "" {
		t.Fatalf("imap auth %q, token %v", cfg.IMAP.Auth, cfg.IMAP.Token != nil)
	}
	if tok, err := cfg.IMAP.Token(t.Context()); err != nil || tok != "tok-imap" {
		t.Fatalf("token command: %q %v", tok, err)
	}
	if !strings.Contains(cfg.Summary(), "imap login:  OAuth2 XOAUTH2, token from token_command as soporte@example.com") {
		t.Errorf("summary:\n%s", cfg.Summary())
	}
	for _, c := range []struct{ old, new, want string }{
		{imapPassword, `auth = "xoauth2"`, "imap.token_command: is required"},
		{`# auth = "xoauth2"` + "\n" + `# token_command = ["/usr/local/bin/ticketd-token", "imap"]`, oauth, "imap.password_file: is not used with auth"},
		{imapPassword, `auth = "kerberos"` + "\n" + imapPassword, `imap.auth: "kerberos" is not one of`},
		{`# token_command = ["/usr/local/bin/ticketd-token", "imap"]`, `token_command = ["x"]`, `imap.token_command: is only used with auth`},
		{`# admins = ["it@example.com"]`, `admins = ["not an address"]`, `mail.admins[0]: "not an address" is not an email address`},
	} {
		_, err := exampleWith(t, c.old, c.new)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want %q", c.new, err, c.want)
		}
	}
}
