package main

import (
	binenc "encoding/binary"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestDamagedDatabaseRefused: against the real binary, a database that
// was truncated, emptied or has flipped bits makes `run`, `once` and
// `stats` exit non-zero with a message naming the damage and how to
// restore; nothing is re-initialised, no mail goes out and no SIGBUS or
// panic reaches the admin.
func TestDamagedDatabaseRefused(t *testing.T) {
	e := newE2E(t)
	e.deliver("From: " + requester + "\nTo: " + deskAddr + "\nSubject: Impresora\nMessage-ID: <dmg-1@cliente.test>\n\nNo imprime.\n")
	e.ticketd("once")
	if n := len(e.smtp.Messages()); n == 0 {
		t.Fatal("no acknowledgement for the first ticket")
	}
	path := filepath.Join(e.dataDir, "ticketd.db")
	good, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	pageSize := int(binenc.NativeEndian.Uint32(good[16+8:])) // meta 0's page size
	sent := len(e.smtp.Messages())

	damages := []struct {
		name, want string
		damage     func() []byte
	}{
		// Only the two meta pages left: bbolt grows the file ahead of the
		// pages it uses, so a cut further on may drop only unused space,
		// which is not damage.
		{"truncated", "truncated", func() []byte { return good[:2*pageSize] }},
		{"zero-length", "empty", func() []byte { return nil }},
		{"flipped bits", "cannot read", func() []byte {
			b := append([]byte(nil), good...)
			for p := 2; p*pageSize < len(b); p++ {
				b[p*pageSize+8] ^= 0xff // every page's flags
			}
			return b
		}},
	}
	for _, d := range damages {
		t.Run(d.name, func(t *testing.T) {
			bad := d.damage()
			if err := os.WriteFile(path, bad, 0o600); err != nil {
				t.Fatal(err)
			}
			e.deliver("From: " + requester + "\nTo: " + deskAddr + "\nSubject: Otra cosa\nMessage-ID: <dmg-" + d.name + "@cliente.test>\n\nHola.\n")
			for _, cmd := range []string{"run", "once", "stats"} {
				_, stderr, err := e.run(cmd)
				var exit *exec.ExitError
				if err == nil || !errors.As(err, &exit) || exit.ExitCode() != 1 {
					t.Fatalf("ticketd %s on a %s database: %v (want exit code 1)\n%s", cmd, d.name, err, stderr)
				}
				for _, want := range []string{"damaged database", d.want, "ticketd backup"} {
					if !strings.Contains(stderr, want) {
						t.Fatalf("ticketd %s on a %s database: stderr lacks %q:\n%s", cmd, d.name, want, stderr)
					}
				}
				if strings.Contains(stderr, "panic") || strings.Contains(stderr, "SIGBUS") || strings.Contains(stderr, "goroutine ") {
					t.Fatalf("ticketd %s crashed:\n%s", cmd, stderr)
				}
			}
			if now, _ := os.ReadFile(path); string(now) != string(bad) {
				t.Fatal("the damaged file was changed")
			}
			if n := len(e.smtp.Messages()); n != sent {
				t.Fatalf("%d mails sent from a damaged database", n-sent)
			}
		})
	}
}
