package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"runtime/debug"
	"strings"
	"testing"
	"time"
)

// TestManPageRenders: "ticketd man" renders with man -l without a single
// warning, and the rendered page has every command with its synopsis and
// every flag, as "ticketd help" has them.
func TestManPageRenders(t *testing.T) {
	page, _, err := cli(t, "man")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := exec.LookPath("man"); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("man is not installed; .ci/run installs man-db and groff-base")
		}
		t.Skip("man is not installed (apt-get install man-db groff-base); .ci/run installs it, so CI runs this test")
	}
	path := filepath.Join(t.TempDir(), "ticketd.8")
	if err := os.WriteFile(path, []byte(page), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("man", "--warnings", "-E", "UTF-8", "-l", path)
	cmd.Env = append(os.Environ(), "MANWIDTH=200", "LC_ALL=C.UTF-8", "MAN_KEEP_FORMATTING=0", "MANPAGER=cat", "PAGER=cat")
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil || stderr.Len() > 0 {
		t.Fatalf("man -l: %v\n%s", err, stderr.String())
	}
	// man may bold with backspaces when it thinks it writes to a
	// terminal: strip them.
	text := stripOverstrike(stdout.String())
	for _, c := range commands {
		if !strings.Contains(text, c.usage()) {
			t.Errorf("the page lacks %q", c.usage())
		}
		for _, f := range c.flagDocs() {
			if !strings.Contains(text, "--"+f.name) {
				t.Errorf("the page lacks %s's --%s", c.name, f.name)
			}
		}
	}
	for _, want := range []string{"TICKETD(8)", "EXIT STATUS", "/etc/ticketd/ticketd.toml", "CREDENTIALS_DIRECTORY"} {
		if !strings.Contains(text, want) {
			t.Errorf("the page lacks %q", want)
		}
	}
}

func stripOverstrike(s string) string {
	var b []byte
	for i := 0; i < len(s); i++ {
		if i+1 < len(s) && s[i+1] == '\b' {
			i++ // the next byte repeats or underlines this one
			continue
		}
		b = append(b, s[i])
	}
	return string(b)
}

// TestRoffEscapes: text from the table cannot issue roff requests or be
// mangled: a line starting with a dot or quote, backslashes, dashes and
// characters outside ASCII.
func TestRoffEscapes(t *testing.T) {
	for in, want := range map[string]string{
		".TH evil":       `\&.TH evil`,
		"'br":            `\&'br`,
		`a\b`:            `a\eb`,
		"--config":       `\-\-config`,
		"línea":          `l\[u00ED]nea`,
		"one\n  .indent": "one\n\\&.indent",
	} {
		if got := roffText(in); got != want {
			t.Errorf("roffText(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestVersionFromBuildInfo: "ticketd version" says what the go command
// stamped: module version, commit, its time, a dirty tree.
func TestVersionFromBuildInfo(t *testing.T) {
	info := &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Version: "v1.4.0"}, Settings: []debug.BuildSetting{
		{Key: "vcs.revision", Value: "7d088dfc7490307c8d4f6f3b74c611de4d266359"},
		{Key: "vcs.time", Value: "2026-12-02T09:27:40Z"},
		{Key: "vcs.modified", Value: "true"},
		{Key: "GOOS", Value: "linux"}, {Key: "GOARCH", Value: "arm64"},
	}}
	v := versionOf(info)
	if v.Module != "v1.4.0" || v.Commit != "7d088dfc7490307c8d4f6f3b74c611de4d266359" || !v.Time.Equal(time.Date(2026, 12, 2, 9, 27, 40, 0, time.UTC)) || !v.Modified {
		t.Fatalf("versionOf: %+v", v)
	}
	s := v.String()
	for _, want := range []string{"ticketd v1.4.0\n", "commit: 7d088dfc7490307c8d4f6f3b74c611de4d266359 (with uncommitted changes)", "built:  2026-12-02T09:27:40Z", "linux/arm64"} {
		if !strings.Contains(s, want) {
			t.Errorf("version output lacks %q:\n%s", want, s)
		}
	}
	if manDate(v) != "2026-12-02" {
		t.Errorf("man date %q", manDate(v))
	}
	// A test binary has no VCS stamp: the command says so instead of
	// inventing one.
	out, _, err := cli(t, "version")
	if err != nil || !strings.HasPrefix(out, "ticketd ") || !strings.Contains(out, "commit: ") {
		t.Errorf("version: %v\n%s", err, out)
	}
}
