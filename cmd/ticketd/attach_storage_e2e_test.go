package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestAttachmentStorageFailureKeepsTheMail: against the real binary and
// Dovecot, when the attachment store cannot write (here the shard
// directory the file needs is a regular file: ENOTDIR, which stops root
// too), `ticketd once` fails loudly, the mail stays in the INBOX and
// nobody is told anything was "too large"; once the disk is repaired the
// next pass takes it with its attachment.
func TestAttachmentStorageFailureKeepsTheMail(t *testing.T) {
	e := newE2E(t)
	e.ticketd("once") // a first start: the database and attachments/ exist
	factura := bytes.Repeat([]byte("%PDF factura \x00\x01"), 300)
	sum := sha256.Sum256(factura)
	shard := filepath.Join(e.dataDir, "attachments", hex.EncodeToString(sum[:])[:2])
	if err := os.WriteFile(shard, []byte("not a directory"), 0o600); err != nil {
		t.Fatal(err)
	}
	e.deliver(withAttachment(requester, "Factura", "store-1@cliente.test", "", "factura.pdf", factura))

	out, stderr, err := e.run("once")
	if err == nil {
		t.Fatalf("ticketd once succeeded with a broken attachment store:\n%s%s", out, stderr)
	}
	if !strings.Contains(stderr, "level=ERROR") || !strings.Contains(stderr, "attachment not stored") {
		t.Errorf("no Error log naming the storage failure:\n%s", stderr)
	}
	if n := e.imap.Count(t, deskAddr, "INBOX"); n != 1 {
		t.Fatalf("INBOX holds %d messages, want the one waiting for the disk", n)
	}
	if msgs := e.smtp.Messages(); len(msgs) != 0 {
		t.Fatalf("%d mails sent for a message not applied (first to %v)", len(msgs), msgs[0].To)
	}

	if err := os.Remove(shard); err != nil {
		t.Fatal(err)
	}
	e.ticketd("once")
	if n := e.imap.Count(t, deskAddr, "INBOX"); n != 0 {
		t.Fatalf("INBOX still holds %d messages after the repair", n)
	}
	for _, m := range e.smtp.Messages() {
		if text := decodedText(t, parseSent(t, m).raw); strings.Contains(text, "factura.pdf (") {
			t.Errorf("someone was told factura.pdf was not kept:\n%s", text)
		}
	}
	if show := e.ticketd("show", "1"); !strings.Contains(show, "factura.pdf (application/pdf, 4500 bytes) kept") {
		t.Fatalf("the ticket does not keep the attachment:\n%s", show)
	}
}
