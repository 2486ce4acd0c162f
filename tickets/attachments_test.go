package tickets

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func TestBlobsAreContentAddressed(t *testing.T) {
	dir := t.TempDir()
	b, err := OpenBlobs(dir)
	if err != nil {
		t.Fatal(err)
	}
	content := []byte("%PDF-1.4 factura")
	sum, n, err := b.Put(bytes.NewReader(content), 100)
	want := sha256.Sum256(content)
	if err != nil || n != int64(len(content)) || sum != hex.EncodeToString(want[:]) {
		t.Fatalf("Put: %q %d %v", sum, n, err)
	}
	again, _, err := b.Put(bytes.NewReader(content), 100)
	if err != nil || again != sum {
		t.Fatalf("second Put: %q %v", again, err)
	}
	r, err := b.Open(sum)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(r)
	r.Close()
	if !bytes.Equal(got, content) {
		t.Fatalf("Open gave %q", got)
	}
	big := bytes.Repeat([]byte("x"), 1000)
	if _, n, err := b.Put(bytes.NewReader(big), 999); !errors.Is(err, ErrTooLarge) || n != 1000 {
		t.Fatalf("over the limit: %d %v, want ErrTooLarge with the whole size", n, err)
	}
	var files []string
	filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			files = append(files, filepath.Base(p))
		}
		return nil
	})
	if !slices.Equal(files, []string{sum}) {
		t.Fatalf("store holds %v, want just %s (no temporary files, nothing for the oversize one)", files, sum)
	}
	if _, err := b.Open("../../etc/passwd"); err == nil {
		t.Fatal("Open accepted a path")
	}
}

func TestAttachmentsGoOutAndDroppedOnesAreTold(t *testing.T) {
	f := newFixture(t)
	pdf := Attachment{Name: "factura.pdf", Type: "application/pdf", Size: 1200, SHA256: strings.Repeat("ab", 32), Stored: true}
	video := Attachment{Name: "video.mp4", Type: "video/mp4", Size: 80 << 20, Dropped: true, Reason: "larger than the limit"}
	m := msg("a1@client", "pedro@client.com", "Factura", "Adjunto la factura y un vídeo.")
	m.Attachments = []Attachment{pdf, video}
	f.apply(m)
	mails := f.drain()
	if got := kinds(mails); !slices.Equal(got, []string{"ack:pedro@client.com", "agent_new:ana@example.com,luis@example.com", "attachment_dropped:pedro@client.com"}) {
		t.Fatalf("queued %v", got)
	}
	if !slices.Equal(mails[1].Attachments, []Attachment{pdf}) || len(mails[0].Attachments) != 0 {
		t.Errorf("agents get %+v, ack %+v: want the stored attachment to the agents only", mails[1].Attachments, mails[0].Attachments)
	}
	if !strings.Contains(mails[2].Text, "video.mp4 (80.0 MB)") || mails[2].InReplyTo != "a1@client" {
		t.Errorf("dropped notice:\n%s", mails[2].Text)
	}
	evs := f.events(1)
	in := evs[slices.IndexFunc(evs, func(e Event) bool { return e.Kind == EventInbound })]
	if !slices.Equal(in.Attachments, m.Attachments) {
		t.Errorf("the ticket does not record the attachments: %+v", in.Attachments)
	}

	// The agent's answer carries the agent's attachment to the requester.
	guide := Attachment{Name: "guía.pdf", Type: "application/pdf", Size: 300, SHA256: strings.Repeat("cd", 32), Stored: true}
	logo := Attachment{Name: "logo.png", Type: "image/png", Size: 10, Dropped: true}
	reply := msg("ana1@example", "ana@example.com", "RE: [Soporte #1] Factura", "Le envío la guía.")
	reply.Attachments = []Attachment{guide, logo}
	f.apply(reply)
	mails = f.drain()
	if got := kinds(mails); !slices.Equal(got, []string{"reply:pedro@client.com", "attachment_dropped:ana@example.com"}) {
		t.Fatalf("after the agent's answer queued %v", got)
	}
	if !slices.Equal(mails[0].Attachments, []Attachment{guide}) {
		t.Errorf("relayed reply carries %+v, want the guide", mails[0].Attachments)
	}
}

// TestDamagedAttachmentIsNotCalledTooLarge: the sender of an attachment
// that arrived damaged is told so, not that it was too large.
func TestDamagedAttachmentIsNotCalledTooLarge(t *testing.T) {
	f := newFixture(t)
	scan := Attachment{Name: "escaneo.pdf", Type: "application/pdf", Size: 512, Dropped: true, Unreadable: true, Reason: "not stored: illegal base64 data"}
	video := Attachment{Name: "video.mp4", Type: "video/mp4", Size: 80 << 20, Dropped: true, Reason: "larger than the limit"}
	m := msg("d1@client", "pedro@client.com", "Escaneo", "Adjunto el escaneo y un vídeo.")
	m.Attachments = []Attachment{scan, video}
	f.apply(m)
	mails := f.drain()
	i := slices.IndexFunc(mails, func(m Mail) bool { return m.Kind == "attachment_dropped" })
	if i < 0 {
		t.Fatalf("no attachment_dropped mail in %v", kinds(mails))
	}
	text := mails[i].Text
	for _, want := range []string{"escaneo.pdf (512 B): llegó dañado", "video.mp4 (80.0 MB): supera el tamaño permitido"} {
		if !strings.Contains(text, want) {
			t.Errorf("notice lacks %q:\n%s", want, text)
		}
	}
	if strings.Contains(text, "superan el tamaño") {
		t.Errorf("notice says every attachment was too large:\n%s", text)
	}
}
