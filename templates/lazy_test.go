package templates

import (
	"strings"
	"testing"
)

// TestLazySetRendersAsNew: a lazy set renders every template in every
// language exactly as New's, and strips the same own prefixes.
func TestLazySetRendersAsNew(t *testing.T) {
	eager, err := New("")
	if err != nil {
		t.Fatal(err)
	}
	lazy, err := NewLazy("")
	if err != nil {
		t.Fatal(err)
	}
	for _, lang := range eager.Languages() {
		for _, name := range names {
			want, err := eager.Render(lang, name, sampleData)
			if err != nil {
				t.Fatal(err)
			}
			if got, err := lazy.Render(lang, name, sampleData); err != nil || got != want {
				t.Errorf("%s/%s: lazy render differs (%v)", lang, name, err)
			}
		}
	}
	for _, subject := range []string{"Recibimos su solicitud: No puedo imprimir", "New: VPN", "No puedo imprimir"} {
		w, wok := eager.StripOwnPrefix(subject)
		if g, gok := lazy.StripOwnPrefix(subject); g != w || gok != wok {
			t.Errorf("%q: lazy strips to %q, %v; New's to %q, %v", subject, g, gok, w, wok)
		}
	}
}

// TestLazySetReportsABrokenTemplateWhenRendered: a lazy set starts with a
// broken template it has not rendered, renders the others, and reports
// the broken one, naming its file, when asked for it.
func TestLazySetReportsABrokenTemplateWhenRendered(t *testing.T) {
	dir := t.TempDir()
	p := writeFile(t, dir, "es/reply.txt", "{{define \"subject\"}}x{{end}}{{.Text")
	s, err := NewLazy(dir)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Render("es", ManagerDigest, sampleData); err != nil {
		t.Fatalf("a sound template: %v", err)
	}
	for range 2 { // and again: the error is kept, not a half-parsed template
		if _, err := s.Render("es", Reply, sampleData); err == nil || !strings.Contains(err.Error(), p) {
			t.Errorf("broken template: error %v does not name %s", err, p)
		}
	}
	// The override directory itself is still checked at once.
	writeFile(t, dir, "es/akc.txt", "x")
	if _, err := NewLazy(dir); err == nil {
		t.Error("NewLazy accepted an override that replaces nothing")
	}
}
