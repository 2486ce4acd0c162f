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

// ticketsForCodec returns tickets covering every field (fillAll: a field
// added to Ticket later is filled too, and fails TestTicketBinaryRoundTrip
// until the codec stores it), the zero ticket, and codecTimes.
func ticketsForCodec() []Ticket {
	var full Ticket
	fillAll(reflect.ValueOf(&full).Elem(), 3)
	out := []Ticket{{}, full}
	for _, tm := range codecTimes() {
		t := full
		t.Created, t.SLA.Resolution.Due, t.Answered.At = tm, tm, tm
		t.Held = nil
		t.Participants, t.Links = nil, []uint64{0, 1 << 63}
		t.Subject = strings.Repeat("ñ", 300)
		out = append(out, t)
	}
	return out
}

// TestTicketBinaryRoundTrip: every field of a ticket survives the binary
// form, which reads back exactly as the same ticket stored as JSON reads
// back; and the partial readings (head, summary, status) agree with the
// JSON's.
func TestTicketBinaryRoundTrip(t *testing.T) {
	for i, tk := range ticketsForCodec() {
		// i == 1 is the full ticket: nothing left at its zero value.
		bin, js := binaryRoundTrip(t, fmt.Sprint("ticket ", i), &tk, i == 1, encodeTicket, decodeTicket)
		var fromJSON Ticket
		if err := decodeTicket(js, &fromJSON); err != nil {
			t.Fatal(err)
		}

		var hb, hj ticketHead
		if err := decodeTicketHead(bin, &hb); err != nil {
			t.Fatal(err)
		}
		if err := decodeTicketHead(js, &hj); err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(hb, hj) {
			t.Errorf("ticket %d: heads differ\n%+v\n%+v", i, hb, hj)
		}
		var sb, sj Summary
		if err := decodeSummary(bin, &sb); err != nil {
			t.Fatal(err)
		}
		if err := decodeSummary(js, &sj); err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(sb, sj) || !reflect.DeepEqual(sb, hj.Summary) {
			t.Errorf("ticket %d: summaries differ\n%+v\n%+v", i, sb, sj)
		}
		stb, cb, errB := ticketStatus(bin)
		stj, cj, errJ := ticketStatus(js)
		if errB != nil || errJ != nil || stb != stj || !reflect.DeepEqual(cb, cj) || stb != fromJSON.Status {
			t.Errorf("ticket %d: status %q %v (%v) against %q %v (%v)", i, stb, cb, errB, stj, cj, errJ)
		}
	}
}

// zeroFields lists the fields under v (a filled value) that are at their
// zero value.
func zeroFields(v reflect.Value, path string) []string {
	switch v.Kind() {
	case reflect.Struct:
		if v.Type() == reflect.TypeFor[time.Time]() {
			break
		}
		var out []string
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() {
				out = append(out, zeroFields(v.Field(i), path+"."+v.Type().Field(i).Name)...)
			}
		}
		return out
	case reflect.Pointer:
		if !v.IsNil() {
			return zeroFields(v.Elem(), path)
		}
	case reflect.Slice:
		var out []string
		for i := range v.Len() {
			out = append(out, zeroFields(v.Index(i), path+"[]")...)
		}
		if v.Len() > 0 {
			return out
		}
	}
	if v.IsZero() {
		return []string{path}
	}
	return nil
}

// TestTicketBinaryDamaged: a binary ticket cut short anywhere, or with a
// byte changed, is an error or a ticket, never a panic; cut short, always
// an error, for every reading.
func TestTicketBinaryDamaged(t *testing.T) {
	partial := func(data []byte) {
		var h ticketHead
		_ = decodeTicketHead(data, &h)
		var s Summary
		_ = decodeSummary(data, &s)
		_, _, _ = ticketStatus(data)
	}
	for _, tk := range ticketsForCodec() {
		binaryDamaged(t, encodeTicket(&tk), decodeTicket, partial)
	}
}

// FuzzDecodeTicket: no input makes the ticket decoders panic; a record
// cut short or with bytes left over is an error.
func FuzzDecodeTicket(f *testing.F) {
	for _, tk := range ticketsForCodec() {
		f.Add(encodeTicket(&tk))
		js, err := encodeValue(&tk)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(js)
	}
	f.Add([]byte{ticketV1})
	f.Fuzz(func(t *testing.T, data []byte) {
		var tk Ticket
		err := decodeTicket(data, &tk)
		var h ticketHead
		_ = decodeTicketHead(data, &h)
		var s Summary
		_ = decodeSummary(data, &s)
		_, _, _ = ticketStatus(data)
		if err == nil && len(data) > 0 && data[0] == ticketV1 {
			binaryExact(t, data, decodeTicket)
		}
	})
}

// TestJSONTicketsAfterSchema6: a database of schema 5, its tickets JSON,
// opens at schema 6 (and on to SchemaVersion) with nothing rewritten;
// its tickets read whole and in part as before, and a change writes the
// ticket in the binary form.
func TestJSONTicketsAfterSchema6(t *testing.T) {
	dir := t.TempDir()
	s, err := Open(dir, time.Second)
	if err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 12, 3, 9, 0, 0, 0, time.UTC)
	old := Ticket{ID: 1, Subject: "No imprime", Status: StatusOpen, Tier: 1, Requester: NewAddress("Pedro", "pedro@cliente.test"),
		Created: at, Updated: at, RootMessageID: "a1@cliente.test", OpenedTier: 1, Participants: []Address{NewAddress("", "ana@cliente.test")}}
	js, err := encodeValue(&old)
	if err != nil {
		t.Fatal(err)
	}
	err = s.db.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketTickets)
		if _, err := b.NextSequence(); err != nil {
			return err
		}
		if err := b.Put(u64(1), js); err != nil {
			return err
		}
		return tx.Bucket(bucketMeta).Put(keySchema, u64(5))
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
	stored := func() []byte {
		var v []byte
		_ = s.db.View(func(tx *bolt.Tx) error { v = bytes.Clone(tx.Bucket(bucketTickets).Get(u64(1))); return nil })
		return v
	}
	if v := stored(); !bytes.Equal(v, js) {
		t.Fatalf("the migration rewrote the ticket: %q", v)
	}
	var want Ticket
	if err := decodeTicket(js, &want); err != nil {
		t.Fatal(err)
	}
	check := func(when string) {
		t.Helper()
		if got, err := s.Ticket(1); err != nil || !reflect.DeepEqual(got, want) {
			t.Fatalf("%s: Ticket %+v, %v; want %+v", when, got, err, want)
		}
		if list, err := s.List(Filter{Limit: 10}); err != nil || len(list) != 1 || !reflect.DeepEqual(list[0], want) {
			t.Fatalf("%s: List %+v, %v", when, list, err)
		}
		sums, err := s.Summaries(Filter{})
		if err != nil || len(sums) != 1 || sums[0].Subject != want.Subject || sums[0].Status != want.Status || sums[0].Requester != want.Requester {
			t.Fatalf("%s: Summaries %+v, %v", when, sums, err)
		}
		var each []Summary
		if err := s.EachSummary(Filter{}, func(sm Summary) error { each = append(each, sm); return nil }); err != nil || !reflect.DeepEqual(each, sums) {
			t.Fatalf("%s: EachSummary %+v, %v; Summaries %+v", when, each, err, sums)
		}
	}
	check("JSON")
	want.Status, want.Assignee, want.Updated = StatusPending, "luis@ticketd.test", at.Add(time.Hour)
	if err := s.db.Update(func(tx *bolt.Tx) error { return putTicket(tx, &want) }); err != nil {
		t.Fatal(err)
	}
	if v := stored(); len(v) == 0 || v[0] != ticketV1 {
		t.Fatalf("a changed ticket is written %q, not in the binary form", v)
	}
	check("binary")
}
