package tickets

import (
	"bytes"
	"encoding/json"
	"reflect"
	"testing"
	"time"
)

// fillAll sets every exported field under v to a value that is not its
// zero, strings with characters JSON escapes (HTML, U+2028, quotes,
// accents): a field added later is covered without editing the test.
func fillAll(v reflect.Value, n int) {
	switch v.Kind() {
	case reflect.String:
		v.SetString("v<&>\u2028é\"\\\n" + string(rune('a'+n%26)))
	case reflect.Int, reflect.Int64, reflect.Int32, reflect.Int16, reflect.Int8:
		v.SetInt(int64(n + 1))
	case reflect.Uint64, reflect.Uint, reflect.Uint32, reflect.Uint16, reflect.Uint8:
		v.SetUint(uint64(n + 7))
	case reflect.Bool:
		v.SetBool(true)
	case reflect.Float64, reflect.Float32:
		v.SetFloat(1.5 + float64(n))
	case reflect.Struct:
		if v.Type() == reflect.TypeFor[time.Time]() {
			v.Set(reflect.ValueOf(time.Date(2026, 3, 2, 9, 0, n, 5, time.FixedZone("x", -5*3600))))
			return
		}
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() {
				fillAll(v.Field(i), n+i)
			}
		}
	case reflect.Slice:
		s := reflect.MakeSlice(v.Type(), 2, 2)
		for i := range 2 {
			fillAll(s.Index(i), n+i)
		}
		v.Set(s)
	case reflect.Pointer:
		p := reflect.New(v.Type().Elem())
		fillAll(p.Elem(), n)
		v.Set(p)
	case reflect.Map:
		m := reflect.MakeMapWithSize(v.Type(), 1)
		k, e := reflect.New(v.Type().Key()).Elem(), reflect.New(v.Type().Elem()).Elem()
		fillAll(k, n)
		fillAll(e, n)
		m.SetMapIndex(k, e)
		v.Set(m)
	}
}

// TestCodecMatchesEncodingJSON: what the store writes is byte for byte
// what encoding/json writes (HTML escaping off), for empty and fully set tickets, events and
// mails (and the other values putJSON stores), so every reader that
// decodes with encoding/json, and every existing database, reads it
// unchanged; and the codec's decoding of encoding/json's bytes gives the
// same values encoding/json's does.
func TestCodecMatchesEncodingJSON(t *testing.T) {
	values := []any{&Ticket{}, &Event{}, &Mail{}, &RememberedLanguage{}, &Undeliverable{}, &[]time.Time{}}
	for i := range values {
		full := reflect.New(reflect.TypeOf(values[i]).Elem())
		fillAll(full.Elem(), i)
		values = append(values, full.Interface())
	}
	for _, v := range values {
		var buf bytes.Buffer
		enc := json.NewEncoder(&buf)
		enc.SetEscapeHTML(false)
		if err := enc.Encode(v); err != nil {
			t.Fatal(err)
		}
		want := bytes.TrimSuffix(buf.Bytes(), []byte("\n"))
		got, err := encodeValue(v)
		if err != nil {
			t.Fatalf("%T: %v", v, err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%T encoded\n%s\nencoding/json:\n%s", v, got, want)
		}
		// What ticketd wrote before codec.go (encoding/json's escapes) and
		// what it writes now read the same, as encoding/json reads them.
		old, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		for _, stored := range [][]byte{old, want} {
			stdBack := reflect.New(reflect.TypeOf(v).Elem())
			if err := json.Unmarshal(stored, stdBack.Interface()); err != nil {
				t.Fatal(err)
			}
			back := reflect.New(reflect.TypeOf(v).Elem())
			switch p := back.Interface().(type) {
			case *Ticket:
				err = decodeTicket(stored, p)
			case *Event:
				err = decodeEvent(stored, p)
			case *Mail:
				err = decodeMail(stored, p)
			default:
				err = decodeValue(stored, p)
			}
			if err != nil {
				t.Fatalf("%T: %v", v, err)
			}
			if !reflect.DeepEqual(back.Interface(), stdBack.Interface()) {
				t.Errorf("%T decoded from %s\n%+v\nencoding/json:\n%+v", v, stored, back.Elem(), stdBack.Elem())
			}
		}
	}
}

// TestCodecDecodedOwnsItsMemory: a decoded value shares no bytes with the
// stored ones (bbolt's memory is invalid after the transaction).
func TestCodecDecodedOwnsItsMemory(t *testing.T) {
	data := []byte(`{"id":7,"subject":"No puedo imprimir","requester":{"name":"Ana","email":"ana@cliente.test"},"root_message_id":"a@b"}`)
	var tk Ticket
	if err := decodeTicket(data, &tk); err != nil {
		t.Fatal(err)
	}
	clear(data)
	if tk.Subject != "No puedo imprimir" || tk.Requester.Email != "ana@cliente.test" || tk.RootMessageID != "a@b" {
		t.Fatalf("decoded ticket changed with its input: %+v", tk)
	}
}

// TestCodecLegacyEvents: events written before Role and Template existed
// read their Detail, whether decoded by the store or by encoding/json.
func TestCodecLegacyEvents(t *testing.T) {
	for _, c := range []struct {
		raw  string
		want Event
	}{
		{`{"seq":1,"ticket":2,"time":"2026-03-02T09:00:00Z","kind":"inbound","detail":"agent"}`,
			Event{Seq: 1, Ticket: 2, Time: time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC), Kind: EventInbound, Role: RoleAgent, Detail: "agent"}},
		{`{"seq":3,"ticket":2,"time":"2026-03-02T09:00:00Z","kind":"outbound","detail":"ack"}`,
			Event{Seq: 3, Ticket: 2, Time: time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC), Kind: EventOutbound, Template: "ack", Detail: "ack"}},
	} {
		var viaStore, viaJSON Event
		if err := decodeEvent([]byte(c.raw), &viaStore); err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal([]byte(c.raw), &viaJSON); err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(viaStore, c.want) || !reflect.DeepEqual(viaJSON, c.want) {
			t.Errorf("%s:\nstore %+v\njson  %+v\nwant  %+v", c.raw, viaStore, viaJSON, c.want)
		}
	}
}

// codecTimes are the times the binary codecs must keep as JSON keeps
// them: zero, in UTC, at offset 0 outside UTC, in a zone, before 1970 at
// a half-hour offset, and with a monotonic reading.
func codecTimes() []time.Time {
	return []time.Time{
		{},
		time.Date(2026, 12, 3, 14, 30, 41, 544893947, time.UTC),
		time.Date(2026, 12, 3, 14, 30, 41, 1, time.FixedZone("", 0)),
		time.Date(2026, 12, 3, 14, 30, 41, 0, time.FixedZone("COT", -5*3600)),
		time.Date(1969, 7, 20, 20, 17, 40, 999999999, time.FixedZone("", 5*3600+1800)),
		time.Now(),
	}
}

// binaryRoundTrip encodes v in its binary form (encode) and as JSON, reads
// both back with decode and fails t unless they read back alike and the
// binary form is the smaller; with full (every field of v set, fillAll),
// no field may read back at its zero value: the codec stores it. It
// returns both forms.
func binaryRoundTrip[T any](t *testing.T, name string, v *T, full bool, encode func(*T) []byte, decode func([]byte, *T) error) (bin, js []byte) {
	t.Helper()
	bin = encode(v)
	js, err := encodeValue(v)
	if err != nil {
		t.Fatal(err)
	}
	var fromBin, fromJSON T
	if err := decode(bin, &fromBin); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	if err := decode(js, &fromJSON); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(fromBin, fromJSON) {
		t.Errorf("%s from the binary form\n%+v\nfrom JSON\n%+v", name, fromBin, fromJSON)
	}
	if full {
		for _, f := range zeroFields(reflect.ValueOf(fromBin), reflect.TypeFor[T]().Name()) {
			t.Errorf("%s is not stored in the binary form", f)
		}
	}
	if len(bin) >= len(js) {
		t.Errorf("%s: binary %d bytes, JSON %d", name, len(bin), len(js))
	}
	return bin, js
}

// binaryDamaged fails t unless bin (a binary record) cut short anywhere
// is an error for decode. Cut short or with a byte changed, it must not
// make decode or the partial readings (readers) panic.
func binaryDamaged[T any](t *testing.T, bin []byte, decode func([]byte, *T) error, readers ...func([]byte)) {
	t.Helper()
	read := func(data []byte) error {
		for _, r := range readers {
			r(data)
		}
		var back T
		return decode(data, &back)
	}
	for n := 1; n < len(bin); n++ {
		if read(bin[:n]) == nil {
			t.Fatalf("%d of %d bytes decoded without error", n, len(bin))
		}
	}
	for i := 1; i < len(bin); i++ {
		for _, c := range []byte{0, 0x7f, 0xff} {
			damaged := append([]byte(nil), bin...)
			damaged[i] = c
			_ = read(damaged)
		}
	}
}

// binaryExact fails t when data, a binary record that decodes, still
// decodes with a byte left over or cut short: a record holds all its
// fields and no more.
func binaryExact[T any](t *testing.T, data []byte, decode func([]byte, *T) error) {
	t.Helper()
	var back T
	if err := decode(append(data[:len(data):len(data)], 0), &back); err == nil {
		t.Fatal("a byte left over decoded without error")
	}
	if err := decode(data[:len(data)-1], &back); err == nil {
		t.Fatal("a record cut short decoded without error")
	}
}
