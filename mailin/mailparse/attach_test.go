package mailparse

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"io"
	"runtime"
	"testing"

	"github.com/ticketd/ticketd/tickets"
)

// bigMessage is a mail with one attachment of n decoded bytes, base64.
func bigMessage(n int) (raw []byte, content []byte) {
	content = make([]byte, n)
	for i := range content {
		content[i] = byte(i*7 + i/4096)
	}
	var b bytes.Buffer
	b.WriteString("From: Ana <ana@example.com>\r\nTo: soporte@example.com\r\nSubject: Volcado\r\nMessage-ID: <big@example.com>\r\n" +
		"MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"b\"\r\n\r\n--b\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n" +
		"Adjunto el volcado de memoria.\r\n--b\r\nContent-Type: application/octet-stream\r\n" +
		"Content-Disposition: attachment; filename=\"volcado.bin\"\r\nContent-Transfer-Encoding: base64\r\n\r\n")
	enc := base64.StdEncoding.EncodeToString(content)
	for len(enc) > 76 {
		b.WriteString(enc[:76])
		b.WriteString("\r\n")
		enc = enc[76:]
	}
	b.WriteString(enc + "\r\n--b--\r\n")
	return b.Bytes(), content
}

// TestFiftyMegabyteMessage parses a 50 MB message into the attachment
// store: the attachment is streamed (allocations stay far below its size)
// and kept intact; with a lower limit it is dropped with its size.
func TestFiftyMegabyteMessage(t *testing.T) {
	raw, content := bigMessage(37 << 20) // 37 MiB decoded, about 50 MB as base64 mail
	if len(raw) < 50e6 {
		t.Fatalf("message is %d bytes, want at least 50 MB", len(raw))
	}
	blobs, err := tickets.OpenBlobs(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	in, err := ParseWithOptions(raw, Options{Attachments: blobs, MaxAttachmentSize: 40 << 20})
	runtime.ReadMemStats(&after)
	if err != nil {
		t.Fatal(err)
	}
	allocated := after.TotalAlloc - before.TotalAlloc
	t.Logf("parsing a %d-byte message allocated %d bytes (%.1f%% of its size)", len(raw), allocated, 100*float64(allocated)/float64(len(raw)))
	if allocated > 8<<20 {
		t.Errorf("parsing allocated %d bytes: the attachment is not streamed", allocated)
	}
	want := sha256.Sum256(content)
	if len(in.Attachments) != 1 || !in.Attachments[0].Stored || in.Attachments[0].Size != int64(len(content)) ||
		in.Attachments[0].SHA256 != hex.EncodeToString(want[:]) || in.Text != "Adjunto el volcado de memoria." {
		t.Fatalf("parsed %+v, text %q", in.Attachments, in.Text)
	}
	r, err := blobs.Open(in.Attachments[0].SHA256)
	if err != nil {
		t.Fatal(err)
	}
	h := sha256.New()
	io.Copy(h, r)
	r.Close()
	if !bytes.Equal(h.Sum(nil), want[:]) {
		t.Fatal("stored content differs")
	}

	in, err = ParseWithOptions(raw, Options{Attachments: blobs, MaxAttachmentSize: 10 << 20})
	if err != nil {
		t.Fatal(err)
	}
	if a := in.Attachments[0]; !a.Dropped || a.Stored || a.Size != int64(len(content)) || a.Name != "volcado.bin" ||
		a.Reason != fmt.Sprintf("larger than the limit of %d bytes", 10<<20) {
		t.Fatalf("oversize attachment: %+v", a)
	}
}

// TestDamagedAttachmentIsUnreadable: base64 that cannot be decoded drops
// the attachment as unreadable (its sender is told it arrived damaged),
// never as too large.
func TestDamagedAttachmentIsUnreadable(t *testing.T) {
	blobs, err := tickets.OpenBlobs(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	raw := []byte("From: pedro@client.com\r\nTo: soporte@example.com\r\nSubject: Escaneo\r\nMessage-ID: <dmg@client.com>\r\n" +
		"MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n" +
		"--b\r\nContent-Type: text/plain\r\n\r\nAdjunto el escaneo.\r\n" +
		"--b\r\nContent-Type: application/pdf; name=escaneo.pdf\r\nContent-Disposition: attachment; filename=escaneo.pdf\r\nContent-Transfer-Encoding: base64\r\n\r\n" +
		"JVBERi0xLjQK!!!!not*base64####\r\n--b--\r\n")
	in, err := ParseWithOptions(raw, Options{Attachments: blobs, MaxAttachmentSize: 10 << 20})
	if err != nil {
		t.Fatal(err)
	}
	if len(in.Attachments) != 1 {
		t.Fatalf("attachments %+v", in.Attachments)
	}
	if a := in.Attachments[0]; !a.Dropped || !a.Unreadable || a.Stored {
		t.Fatalf("damaged attachment: %+v", a)
	}
}
