package dovecottest

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// installHint tells a developer exactly what to install when Start cannot do
// it itself.
const installHint = "dovecottest: the Dovecot IMAP server is not installed (need the dovecot binary and imap-login). " +
	"Install it with: sudo DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends dovecot-imapd " +
	"(Debian/Ubuntu package dovecot-imapd, which pulls dovecot-core; Dovecot 2.3). " +
	"The end-to-end tests need a real Dovecot and are never skipped."

// binCandidates and libexecDirs are where distributions put Dovecot's master
// binary and its helper programs (Debian: /usr/sbin, /usr/lib/dovecot).
var (
	binCandidates = []string{"/usr/sbin/dovecot", "/usr/local/sbin/dovecot"}
	libexecDirs   = []string{"/usr/lib/dovecot", "/usr/libexec/dovecot", "/usr/local/libexec/dovecot", "/usr/local/lib/dovecot"}
)

// installMu serialises installs: parallel tests must not run apt-get twice.
var installMu sync.Mutex

// findDovecot returns the dovecot binary if both it and the IMAP helper
// programs (dovecot-core alone lacks imap and imap-login) are installed.
func findDovecot() (string, bool) {
	bin, err := exec.LookPath("dovecot")
	if err != nil {
		bin = ""
		for _, c := range binCandidates {
			if fi, err := os.Stat(c); err == nil && fi.Mode().IsRegular() {
				bin = c
				break
			}
		}
	}
	if bin == "" {
		return "", false
	}
	for _, d := range libexecDirs {
		if _, err := os.Stat(filepath.Join(d, "imap-login")); err == nil {
			if _, err := os.Stat(filepath.Join(d, "imap")); err == nil {
				return bin, true
			}
		}
	}
	return "", false
}

// ensureInstalled returns the dovecot binary, installing dovecot-imapd with
// apt-get when running as root, and fails the test otherwise. It never skips.
func ensureInstalled(t testing.TB) string {
	t.Helper()
	installMu.Lock()
	defer installMu.Unlock()
	if bin, ok := findDovecot(); ok {
		return bin
	}
	apt, err := exec.LookPath("apt-get")
	if os.Geteuid() != 0 || err != nil {
		t.Fatal(installHint)
	}
	t.Logf("dovecottest: Dovecot not found; installing dovecot-imapd with apt-get (about a minute)")
	out, err := aptGet(apt, "install", "-y", "--no-install-recommends", "dovecot-imapd")
	if err != nil {
		// A fresh machine has no package lists yet.
		t.Logf("dovecottest: apt-get install failed (%v); running apt-get update and retrying", err)
		if uout, uerr := aptGet(apt, "update"); uerr != nil {
			t.Fatalf("dovecottest: apt-get update: %v\n%s\n%s", uerr, lastLines(uout, 20), installHint)
		}
		out, err = aptGet(apt, "install", "-y", "--no-install-recommends", "dovecot-imapd")
	}
	if err != nil {
		t.Fatalf("dovecottest: apt-get install dovecot-imapd: %v\n%s\n%s", err, lastLines(out, 20), installHint)
	}
	bin, ok := findDovecot()
	if !ok {
		t.Fatalf("dovecottest: apt-get installed dovecot-imapd but dovecot or imap-login is still missing\n%s", installHint)
	}
	return bin
}

// aptGet runs apt-get non-interactively, bounded so a stuck mirror fails the
// test instead of hanging it.
func aptGet(apt string, args ...string) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, apt, args...)
	cmd.Env = append(os.Environ(), "DEBIAN_FRONTEND=noninteractive")
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// lastLines returns at most n trailing lines of s.
func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
