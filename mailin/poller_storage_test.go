package mailin

import (
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/ticketd/ticketd/tickets"
)

// mailWithAttachment is a mail with a small PDF attached.
func mailWithAttachment() string {
	return strings.ReplaceAll(`From: Usuario <user@example.com>
To: soporte@example.com
Subject: Con adjunto
Message-ID: <adjunto@example.com>
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="b"

--b
Content-Type: text/plain; charset=utf-8

Adjunto la factura.
--b
Content-Type: application/pdf; name="factura.pdf"
Content-Disposition: attachment; filename="factura.pdf"
Content-Transfer-Encoding: base64

JVBERi0xLjQgZmFjdHVyYQ==
--b--
`, "\n", "\r\n")
}

// TestPollLeavesMailWhenAttachmentsCannotBeStored: when the attachment
// store fails (here its directory is a regular file: ENOTDIR, which stops
// root too), the message is neither applied with its attachment dropped
// nor set aside: it stays in the inbox, the failure is logged at Error,
// the pass reports ErrStorage (so it is retried), the other mail goes on;
// once the store works the next pass applies it with the attachment kept.
func TestPollLeavesMailWhenAttachmentsCannotBeStored(t *testing.T) {
	srv := startServer(t, withMove())
	srv.deliver(t, testMail(1))
	srv.deliver(t, mailWithAttachment())
	srv.deliver(t, testMail(3))

	dir := filepath.Join(t.TempDir(), "attachments")
	blobs, err := tickets.OpenBlobs(dir)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.RemoveAll(dir); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(dir, []byte("not a directory"), 0o600); err != nil {
		t.Fatal(err)
	}
	opts := testOptions(srv.addr)
	opts.Attachments = blobs
	opts.MaxAttachmentSize = 1 << 20
	logger, logs := newLogRecorder(t)
	app := &fakeApplier{}
	p := NewPoller(opts, app, logger)
	ctx := testContext(t)

	st, err := p.Poll(ctx)
	if !errors.Is(err, tickets.ErrStorage) {
		t.Fatalf("pass with a broken attachment store: %v, want ErrStorage", err)
	}
	if want := (Stats{Fetched: 3, Applied: 2, Left: 1}); st != want {
		t.Errorf("stats = %+v, want %+v", st, want)
	}
	if got := app.subjects(); !slices.EqualFunc(got, [][]string{{"Mensaje 1", "Mensaje 3"}}, slices.Equal) {
		t.Errorf("applied %q, want only the mails without attachments", got)
	}
	if n := srv.count(t, "INBOX"); n != 1 {
		t.Errorf("INBOX has %d messages, want the one with the attachment", n)
	}
	if n := srv.count(t, testFailed); n != 0 {
		t.Errorf("%d messages set aside as failed", n)
	}
	if attrs, ok := logs.find(slog.LevelError, "attachment not stored"); !ok || !strings.Contains(attrs["err"], "not a directory") {
		t.Errorf("no Error log naming the storage failure: %v", attrs)
	}

	// The admin repairs the disk: the next pass takes it, attachment kept.
	if err := os.Remove(dir); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(dir, 0o750); err != nil {
		t.Fatal(err)
	}
	if st, err = p.Poll(ctx); err != nil || st.Applied != 1 {
		t.Fatalf("pass after the repair: %+v, %v", st, err)
	}
	app.mu.Lock()
	last := app.calls[len(app.calls)-1]
	app.mu.Unlock()
	if len(last) != 1 || len(last[0].Attachments) != 1 || !last[0].Attachments[0].Stored || last[0].Attachments[0].Dropped {
		t.Fatalf("applied after the repair: %+v", last)
	}
	if n := srv.count(t, "INBOX"); n != 0 {
		t.Errorf("INBOX has %d messages after the repair", n)
	}
}
