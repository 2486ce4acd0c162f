package mailout

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/ticketd/ticketd/tickets"
)

// TestUnreadableAttachmentIsRetried: an agent's answer whose attachment
// file cannot be read when it is sent (a disk problem, a restore in
// progress) waits in the outbox with backoff, and goes out once the file
// is back; it is not given up at once.
func TestUnreadableAttachmentIsRetried(t *testing.T) {
	dir := t.TempDir()
	blobs, err := tickets.OpenBlobs(dir)
	if err != nil {
		t.Fatal(err)
	}
	content := []byte("%PDF-1.4 factura")
	sum, n, err := blobs.Put(bytes.NewReader(content), 0)
	if err != nil {
		t.Fatal(err)
	}
	f := setup(t, func(o *Options) { o.Blobs = blobs })
	id := f.q.add(f.start)
	f.q.outbox[id].Attachments = []tickets.Attachment{{Name: "factura.pdf", Type: "application/pdf", Size: n, SHA256: sum, Stored: true}}

	shard := filepath.Join(dir, sum[:2])
	if err := os.Rename(shard, shard+".away"); err != nil {
		t.Fatal(err)
	}
	wantStats(t, f.drain(t), "sent=0 retried=1 failed=0 rejected=0")
	m, ok := f.q.pending(id)
	if !ok || m.Attempts != 1 || !m.NextAttempt.Equal(f.clk.Now().Add(time.Minute)) {
		t.Fatalf("after the first try: pending=%v attempts=%d next=%v", ok, m.Attempts, m.NextAttempt)
	}
	if _, failed := f.q.failure(id); failed {
		t.Fatal("given up at once")
	}

	if err := os.Rename(shard+".away", shard); err != nil {
		t.Fatal(err)
	}
	f.clk.Advance(time.Minute)
	wantStats(t, f.drain(t), "sent=1 retried=0 failed=0 rejected=0")
	if !f.q.isDelivered(id) || !bytes.Contains(f.sink.Messages()[0].Data, []byte("factura.pdf")) {
		t.Fatal("the answer did not go out with its attachment once the file was back")
	}
}
