package tickets

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ticketd/ticketd/templates"
)

// TestSubjectCleaner: a ticket's subject loses our tokens, every client's
// reply and forward prefixes and the words of ticketd's own subjects, in
// both languages, however they are repeated and mixed.
func TestSubjectCleaner(t *testing.T) {
	set, err := templates.New("")
	if err != nil {
		t.Fatal(err)
	}
	c := subjectCleaner{token: newTokenMatcher("Soporte"), own: set.StripOwnPrefix}
	cases := map[string]string{
		"Impresora": "Impresora",
		"Re: [Soporte #1] Recibimos su solicitud: Impresora":                              "Impresora",
		"RE: Fwd: [Soporte #1] Recibimos su solicitud: Recibimos su solicitud: Impresora": "Impresora",
		"Re: [Soporte #4] We received your request: Printer":                              "Printer",
		"FW: [Soporte #2] Nuevo: RV: Impresora":                                           "Impresora",
		"AW: WG: [soporte#3] New: SV: VS: Antw: Odp: TR: Ynt: Rif: Printer":               "Printer",
		"Re[2]: Re(3): RE : Printer":                                                      "Printer",
		"回复：转发：打印机":                                                                       "打印机",
		"Re: [Soporte #5] Escalado a Nivel 2 - Soporte técnico: Impresora":                "Impresora",
		"[Soporte #5] Aviso: el objetivo de resolución vence en 15 min: Red":              "Red",
		"Re: [Soporte #5] ¿Cómo lo hicimos? Impresora":                                    "Impresora",
		"Re: [Soporte #5] How did we do? Printer":                                         "Printer",
		"Re: [Soporte #5] Valoración baja (2/5): Impresora":                               "Impresora",
		"Fwd:   Retenido:  [Soporte #7]   No aplicado: Red  caída":                        "Red caída",
		// Words that merely start like ours stay.
		"Recibimos la factura":    "Recibimos la factura",
		"Newsletter: suscripción": "Newsletter: suscripción",
		"Reunión: sala 3":         "Reunión: sala 3",
		"Fwdx: algo":              "Fwdx: algo",
		"":                        "",
	}
	for in, want := range cases {
		if got := c.clean(in); got != want {
			t.Errorf("clean(%q) = %q, want %q", in, got, want)
		}
	}
	// A forged subject of many prefixes is cleaned completely and fast.
	long := strings.Repeat("Re: Nuevo: [Soporte #1] ", 5000) + "x"
	if got := c.clean(long); got != "x" {
		t.Errorf("long subject: %q", got)
	}
}

// TestSubjectCleanerFollowsOverriddenTemplates: a desk that rewords its
// acknowledgement gets its own words stripped, not only the embedded ones.
func TestSubjectCleanerFollowsOverriddenTemplates(t *testing.T) {
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "es"), 0o700); err != nil {
		t.Fatal(err)
	}
	ack := "{{define \"subject\"}}{{.Token}} Ya tenemos su caso: {{.Subject}}{{end -}}\n{{replyLine}}\n{{.Text}}\n-- \n{{.Desk}}\n"
	if err := os.WriteFile(filepath.Join(dir, "es", "ack.txt"), []byte(ack), 0o600); err != nil {
		t.Fatal(err)
	}
	set, err := templates.New(dir)
	if err != nil {
		t.Fatal(err)
	}
	c := subjectCleaner{token: newTokenMatcher("Soporte"), own: set.StripOwnPrefix}
	if got := c.clean("Re: [Soporte #3] Ya tenemos su caso: Impresora"); got != "Impresora" {
		t.Errorf("overridden prefix kept: %q", got)
	}
}
