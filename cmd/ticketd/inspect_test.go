package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/ticketd/ticketd/tickets"
)

// corpusDir holds real-looking mails from many clients and MTAs.
const corpusDir = "../../mailin/mailparse/testdata/corpus"

// inspected is the JSON `ticketd inspect` prints, decoded.
type inspected struct {
	From        tickets.Address   `json:"from"`
	To          []tickets.Address `json:"to"`
	Cc          []tickets.Address `json:"cc"`
	Subject     string            `json:"subject"`
	MessageID   string            `json:"message_id"`
	Ticket      *uint64           `json:"ticket"`
	Kind        string            `json:"kind"`
	VisibleText string            `json:"visible_text"`
	Attachments []struct {
		Name   string `json:"name"`
		Type   string `json:"type"`
		Size   int64  `json:"size"`
		Inline bool   `json:"inline"`
		SHA256 string `json:"sha256"`
	} `json:"attachments"`
	InReplyTo         []string `json:"in_reply_to"`
	OriginalMessageID string   `json:"original_message_id"`
	FailedRecipients  []struct {
		Email      string `json:"email"`
		Action     string `json:"action"`
		Status     string `json:"status"`
		Diagnostic string `json:"diagnostic"`
	} `json:"failed_recipients"`
}

// att is an expected attachment: "name|type|size", size -1 for any.
type att struct {
	name, typ string
	size      int64
	inline    bool
}

func TestInspectCorpus(t *testing.T) {
	cfg := &Config{Options: tickets.Options{Tag: "Soporte", Desk: tickets.Address{Email: "soporte@example.com"}}}
	tests := []struct {
		file    string
		kind    string
		ticket  uint64 // 0: null
		from    string
		subject string   // "" not checked
		text    string   // the visible text, exactly ("" not checked)
		has     []string // substrings of the visible text
		hasNot  []string // what must have been stripped
		atts    []att
		origID  string
		failed  []string // "email action status"
	}{
		{file: "outlook-es-reply.eml", kind: "normal", ticket: 12, from: "maria.fernandez@corp.example.com",
			subject: "RE: [Soporte #12] No puedo imprimir",
			text:    "Ya probé de nuevo y sigue sin imprimir. ¿Pueden venir a revisarla?\n\nSaludos,\nMaría"},
		{file: "outlook-en-html-only.eml", kind: "normal", ticket: 7, from: "john.smith@contoso.example",
			text: "It still shows a black screen. See the KB article (https://status.contoso.example/kb/42)."},
		{file: "outlook-original-message-en.eml", kind: "normal", ticket: 61, from: "linda@fabrikam.example",
			text: "The new token works, thank you.\n\nLinda"},
		{file: "gmail-es-reply.eml", kind: "normal", ticket: 12, from: "lucia.gomez@gmail.com",
			text: "Hola, ya funciona. ¡Gracias!"},
		{file: "gmail-en-attachment.eml", kind: "normal", from: "peter.brown@gmail.com", subject: "Invoice question",
			has: []string{"the attached invoice is wrong"}, atts: []att{{"factura nº 1.pdf", "application/pdf", 960, false}}},
		{file: "android-gmail-en-quoted.eml", kind: "normal", ticket: 60, from: "tom@gmail.com",
			text: "Yes, it works now on the phone too."},
		{file: "iphone-es-bottom.eml", kind: "normal", from: "carlos.ruiz@icloud.com", text: "Ya está, muchas gracias."},
		{file: "apple-mail-inline-image.eml", kind: "normal", from: "elena@me.example",
			text: "Adjunto la foto del error.\n\nSaludos, Elena", atts: []att{{"pantalla.png", "image/png", 66, true}}},
		{file: "thunderbird-latin1-flowed.eml", kind: "normal", ticket: 21, from: "jose.pena@posteo.example",
			subject: "Re: [Soporte #21] Contraseña caducada",
			text:    "Buenas tardes, la contraseña nueva tampoco funciona en el portátil de la oficina."},
		{file: "iso-8859-15-euro.eml", kind: "normal", from: "hans@web.example", subject: "Factura de 100 €",
			text: "Me cobraron 100 € de más. ¿Pueden revisarlo?"},
		{file: "windows-1252-smart-quotes.eml", kind: "normal", from: "pat@oldmail.example",
			text: "The printer says “paper jam” – but there’s no paper in it. Cost: € 0."},
		{file: "rfc2047-split-subject.eml", kind: "normal", from: "xiaolin@example.cn",
			subject: "Problema con el correo electrónico y el calendario", text: "No recibo correos desde ayer.",
			atts: []att{{"informe año.xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", 10, false}}},
		{file: "rfc2231-latin1-filename.eml", kind: "normal", from: "ana@example.org", text: "Adjunto el registro del error.",
			atts: []att{{"registro de café.log", "text/plain", -1, false}}},
		{file: "forward-rfc822.eml", kind: "normal", from: "marta@corp.example.com",
			text: "Os reenvío el mensaje de Raúl, que no puede entrar en la carpeta.",
			atts: []att{{"Acceso denegado a la carpeta compartida.eml", "message/rfc822", -1, false}}},
		{file: "nested-related-zip.eml", kind: "normal", from: "sofia@example.net",
			text: "La aplicación se cierra al guardar. Va el log comprimido.",
			atts: []att{{"", "image/gif", 14, true}, {"logs.zip", "application/zip", 22, false}}},

		{file: "ooo-exchange-es.eml", kind: "autoreply", ticket: 30, subject: "Respuesta automática: [Soporte #30] VPN",
			origID: "ticketd.30.90.cccccccccccc@example.com"}, // the auto-reply names the mail it answers
		{file: "ooo-en-subject-only.eml", kind: "autoreply", ticket: 31},
		{file: "autoreply-x-autorespond.eml", kind: "autoreply"},
		{file: "vacation-auto-submitted-en.eml", kind: "autoreply", ticket: 8},
		{file: "list-id-newsletter.eml", kind: "autoreply", text: "New features\n\nRead our news (https://vendor.example/news)."},
		{file: "precedence-junk.eml", kind: "autoreply"},
		{file: "null-return-path.eml", kind: "autoreply"},
		{file: "postmaster-notice.eml", kind: "autoreply"},

		{file: "dsn-postfix.eml", kind: "bounce", from: "mailer-daemon@mx.example.com",
			origID: "ticketd.40.100.dddddddddddd@example.com", failed: []string{"nadie@cliente.example failed 5.1.1"},
			atts: []att{{"[Soporte #40] Su solicitud fue recibida.eml", "message/rfc822", -1, false}}},
		{file: "dsn-postfix-delayed.eml", kind: "bounce",
			origID: "ticketd.41.101.eeeeeeeeeeee@example.com", failed: []string{"lento@cliente.example delayed 4.4.1"}},
		{file: "dsn-exchange.eml", kind: "bounce", ticket: 43, from: "postmaster@contoso.example",
			origID: "ticketd.43.120.121212121212@example.com", failed: []string{"ex.empleado@contoso.example failed 5.1.10"},
			atts: []att{{"[Soporte #43] Cuenta bloqueada.eml", "message/rfc822", -1, false}}},
		{file: "dsn-gmail.eml", kind: "bounce", from: "mailer-daemon@googlemail.com",
			origID: "ticketd.44.130.343434343434@example.com", failed: []string{"no.existe@gmail.com failed 5.1.1"},
			atts: []att{{"icon.png", "image/png", 66, false}}},
		{file: "bounce-exim.eml", kind: "bounce",
			origID: "ticketd.42.110.ffffffffffff@example.com", failed: []string{"baja@empresa.example failed 5.1.1"}},
		{file: "bounce-qmail.eml", kind: "bounce",
			origID: "ticketd.45.140.565656565656@example.com", failed: []string{"cerrada@isp.example failed 5.1.1"}},
		{file: "bounce-spanish-nonstandard.eml", kind: "bounce", ticket: 46,
			origID: "ticketd.46.150.787878787878@example.com", failed: []string{"usuario.baja@ejemplo.es failed 5.1.1"}},

		{file: "own-from-desk.eml", kind: "own", ticket: 50},
		{file: "own-msgid-via-list.eml", kind: "own", ticket: 51},
	}
	files, err := filepath.Glob(filepath.Join(corpusDir, "*.eml"))
	if err != nil {
		t.Fatal(err)
	}
	covered := map[string]bool{}
	for _, tt := range tests {
		covered[tt.file] = true
	}
	for _, f := range files {
		if !covered[filepath.Base(f)] {
			t.Errorf("%s has no expectations in this table", filepath.Base(f))
		}
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			var out bytes.Buffer
			if err := inspectMail(cfg, filepath.Join(corpusDir, tt.file), nil, &out); err != nil {
				t.Fatal(err)
			}
			var got inspected
			dec := json.NewDecoder(&out)
			dec.DisallowUnknownFields()
			if err := dec.Decode(&got); err != nil {
				t.Fatalf("inspect printed no valid JSON: %v\n%s", err, out.String())
			}
			if got.Kind != tt.kind {
				t.Errorf("kind %q, want %q", got.Kind, tt.kind)
			}
			switch {
			case tt.ticket == 0 && got.Ticket != nil:
				t.Errorf("ticket %d, want null", *got.Ticket)
			case tt.ticket != 0 && (got.Ticket == nil || *got.Ticket != tt.ticket):
				t.Errorf("ticket %v, want %d", got.Ticket, tt.ticket)
			}
			if tt.from != "" && got.From.Email != tt.from {
				t.Errorf("from %q, want %q", got.From.Email, tt.from)
			}
			if tt.subject != "" && got.Subject != tt.subject {
				t.Errorf("subject %q, want %q", got.Subject, tt.subject)
			}
			if got.MessageID == "" || got.To == nil || got.Cc == nil || got.Attachments == nil {
				t.Errorf("message_id, to, cc and attachments must be present: %+v", got)
			}
			if tt.text != "" && got.VisibleText != tt.text {
				t.Errorf("visible_text\n got %q\nwant %q", got.VisibleText, tt.text)
			}
			for _, s := range tt.has {
				if !strings.Contains(got.VisibleText, s) {
					t.Errorf("visible_text %q lacks %q", got.VisibleText, s)
				}
			}
			if len(got.Attachments) != len(tt.atts) {
				t.Fatalf("attachments %+v, want %+v", got.Attachments, tt.atts)
			}
			for i, a := range tt.atts {
				g := got.Attachments[i]
				if g.Name != a.name || g.Type != a.typ || (a.size >= 0 && g.Size != a.size) || g.Inline != a.inline || g.Size <= 0 || len(g.SHA256) != 64 {
					t.Errorf("attachment %d: %+v, want %+v", i, g, a)
				}
			}
			if got.OriginalMessageID != tt.origID {
				t.Errorf("original_message_id %q, want %q", got.OriginalMessageID, tt.origID)
			}
			var failed []string
			for _, r := range got.FailedRecipients {
				failed = append(failed, r.Email+" "+r.Action+" "+r.Status)
			}
			if !slices.Equal(failed, tt.failed) {
				t.Errorf("failed_recipients %q, want %q", failed, tt.failed)
			}
			if tt.kind == "bounce" && got.FailedRecipients == nil {
				t.Error("a bounce must list failed_recipients")
			}
		})
	}
}

// TestInspectKeepsItsKeys pins the JSON keys tools read: keys may be
// added, never renamed or dropped.
func TestInspectKeepsItsKeys(t *testing.T) {
	cfg := &Config{Options: tickets.Options{Tag: "Soporte", Desk: tickets.Address{Email: "soporte@example.com"}}}
	for file, want := range map[string][]string{
		"gmail-es-reply.eml": {"from", "to", "cc", "subject", "message_id", "ticket", "kind", "visible_text", "attachments", "in_reply_to"},
		"dsn-postfix.eml": {"from", "to", "cc", "subject", "message_id", "ticket", "kind", "visible_text", "attachments", "in_reply_to",
			"original_message_id", "failed_recipients"},
	} {
		var out bytes.Buffer
		if err := inspectMail(cfg, filepath.Join(corpusDir, file), nil, &out); err != nil {
			t.Fatal(err)
		}
		var got map[string]json.RawMessage
		if err := json.Unmarshal(out.Bytes(), &got); err != nil {
			t.Fatal(err)
		}
		var keys []string
		for k := range got {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		slices.Sort(want)
		if !slices.Equal(keys, want) {
			t.Errorf("%s: keys %q, want %q", file, keys, want)
		}
	}
}

// TestInspectCommand runs the subcommand as the admin would: without a
// configuration (any tag is read) and on a file that cannot be parsed.
func TestInspectCommand(t *testing.T) {
	var out, errb bytes.Buffer
	err := runCLI(context.Background(), []string{"inspect", filepath.Join(corpusDir, "ooo-exchange-es.eml")}, nil, &out, &errb)
	if err != nil {
		t.Fatalf("inspect: %v\n%s", err, errb.String())
	}
	var got inspected
	if err := json.Unmarshal(out.Bytes(), &got); err != nil || got.Kind != "autoreply" || got.Ticket == nil || *got.Ticket != 30 {
		t.Fatalf("inspect without config: %v %+v", err, got)
	}

	bad := filepath.Join(t.TempDir(), "bad.eml")
	if err := os.WriteFile(bad, []byte("no header at all\r\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	out.Reset()
	if err := runCLI(context.Background(), []string{"inspect", bad}, nil, &out, &errb); err == nil || out.Len() != 0 {
		t.Fatalf("inspect of a broken file: err %v, output %q", err, out.String())
	}
	if err := runCLI(context.Background(), []string{"inspect"}, nil, &out, &errb); err == nil {
		t.Fatal("inspect without a file succeeded")
	}
}
