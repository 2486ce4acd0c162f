package mailparse

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/ticketd/ticketd/tickets"
)

// The layouts of testdata/forward follow what each client writes in plain
// text (see forward.go for the sources); every file is CRLF as on the wire.
func TestForwardedLayouts(t *testing.T) {
	cases := []struct {
		file, from, name, subject, text, notText, note string
		date                                           time.Time
	}{
		{file: "gmail-en.eml", from: "john@customer.example", name: "John Customer", subject: "Printer on floor 3 is jammed",
			text: "jammed since this morning", note: "Customer called too, please handle.",
			date: time.Date(2026, 11, 30, 16, 12, 0, 0, time.UTC)},
		{file: "gmail-es.eml", from: "juan@cliente.example", name: "Juan Pérez", subject: "No puedo iniciar sesión",
			text: "Desde ayer no puedo iniciar sesión", note: "Cliente importante, por favor prioridad.",
			date: time.Date(2026, 11, 30, 10, 12, 0, 0, time.UTC)},
		{file: "outlook-en.eml", from: "mary@client.example", name: "Mary Client", subject: "VPN keeps disconnecting",
			text: "disconnects every ten minutes", notText: "Sent:", note: "FYI",
			date: time.Date(2026, 11, 30, 15, 40, 0, 0, time.UTC)},
		{file: "outlook-html-en.eml", from: "mary@client.example", name: "Mary Client", subject: "Laptop battery",
			text: "drains in one hour", notText: "Sent:", note: "Please take this one.",
			date: time.Date(2026, 11, 30, 15, 40, 0, 0, time.UTC)},
		{file: "outlook-es.eml", from: "maria@cliente.example", name: "María Clienta", subject: "La VPN se desconecta",
			text: "cada diez minutos desde la actualización", notText: "Enviado el", note: "Reenvío lo de la clienta.",
			date: time.Date(2026, 11, 30, 15, 40, 0, 0, time.UTC)},
		{file: "apple-en.eml", from: "peter@buyer.example", name: "Peter Buyer", subject: "Invoice 2231 missing",
			text: "I never received invoice 2231", notText: ">", note: "",
			date: time.Date(2026, 11, 30, 16, 12, 8, 0, time.UTC)},
		{file: "apple-es.eml", from: "pedro@comprador.example", name: "Pedro Comprador", subject: "Factura 2231",
			text: "nunca recibí la factura 2231", note: "Os lo paso.",
			date: time.Date(2026, 11, 30, 16, 12, 8, 0, time.UTC)},
		{file: "thunderbird-en.eml", from: "rita@ops.example", name: "Rita Ops", subject: "Backup failed",
			text: `failed again with "disk full"`, note: "",
			date: time.Date(2026, 11, 30, 15, 51, 30, 0, time.FixedZone("", 3600))},
		{file: "thunderbird-es.eml", from: "rita@ops.example", name: "Rita Operaciones", subject: "Copia fallida",
			text: `falló otra vez con "disco lleno"`, note: "Es la tercera vez esta semana.",
			date: time.Date(2026, 11, 30, 15, 51, 30, 0, time.FixedZone("", 3600))},
		{file: "rfc822-attached.eml", from: "sofia@cliente.example", name: "Sofía Cliente", subject: "Cannot open the shared drive",
			text: `"access denied" since Friday`, note: "See the attached mail from the customer.",
			date: time.Date(2026, 11, 30, 11, 0, 0, 0, time.FixedZone("", 3600))},
	}
	for _, c := range cases {
		t.Run(c.file, func(t *testing.T) {
			raw, err := os.ReadFile(filepath.Join("testdata", "forward", c.file))
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(string(raw), "\r\n") {
				t.Fatalf("%s is not CRLF", c.file)
			}
			in, err := Parse(raw)
			if err != nil {
				t.Fatal(err)
			}
			f := in.Forwarded
			if f == nil {
				t.Fatalf("no forwarded mail found in:\n%s", in.FullText)
			}
			if f.From.Email != c.from || f.From.Name != c.name || f.Subject != c.subject {
				t.Errorf("from %q <%s>, subject %q; want %q <%s>, %q", f.From.Name, f.From.Email, f.Subject, c.name, c.from, c.subject)
			}
			if !f.Date.Equal(c.date) {
				t.Errorf("date %v, want %v", f.Date, c.date)
			}
			if !strings.Contains(f.Text, c.text) || (c.notText != "" && strings.Contains(f.Text, c.notText)) {
				t.Errorf("text %q: want %q in it, not %q", f.Text, c.text, c.notText)
			}
			if strings.Contains(f.Text, "From:") || strings.Contains(f.Text, "De:") || strings.Contains(f.Text, c.note+"\n") && c.note != "" {
				t.Errorf("text %q holds the header block or the note", f.Text)
			}
			if f.Note != c.note {
				t.Errorf("note %q, want %q", f.Note, c.note)
			}
		})
	}
}

// A reply that quotes Outlook's header block forwards nothing; nor does
// ordinary mail, or a header block without an address.
func TestNotForwarded(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join("testdata", "forward", "outlook-reply-not-forward.eml"))
	if err != nil {
		t.Fatal(err)
	}
	if in, err := Parse(raw); err != nil || in.Forwarded != nil {
		t.Fatalf("a reply read as a forward: %+v, %v", in.Forwarded, err)
	}
	for _, text := range []string{
		"Hola, no puedo imprimir.",
		"---------- Forwarded message ---------\nFrom: John Customer\nDate: Mon, Nov 30, 2026\n\nno address here",
		"From: the printer on floor 3\nDate: yesterday\nit is broken",
		"> ---------- Forwarded message ---------", // and nothing after it
	} {
		if f := forwardedInline(text, "Fwd: x"); f != nil {
			t.Errorf("%q: read as a forward of %+v", text, f)
		}
	}
}

func TestStripForwardSubject(t *testing.T) {
	for in, want := range map[string]string{
		"Fwd: Hola": "Hola", "FW: RV: Hola": "Hola", "Rv: Hola": "Hola", "Reenviado: Hola": "Hola",
		"TR: Hola": "Hola", "fwd:Hola": "Hola", "Re: Hola": "Re: Hola", "Forward planning": "Forward planning",
	} {
		if got := stripForwardSubject(in); got != want {
			t.Errorf("%q → %q, want %q", in, got, want)
		}
	}
}

// FuzzForwarded: the forward parser never panics, and what it returns is
// usable: a valid sender, valid UTF-8, capped text.
func FuzzForwarded(f *testing.F) {
	files, err := filepath.Glob("testdata/forward/*.eml")
	if err != nil {
		f.Fatal(err)
	}
	for _, name := range files {
		raw, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(raw, "Fwd: x")
	}
	f.Add([]byte("> Begin forwarded message:\n>\n> From: a@b.c\n> Date: 1 ene 2026 25:99\n"), "RV: y")
	f.Fuzz(func(t *testing.T, raw []byte, subject string) {
		text := normalizeText(string(raw))
		for _, got := range []*tickets.Forwarded{forwardedInline(text, subject), forwarded(raw, text, subject)} {
			if got == nil {
				continue
			}
			if !tickets.ValidEmail(got.From.Email) || !utf8.ValidString(got.Text) || !utf8.ValidString(got.Subject) || !utf8.ValidString(got.Note) {
				t.Fatalf("bad forwarded %+v", got)
			}
			if len(got.Text) > MaxTextBytes {
				t.Fatalf("text over the cap: %d", len(got.Text))
			}
		}
	})
}

// Hostile text: thousands of header-block look-alikes cost linear time.
func TestForwardedHostileText(t *testing.T) {
	var b strings.Builder
	for b.Len() < MaxTextBytes {
		b.WriteString("From: nobody\nDate: Mon, Nov 30, 2026 at 4:12 PM\n")
	}
	start := time.Now()
	if f := forwardedInline(b.String(), "FW: x"); f != nil {
		t.Fatalf("read as a forward: %+v", f)
	}
	b.Reset()
	for b.Len() < MaxTextBytes {
		b.WriteString("> Begin forwarded message:\n> From: x\n> From: y@z.example\n")
	}
	if f := forwardedInline(b.String(), "Fwd: x"); f != nil {
		t.Fatalf("read as a forward: %+v", f)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Fatalf("took %v", d)
	}
}

func TestMentionsRFC822(t *testing.T) {
	for s, want := range map[string]bool{
		"Content-Type: message/rfc822\r\n": true, "content-type: MESSAGE/RFC822": true, "message/rfc822": true,
		"rfc822": false, "822 822 822": false, "": false, "message/rfc82": false, "Message/Rfc822;name=x": true,
	} {
		if got := mentionsRFC822([]byte(s)); got != want {
			t.Errorf("%q: %v, want %v", s, got, want)
		}
	}
}

func TestMayBeForwardMarker(t *testing.T) {
	for _, l := range []string{"---------- Forwarded message ---------", "  -------- Mensaje reenviado --------", "Begin forwarded message:",
		"\tINICIO DEL MENSAJE REENVIADO :", "bEGIN FORWARDED MESSAGE:", "Hola", "", " ", "> Begin forwarded message:"} {
		if forwardMarker().MatchString(l) && !mayBeForwardMarker(l) {
			t.Errorf("mayBeForwardMarker(%q) rules out a marker", l)
		}
	}
	for _, text := range corpusTexts(t) {
		for _, l := range strings.Split(text, "\n") {
			if forwardMarker().MatchString(l) && !mayBeForwardMarker(l) {
				t.Errorf("mayBeForwardMarker(%q) rules out a marker", l)
			}
		}
	}
}
