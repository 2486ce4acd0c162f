package tickets

import (
	"bytes"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
)

// mailsForCodec returns mails covering every field (fillAll: a field
// added to Mail later is filled too, and fails TestMailBinaryRoundTrip
// until the codec stores it), the zero mail, and codecTimes.
func mailsForCodec() []Mail {
	var full Mail
	fillAll(reflect.ValueOf(&full).Elem(), 5)
	out := []Mail{{}, full}
	for _, tm := range codecTimes() {
		m := full
		m.Queued, m.NextAttempt = tm, tm
		m.ReplyTo, m.Cc, m.Attachments, m.Done = nil, nil, nil, nil
		m.HTML = strings.Repeat("<p>ñ \"</p>\n", 300)
		out = append(out, m)
	}
	return out
}

// TestMailBinaryRoundTrip: every field of an outbox mail survives the
// binary form, which reads back exactly as the same mail stored as JSON
// reads back; and its attempts alone (mailAttempts) read from both.
func TestMailBinaryRoundTrip(t *testing.T) {
	for i, m := range mailsForCodec() {
		// i == 1 is the full mail: nothing left at its zero value.
		bin, js := binaryRoundTrip(t, fmt.Sprint("mail ", i), &m, i == 1, encodeMail, decodeMail)
		for _, data := range [][]byte{bin, js} {
			if n, err := mailAttempts(data); err != nil || n != m.Attempts {
				t.Errorf("mail %d: mailAttempts %d, %v; want %d", i, n, err, m.Attempts)
			}
		}
	}
}

// TestMailBinaryDamaged: a binary mail cut short anywhere is an error,
// and one with a byte changed is an error or a mail, never a panic.
func TestMailBinaryDamaged(t *testing.T) {
	for _, m := range mailsForCodec()[:3] {
		binaryDamaged(t, encodeMail(&m), decodeMail, func(data []byte) { _, _ = mailAttempts(data) })
	}
}

// FuzzDecodeMail: no input makes the mail decoder panic; a binary record
// cut short or with bytes left over is an error.
func FuzzDecodeMail(f *testing.F) {
	for _, m := range mailsForCodec() {
		f.Add(encodeMail(&m))
		js, err := encodeValue(&m)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(js)
	}
	f.Add([]byte{mailV1})
	f.Fuzz(func(t *testing.T, data []byte) {
		var m Mail
		if err := decodeMail(data, &m); err == nil && len(data) > 0 && data[0] == mailV1 {
			binaryExact(t, data, decodeMail)
		}
	})
}

// TestJSONMailsAfterSchema7: a database of schema 6 with a JSON mail
// waiting in the outbox and another in failed opens at schema 7 with
// nothing rewritten; the mails are listed, counted as untried, handed
// out for delivery and settled as before, and a mail queued now is
// stored in the binary form.
func TestJSONMailsAfterSchema7(t *testing.T) {
	dir := t.TempDir()
	s, err := Open(dir, time.Second)
	if err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 12, 3, 9, 0, 0, 0, time.UTC)
	waiting := Mail{ID: 1, Ticket: 7, Kind: "ack", From: NewAddress("Mesa", "soporte@ticketd.test"),
		To: []Address{NewAddress("Pedro", "pedro@cliente.test")}, Subject: "[Soporte #7] No imprime",
		Text: "Recibimos su solicitud.\n", HTML: "<p>Recibimos su \"solicitud\".</p>", MessageID: "t7.1@ticketd.test",
		AutoSubmitted: AutoReplied, Queued: at, NextAttempt: at}
	failed := waiting
	failed.ID, failed.MessageID, failed.Attempts, failed.LastError = 2, "t7.2@ticketd.test", 3, "550 no such user"
	jsWaiting, err := encodeValue(&waiting)
	if err != nil {
		t.Fatal(err)
	}
	jsFailed, err := encodeValue(&failed)
	if err != nil {
		t.Fatal(err)
	}
	err = s.db.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketOutbox)
		if _, err := b.NextSequence(); err != nil {
			return err
		}
		if _, err := b.NextSequence(); err != nil {
			return err
		}
		if err := b.Put(u64(1), jsWaiting); err != nil {
			return err
		}
		if err := tx.Bucket(bucketOutboxDue).Put(dueKey(at, 1), []byte{}); err != nil {
			return err
		}
		if err := tx.Bucket(bucketFailed).Put(u64(2), jsFailed); err != nil {
			return err
		}
		return tx.Bucket(bucketMeta).Put(keySchema, u64(6))
	})
	if err != nil {
		t.Fatal(err)
	}
	s.Close()

	if s, err = Open(dir, time.Second); err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if got := schemaOf(t, s.db); got != SchemaVersion {
		t.Fatalf("schema %d after opening, want %d", got, SchemaVersion)
	}
	stored := func(bucket []byte, id uint64) []byte {
		var v []byte
		_ = s.db.View(func(tx *bolt.Tx) error { v = bytes.Clone(tx.Bucket(bucket).Get(u64(id))); return nil })
		return v
	}
	if !bytes.Equal(stored(bucketOutbox, 1), jsWaiting) || !bytes.Equal(stored(bucketFailed, 2), jsFailed) {
		t.Fatal("the migration rewrote a mail")
	}
	if n := s.untried.n; n != 1 {
		t.Errorf("%d untried mails counted at open, want 1", n)
	}
	if out, err := s.Outbox(); err != nil || len(out) != 1 || !reflect.DeepEqual(out[0], waiting) {
		t.Fatalf("Outbox %+v, %v; want %+v", out, err, waiting)
	}
	if fm, err := s.FailedMail(); err != nil || len(fm) != 1 || !reflect.DeepEqual(fm[0], failed) {
		t.Fatalf("FailedMail %+v, %v; want %+v", fm, err, failed)
	}
	due, err := s.DueMail(at, 10)
	if err != nil || len(due) != 1 || !reflect.DeepEqual(due[0], waiting) {
		t.Fatalf("DueMail %+v, %v; want %+v", due, err, waiting)
	}
	// A retry rewrites the JSON mail in the binary form.
	if err := s.MarkRetry(1, at.Add(time.Minute), "421 busy"); err != nil {
		t.Fatal(err)
	}
	if v := stored(bucketOutbox, 1); len(v) == 0 || v[0] != mailV1 {
		t.Fatalf("the retried mail is stored as %q, want the binary form", v)
	}
	due, err = s.DueMail(at.Add(time.Minute), 10)
	if err != nil || len(due) != 1 || due[0].Attempts != 1 || due[0].LastError != "421 busy" || due[0].Text != waiting.Text {
		t.Fatalf("DueMail after the retry %+v, %v", due, err)
	}
	if _, err := s.MarkSent([]Delivery{{ID: 1, Time: at.Add(2 * time.Minute), Accepted: due[0].Recipients()}}); err != nil {
		t.Fatal(err)
	}
	if out, err := s.Outbox(); err != nil || len(out) != 0 {
		t.Fatalf("Outbox after delivery %+v, %v", out, err)
	}
}
