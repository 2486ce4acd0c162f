package tickets

import (
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestDigestReadOnlyIsTheSame: the dry run of a command that opens the
// database read-only (its lists read beside its figures, listsAside) is
// the digest the daemon builds from the same data: the same mail, text
// and HTML, lists and figures.
func TestDigestReadOnlyIsTheSame(t *testing.T) {
	f := threeTiers(t, nil)
	f.apply(msg("r1@client", "pedro@client.com", "Impresora", "No imprime."))
	f.apply(msg("r2@client", "rosa@client.com", "Correo", "No llega."))
	f.now = f.now.Add(time.Hour)
	f.check() // both escalate to tier 2, their first response breached
	f.apply(msg("r3@client", "juan@client.com", "Red", "Sin red."))
	f.now = f.now.Add(24 * time.Hour)
	want, err := f.svc.Digest(true)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(want.Mail.Text, "Tickets escalados:\n  [Soporte #1] Impresora") || !strings.Contains(want.Mail.Text, "Los tickets abiertos más antiguos:") {
		t.Fatalf("digest of the read-write store:\n%s", want.Mail.Text)
	}
	dir := filepath.Dir(f.store.db.Path())
	if err := f.store.Close(); err != nil {
		t.Fatal(err)
	}
	ro, err := OpenReadOnly(dir, time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer ro.Close()
	svc, err := NewService(ro, f.svc.opts)
	if err != nil {
		t.Fatal(err)
	}
	for range 3 {
		got, err := svc.Digest(true)
		if err != nil {
			t.Fatal(err)
		}
		if got.Mail != want.Mail {
			t.Fatalf("read-only digest:\n%s\n%s\n--- want\n%s\n%s", got.Mail.Text, got.Mail.HTML, want.Mail.Text, want.Mail.HTML)
		}
	}
}
