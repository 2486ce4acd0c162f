package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// credentialConfig is the minimal config with [imap] and [smtp] reading
// their passwords from systemd credentials, with password files for a
// shell beside them.
func credentialConfig(t *testing.T, imapCred string) (path, dir string) {
	t.Helper()
	dir = t.TempDir()
	for name, pw := range map[string]string{"imap-password": "file-imap", "smtp-password": "file-smtp"} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(pw+"\n"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	text := strings.Replace(minimal, `password_env = "TICKETD_TEST_PW"`,
		"password_file = \"imap-password\"\npassword_credential = \""+imapCred+"\"", 1)
	text = strings.Replace(text, "[smtp]\naddress = \"127.0.0.1:25\"\nsecurity = \"none\"",
		"[smtp]\naddress = \"127.0.0.1:25\"\nsecurity = \"none\"\nusername = \"desk\"\npassword_file = \"smtp-password\"\npassword_credential = \"ticketd_smtp-password\"", 1)
	path = filepath.Join(dir, "ticketd.toml")
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	return path, dir
}

// writeCredentials makes a credentials directory as systemd does for
// LoadCredential=ticketd:/etc/ticketd/credentials and points
// $CREDENTIALS_DIRECTORY at it.
func writeCredentials(t *testing.T, creds map[string]string) {
	t.Helper()
	dir := t.TempDir()
	for name, pw := range creds {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(pw+"\n"), 0o400); err != nil {
			t.Fatal(err)
		}
	}
	t.Setenv(credentialsDirEnv, dir)
}

// TestPasswordFromSystemdCredential: under systemd the passwords come from
// $CREDENTIALS_DIRECTORY (the service user cannot read the files, which
// stay root's); from a shell the same config reads password_file.
func TestPasswordFromSystemdCredential(t *testing.T) {
	path, _ := credentialConfig(t, "ticketd_imap-password")

	t.Setenv(credentialsDirEnv, "")
	cfg, err := LoadConfig(path)
	if err != nil {
		t.Fatalf("from a shell: %v", err)
	}
	if cfg.IMAP.Password != "file-imap" || cfg.SMTP.Password != "file-smtp" {
		t.Errorf("from a shell: imap %q smtp %q, want the password files", cfg.IMAP.Password, cfg.SMTP.Password)
	}

	writeCredentials(t, map[string]string{"ticketd_imap-password": "cred-imap", "ticketd_smtp-password": "cred-smtp"})
	cfg, err = LoadConfig(path)
	if err != nil {
		t.Fatalf("under systemd: %v", err)
	}
	if cfg.IMAP.Password != "cred-imap" || cfg.SMTP.Password != "cred-smtp" {
		t.Errorf("under systemd: imap %q smtp %q, want the credentials", cfg.IMAP.Password, cfg.SMTP.Password)
	}
}

func TestPasswordCredentialProblems(t *testing.T) {
	cases := []struct {
		name  string
		cred  string
		creds map[string]string // nil: not under systemd
		noAlt bool              // remove password_file
		want  string
	}{
		{"missing under systemd", "ticketd_imap-password", map[string]string{"ticketd_smtp-password": "x"}, false,
			`imap.password_credential: credential "ticketd_imap-password" is not in $CREDENTIALS_DIRECTORY`},
		{"empty", "ticketd_imap-password", map[string]string{"ticketd_imap-password": "", "ticketd_smtp-password": "x"}, false,
			`imap.password_credential: credential "ticketd_imap-password" is empty`},
		{"escapes the directory", "../../etc/shadow", map[string]string{"ticketd_smtp-password": "x"}, false,
			`imap.password_credential: "../../etc/shadow" is not a credential name`},
		{"outside systemd without a file", "ticketd_imap-password", nil, true,
			"imap.password_credential: $CREDENTIALS_DIRECTORY is not set"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			path, _ := credentialConfig(t, c.cred)
			if c.noAlt {
				data, _ := os.ReadFile(path)
				os.WriteFile(path, []byte(strings.Replace(string(data), "password_file = \"imap-password\"\n", "", 1)), 0o600)
			}
			if c.creds == nil {
				t.Setenv(credentialsDirEnv, "")
			} else {
				writeCredentials(t, c.creds)
			}
			_, err := LoadConfig(path)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("got %v, want %q", err, c.want)
			}
		})
	}
}
