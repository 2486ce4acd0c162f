package mailout

import (
	"bytes"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-message/mail"

	"github.com/ticketd/ticketd/tickets"
)

// storeAttachments puts contents into a real attachment store and returns
// the attachments describing them.
func storeAttachments(t *testing.T, files map[string][]byte) (*tickets.Blobs, []tickets.Attachment) {
	t.Helper()
	blobs, err := tickets.OpenBlobs(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	var atts []tickets.Attachment
	for _, name := range []string{"guía de instalación.pdf", "captura.png"} {
		sum, n, err := blobs.Put(bytes.NewReader(files[name]), 0)
		if err != nil {
			t.Fatal(err)
		}
		typ := "application/pdf"
		if strings.HasSuffix(name, ".png") {
			typ = "image/png"
		}
		atts = append(atts, tickets.Attachment{Name: name, Type: typ, Size: n, SHA256: sum, Stored: true})
	}
	return blobs, atts
}

func TestComposeWithAttachments(t *testing.T) {
	files := map[string][]byte{
		"guía de instalación.pdf": bytes.Repeat([]byte("%PDF-1.4 \x00\xff binary "), 5000),
		"captura.png":             {0x89, 'P', 'N', 'G', 0, 1, 2, 3},
	}
	blobs, atts := storeAttachments(t, files)
	for _, html := range []string{"<p>Hola</p>", ""} {
		m := testMail()
		m.HTML = html
		m.Attachments = atts
		raw, err := ComposeWith(m, queued.Add(time.Hour), blobs)
		if err != nil {
			t.Fatal(err)
		}
		r, err := mail.CreateReader(bytes.NewReader(raw))
		if err != nil {
			t.Fatal(err)
		}
		if ct, _, _ := r.Header.ContentType(); ct != "multipart/mixed" {
			t.Fatalf("top-level type %q, want multipart/mixed", ct)
		}
		var text string
		got := map[string][]byte{}
		for {
			p, err := r.NextPart()
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(p.Body)
			switch h := p.Header.(type) {
			case *mail.InlineHeader:
				if ct, _, _ := h.ContentType(); ct == "text/plain" {
					text = string(b)
				}
			case *mail.AttachmentHeader:
				name, err := h.Filename()
				if err != nil {
					t.Fatal(err)
				}
				got[name] = b
			}
		}
		if !strings.Contains(text, "Hola, José:") {
			t.Errorf("html %q: text part missing, got %q", html, text)
		}
		for name, want := range files {
			if !bytes.Equal(got[name], want) {
				t.Errorf("html %q: attachment %q: %d bytes, want %d", html, name, len(got[name]), len(want))
			}
		}
	}

	m := testMail()
	m.Attachments = []tickets.Attachment{{Name: "gone.pdf", Type: "application/pdf", SHA256: strings.Repeat("0", 64), Stored: true}}
	if _, err := ComposeWith(m, queued, blobs); err == nil || !strings.Contains(err.Error(), "gone.pdf") {
		t.Errorf("missing attachment: %v", err)
	}
	if _, err := Compose(m, queued); err == nil {
		t.Error("Compose without a store accepted a mail with attachments")
	}
}
