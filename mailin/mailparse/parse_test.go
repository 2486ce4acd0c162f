package mailparse

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/ticketd/ticketd/tickets"
)

func readEML(t testing.TB, name string) []byte {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

func TestTestdataUsesCRLF(t *testing.T) {
	files, err := filepath.Glob("testdata/*.eml")
	if err != nil || len(files) == 0 {
		t.Fatalf("no testdata: %v", err)
	}
	corpus, err := filepath.Glob("testdata/corpus/*.eml")
	if err != nil || len(corpus) == 0 {
		t.Fatalf("no corpus: %v", err)
	}
	files = append(files, corpus...)
	for _, f := range files {
		raw, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if bytes.Count(raw, []byte("\n")) != bytes.Count(raw, []byte("\r\n")) {
			t.Errorf("%s: bare LF line endings", f)
		}
	}
}

func TestParse(t *testing.T) {
	date := func(s string) time.Time {
		d, err := time.Parse(time.RFC1123Z, s)
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	soporte := []tickets.Address{{Email: "soporte@example.com"}}
	tests := []struct {
		file string
		// ContentHash and Size are checked separately; an empty
		// FullText means the same as Text.
		want tickets.Inbound
	}{
		{"plain-utf8.eml", tickets.Inbound{
			MessageID: "CAB123.456@mail.example.com",
			From:      tickets.Address{Name: "María López", Email: "maria.lopez@example.com"},
			To:        []tickets.Address{{Name: "Soporte", Email: "soporte@example.com"}},
			Cc: []tickets.Address{
				{Email: "jefe@example.com"},
				{Name: "Pérez, Juan", Email: "juan.perez@example.com"},
			},
			Subject: "No puedo imprimir",
			Date:    date("Mon, 03 Mar 2025 09:15:00 -0500"),
			Text:    "Hola,\n\nLa impresora del piso 3 no imprime desde ayer. ¿Pueden revisarla?\n\nGracias,\nMaría",
		}},
		{"qp-latin1.eml", tickets.Inbound{
			MessageID: "latin1-qp@example.es",
			From:      tickets.Address{Name: "José Muñoz", Email: "jose@example.es"},
			To:        soporte,
			Subject:   "Ñandú, acción",
			Date:      date("Tue, 04 Mar 2025 10:00:00 +0100"),
			Text:      "Hola equipo,\n\nEl ñandú corrió; acción inmediata requerida en la sección de café.\n\nSaludos,\nJosé",
		}},
		{"windows-1252.eml", tickets.Inbound{
			MessageID: "cp1252@example.com",
			From:      tickets.Address{Name: "Cliente", Email: "cliente@example.com"},
			To:        soporte,
			Subject:   "Factura",
			Date:      date("Wed, 05 Mar 2025 11:00:00 -0300"),
			Text:      "El precio es 100 € y dijo “hola” – adiós.",
		}},
		{"base64-utf8.eml", tickets.Inbound{
			MessageID: "b64@example.com",
			From:      tickets.Address{Email: "ana@example.com"},
			To:        soporte,
			Subject:   "VPN",
			Date:      date("Thu, 06 Mar 2025 08:00:00 +0000"),
			Text:      "Buenos días,\nel VPN no conecta: «error 809».",
		}},
		{"rfc2047-q.eml", tickets.Inbound{
			MessageID:  "q-subject@example.com",
			InReplyTo:  []string{"ticket-1042@soporte.example.com"},
			References: []string{"root-1042@example.com", "ticket-1042@soporte.example.com"},
			From:       tickets.Address{Email: "luis@example.com"},
			To:         soporte,
			Subject:    "Re: [Soporte #1042] Contraseña caducada",
			Date:       date("Fri, 07 Mar 2025 08:00:00 +0000"),
			Text:       "ok",
		}},
		{"rfc2047-b.eml", tickets.Inbound{
			MessageID: "b-subject@example.de",
			From:      tickets.Address{Name: "Günter Özl", Email: "gunter@example.de"},
			To:        soporte,
			Subject:   "Überprüfung der Server – dringend",
			Date:      date("Sat, 08 Mar 2025 08:00:00 +0100"),
			Text:      "Bitte prüfen.",
		}},
		{"alternative.eml", tickets.Inbound{
			MessageID: "alt@example.com",
			From:      tickets.Address{Name: "Ana", Email: "ana@example.com"},
			To:        soporte,
			Subject:   "Alternative",
			Date:      date("Sun, 09 Mar 2025 08:00:00 +0000"),
			Text:      "Texto plano con acentos: café.",
		}},
		{"html-only.eml", tickets.Inbound{
			MessageID: "html@example.com",
			From:      tickets.Address{Name: "Outlook User", Email: "user@example.com"},
			To:        soporte,
			Subject:   "HTML only",
			Date:      date("Mon, 10 Mar 2025 08:00:00 +0000"),
			Text: "Hola equipo,\n\nEl enlace está aquí (https://intranet.example.com/wiki) y https://example.com.\n\n" +
				"Línea 1\nLínea 2\n\n- uno\n- dos & tres\n\n<fin> é",
		}},
		{"nested-mixed.eml", tickets.Inbound{
			MessageID: "nested@example.com",
			From:      tickets.Address{Name: "Gomez, Pedro", Email: "pedro@example.com"},
			To:        soporte,
			Subject:   "Con adjunto",
			Date:      date("Tue, 11 Mar 2025 08:00:00 +0000"),
			Text:      "Adjunto el informe.",
		}},
		{"unknown-charset.eml", tickets.Inbound{
			MessageID: "unknown-charset@example.com",
			From:      tickets.Address{Email: "legacy@example.com"},
			To:        soporte,
			Subject:   "Charset desconocido",
			Date:      date("Wed, 12 Mar 2025 08:00:00 +0000"),
			Text:      "Texto en latin1: canción",
		}},
		{"no-message-id.eml", tickets.Inbound{
			MessageID: "sha256:", // + ContentHash, completed below
			From:      tickets.Address{Email: "nomsgid@example.com"},
			To:        soporte,
			Subject:   "Sin Message-ID",
			Date:      date("Thu, 13 Mar 2025 08:00:00 +0000"),
			Text:      "Sin identificador.",
		}},
		{"auto-submitted.eml", tickets.Inbound{
			MessageID:     "auto@example.com",
			From:          tickets.Address{Email: "mailer-daemon@example.com"},
			To:            soporte,
			Subject:       "Fuera de la oficina",
			Date:          date("Fri, 14 Mar 2025 08:00:00 +0000"),
			Text:          "Estoy de vacaciones.",
			AutoSubmitted: true,
		}},
		{"precedence-bulk.eml", tickets.Inbound{
			MessageID:     "bulk@example.com",
			From:          tickets.Address{Email: "news@example.com"},
			To:            soporte,
			Subject:       "Boletin",
			Date:          date("Fri, 14 Mar 2025 08:00:00 +0000"),
			Text:          "Noticias.",
			AutoSubmitted: true,
		}},
		{"flowed.eml", tickets.Inbound{
			MessageID: "flowed@example.com",
			From:      tickets.Address{Email: "tb@example.com"},
			To:        soporte,
			Subject:   "Flowed",
			Date:      date("Sat, 15 Mar 2025 08:00:00 +0000"),
			// Flowed lines rejoin; the quote and the "-- " signature stay
			// separate lines, which is why VisibleText can drop them.
			Text:     "Esta es una linea larga que el cliente partio en dos.",
			FullText: "Esta es una linea larga que el cliente partio en dos.\n\n> cita que tambien fue partida\n-- \nfirma",
		}},
		{"junk-headers.eml", tickets.Inbound{
			MessageID:  "no-brackets@example.com",
			InReplyTo:  []string{"orig@example.com"},
			References: []string{"a@example.com", "b@example.com"},
			From:       tickets.Address{Name: "Pérez, Juan", Email: "juan@example.com"},
			ReplyTo:    []tickets.Address{{Name: "Respuestas", Email: "respuestas@example.com"}},
			Cc: []tickets.Address{
				{Name: "Broken <quote", Email: "ok@example.com"},
				{Name: "garbage, Otro", Email: "otro@example.com"},
			},
			Subject: "Re: junk",
			Text:    "cuerpo",
		}},
		{"broken-multipart.eml", tickets.Inbound{
			MessageID: "trunc@example.com",
			From:      tickets.Address{Email: "trunc@example.com"},
			To:        soporte,
			Subject:   "Truncated multipart",
			Text:      "Primera parte completa.\n\nHola mund",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			raw := readEML(t, tt.file)
			got, err := Parse(raw)
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			sum := sha256.Sum256(raw)
			want := tt.want
			want.ContentHash = hex.EncodeToString(sum[:])
			want.Size = int64(len(raw))
			if want.FullText == "" {
				want.FullText = want.Text
			}
			if want.MessageID == "sha256:" {
				want.MessageID += want.ContentHash
			}
			if !got.Date.Equal(want.Date) {
				t.Errorf("Date = %v, want %v", got.Date, want.Date)
			}
			got.Date, want.Date = time.Time{}, time.Time{}
			if want.Kind == "" {
				want.Kind = tickets.KindNormal
				if want.AutoSubmitted {
					want.Kind = tickets.KindAutoReply
				}
			}
			// Attachments and bounces are checked on the corpus through
			// inspect (cmd/ticketd TestInspectCorpus).
			got.Attachments, got.Bounce = nil, nil
			if !reflect.DeepEqual(got, want) {
				t.Errorf("Parse mismatch\n got: %#v\nwant: %#v", got, want)
				if got.Text != want.Text {
					t.Errorf("Text\n got: %q\nwant: %q", got.Text, want.Text)
				}
			}
		})
	}
}

func TestParseAttachmentSkipped(t *testing.T) {
	in, err := Parse(readEML(t, "nested-mixed.eml"))
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(in.Text, "ATTACHED") || strings.Contains(in.Text, "PDF") {
		t.Errorf("attachment content leaked into Text: %q", in.Text)
	}
}

func TestParseBroken(t *testing.T) {
	tests := []struct {
		name string
		raw  []byte
	}{
		{"no-separation", readEML(t, "broken-no-separation.eml")},
		{"no-from", readEML(t, "broken-no-from.eml")},
		{"bad-from", readEML(t, "broken-bad-from.eml")},
		{"empty", nil},
		{"blank", []byte("\r\n\r\n")},
		{"binary", []byte{0x00, 0xff, 0xfe, 0x01, '\r', '\n'}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in, err := Parse(tt.raw)
			if err == nil {
				t.Fatalf("Parse succeeded: %#v", in)
			}
			if !errors.Is(err, ErrMalformed) {
				t.Errorf("error %v does not wrap ErrMalformed", err)
			}
			if !reflect.DeepEqual(in, tickets.Inbound{}) {
				t.Errorf("non-zero Inbound on error: %#v", in)
			}
		})
	}
}

func TestParseHeaderOnly(t *testing.T) {
	raw := []byte("From: a@example.com\r\nSubject: only headers\r\nMessage-ID: <h@x>\r\n")
	in, err := Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	if in.Subject != "only headers" || in.MessageID != "h@x" || in.Text != "" {
		t.Errorf("got %#v", in)
	}
	if string(raw) != "From: a@example.com\r\nSubject: only headers\r\nMessage-ID: <h@x>\r\n" {
		t.Error("Parse modified its input")
	}
}

func TestAutoSubmitted(t *testing.T) {
	tests := []struct {
		headers string
		want    bool
	}{
		{"", false},
		{"Auto-Submitted: no\r\n", false},
		{"Auto-Submitted: No\r\n", false},
		{"Auto-Submitted: auto-generated\r\n", true},
		{"Auto-Submitted: Auto-Replied\r\n", true},
		{"Auto-Submitted: auto-notified; owner-email=x@y\r\n", true},
		{"Precedence: bulk\r\n", true},
		{"Precedence: Junk\r\n", true},
		{"Precedence: list\r\n", true},
		{"Precedence: first-class\r\n", false},
		{"X-Autoreply: yes\r\n", true},
		{"Return-Path: <>\r\n", true},
		{"Return-Path: <a@example.com>\r\n", false},
		{"Content-Type: multipart/report; report-type=delivery-status; boundary=x\r\n", true},
	}
	for _, tt := range tests {
		raw := "From: a@example.com\r\n" + tt.headers + "\r\nbody\r\n"
		in, err := Parse([]byte(raw))
		if err != nil {
			t.Fatalf("%q: %v", tt.headers, err)
		}
		if in.AutoSubmitted != tt.want {
			t.Errorf("%q: AutoSubmitted = %v, want %v", tt.headers, in.AutoSubmitted, tt.want)
		}
	}
}

func TestMsgIDs(t *testing.T) {
	tests := []struct {
		in     string
		single bool
		want   []string
	}{
		{"", false, nil},
		{"<a@b>", true, []string{"a@b"}},
		{"a@b", true, []string{"a@b"}},
		{"  <a@b> trailing junk", true, []string{"a@b"}},
		{"12345", true, []string{"12345"}},
		{"<a@b>, <c@d>\r\n <e@f>", false, []string{"a@b", "c@d", "e@f"}},
		{"<a@b> <a@b>", false, []string{"a@b"}},
		{"<>", false, nil},
		{"x@y z@w", false, []string{"x@y", "z@w"}},
		{"not an id", false, nil},
		{"<folded\r\n @id>", false, []string{"folded@id"}},
	}
	for _, tt := range tests {
		if got := msgIDs(tt.in, tt.single); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("msgIDs(%q, %v) = %q, want %q", tt.in, tt.single, got, tt.want)
		}
	}
}

func TestParseAddressList(t *testing.T) {
	tests := []struct {
		in   string
		want []tickets.Address
	}{
		{"", nil},
		{"A@Example.COM", []tickets.Address{{Email: "a@example.com"}}},
		{"=?utf-8?q?Jos=C3=A9?= <jose@x.es>, b@x.es", []tickets.Address{{Name: "José", Email: "jose@x.es"}, {Email: "b@x.es"}}},
		{"undisclosed-recipients:;", nil},
		{"a@x.es, a@x.es", []tickets.Address{{Email: "a@x.es"}}},
		{"Pérez, Juan <juan@x.es>", []tickets.Address{{Name: "Pérez, Juan", Email: "juan@x.es"}}},
		{"<bare@x.es>", []tickets.Address{{Email: "bare@x.es"}}},
		{"garbage only", nil},
		{"Bad [x] <ok@x.es>, nope", []tickets.Address{{Name: "Bad [x]", Email: "ok@x.es"}}},
	}
	for _, tt := range tests {
		if got := parseAddressList(tt.in); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("parseAddressList(%q) = %#v, want %#v", tt.in, got, tt.want)
		}
	}
}

func TestUnflow(t *testing.T) {
	got := unflow("one \r\ntwo\r\n>> quoted \r\n>> more\r\n> shallow\r\n plain stuffed\r\n-- \r\nsig", false)
	want := "one two\n>> quoted more\n> shallow\nplain stuffed\n-- \nsig"
	if got != want {
		t.Errorf("unflow\n got %q\nwant %q", got, want)
	}
	if got := unflow("abc \r\ndef", true); got != "abcdef" {
		t.Errorf("unflow delsp = %q", got)
	}
}
