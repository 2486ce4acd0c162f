package main

import (
	"crypto/sha256"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// TestDigestDryRunWritesNothing: without a daemon, "ticketd digest
// --dry-run" and "digest --agents --dry-run" print their mails from a
// database they only read: every file of the data directory is left as
// it was (same bytes, same time), none is added (no attachment store, no
// delivery log), and they work with the database file and its directory
// made read-only (which stops a write only when the tests do not run as
// root: the comparison of the files is what holds everywhere). Real
// binary, Dovecot, SMTP sink.
func TestDigestDryRunWritesNothing(t *testing.T) {
	e := newE2E(t)
	e.newTicket(1, "Impresora", "No imprime.")
	e.newTicket(2, "Correo", "No llega.")
	e.step(agentOn(1, agentAna, "dr1@ticketd.test", "#asignar yo"))
	e.smtp.Reset()

	db := filepath.Join(e.dataDir, "ticketd.db")
	for path, mode := range map[string]os.FileMode{db: 0o444, e.dataDir: 0o555} {
		if err := os.Chmod(path, mode); err != nil {
			t.Fatal(err)
		}
	}
	t.Cleanup(func() { os.Chmod(e.dataDir, 0o755) }) // for TempDir's removal
	before := snapshot(t, e.dataDir)

	out := e.ticketd("digest", "--dry-run")
	if !strings.Contains(out, "Subject: ") || strings.Count(out, `<img src="cid:digest-`) != 3 {
		t.Errorf("digest --dry-run:\n%s", out)
	}
	if out := e.ticketd("digest", "--agents", "--dry-run"); !strings.Contains(out, "To: "+agentAna) {
		t.Errorf("digest --agents --dry-run:\n%s", out)
	}
	after := snapshot(t, e.dataDir)
	if !maps.Equal(before, after) {
		t.Errorf("a dry run changed the data directory:\nbefore %v\nafter  %v", slices.Sorted(maps.Values(before)), slices.Sorted(maps.Values(after)))
	}
	if n := len(e.smtp.Messages()); n != 0 {
		t.Errorf("a dry run sent %d mail(s)", n)
	}
}

// snapshot is every file under dir: its path, size, time and content
// hash.
func snapshot(t *testing.T, dir string) map[string]string {
	t.Helper()
	out := map[string]string{}
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		out[path] = fmt.Sprintf("%s %s %d bytes sha256 %x", path, info.ModTime().Format(time.RFC3339Nano), len(b), sha256.Sum256(b))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestDigestDryRunOnANewDesk: on a desk that never started (no database
// yet), "ticketd digest --dry-run" still prints an empty digest: the
// database is set up as a first start sets it up.
func TestDigestDryRunOnANewDesk(t *testing.T) {
	e := newE2E(t)
	if _, err := os.Stat(filepath.Join(e.dataDir, "ticketd.db")); err == nil {
		t.Fatal("the desk has a database before its first command")
	}
	if out := e.ticketd("digest", "--dry-run"); !strings.Contains(out, "Subject: ") {
		t.Errorf("digest --dry-run on a new desk:\n%s", out)
	}
}
