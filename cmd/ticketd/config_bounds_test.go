package main

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestCheckConfigRefusesHarmfulValues: values that parse but would hurt
// are refused by `ticketd check-config`, quickly, each with its key: an
// attachment limit that overflows, a poll interval that logs in without
// pause, a password "file" that is a device, a FIFO, a directory or huge.
func TestCheckConfigRefusesHarmfulValues(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	big := filepath.Join(dir, "big")
	if err := os.WriteFile(big, make([]byte, 64<<10+1), 0o600); err != nil {
		t.Fatal(err)
	}
	good := filepath.Join(dir, "pw")
	if err := os.WriteFile(good, []byte("s3cret\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	pwFile := func(p string) string { return "password_file = " + `"` + p + `"` }
	envLine := `password_env = "TICKETD_TEST_PW"`
	checkConfig := func(text string) (string, error) {
		p := filepath.Join(dir, "c.toml")
		if err := os.WriteFile(p, []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		cmd := exec.CommandContext(ctx, binary, "check-config", "--config", p)
		cmd.Env = append(os.Environ(), "TICKETD_TEST_PW=x")
		out, err := cmd.CombinedOutput()
		if ctx.Err() != nil {
			t.Fatalf("check-config still running after 10s on:\n%s", text)
		}
		return string(out), err
	}
	for _, c := range []struct{ name, from, to, want string }{
		{"huge attachment limit", "[smtp]", "[mail]\nmax_attachment_mb = 8796093022208\n[smtp]", "mail.max_attachment_mb: 8796093022208 is not between 1 and 1024"},
		{"1ns poll interval", envLine, envLine + "\npoll_interval = \"1ns\"", "imap.poll_interval: 1ns is below the minimum of 1s"},
		{"/dev/zero", envLine, pwFile("/dev/zero"), "/dev/zero is not a regular file (a character device)"},
		{"fifo", envLine, pwFile(fifo), "is not a regular file (a FIFO)"},
		{"directory", envLine, pwFile(dir), "is not a regular file (a directory)"},
		{"over 64 KiB", envLine, pwFile(big), "65537 bytes: a password file holds at most 65536"},
	} {
		out, err := checkConfig(strings.Replace(minimal, c.from, c.to, 1))
		if err == nil || !strings.Contains(out, c.want) {
			t.Errorf("%s: %v, output lacks %q:\n%s", c.name, err, c.want, out)
		}
	}
	// The bounds themselves are fine.
	ok := strings.Replace(minimal, envLine, pwFile(good)+"\npoll_interval = \"1s\"", 1)
	ok = strings.Replace(ok, "[smtp]", "[mail]\nmax_attachment_mb = 1024\n[smtp]", 1)
	if out, err := checkConfig(ok); err != nil {
		t.Errorf("limits at their bounds refused: %v\n%s", err, out)
	}
}
