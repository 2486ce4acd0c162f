package tickets

import (
	"reflect"
	"testing"
)

// eventsForCodec returns events covering every field (fillAll: a field
// added later is covered too), the zero event, and codecTimes.
func eventsForCodec() []Event {
	var full Event
	fillAll(reflect.ValueOf(&full).Elem(), 3)
	events := []Event{{}, full}
	for _, tm := range codecTimes() {
		e := full
		e.Time = tm
		e.Recipients = []string{"", "a@example.com"}
		e.Attachments = nil
		events = append(events, e)
	}
	return events
}

// TestEventBinaryReadsAsJSON: an event stored in the binary form reads
// back exactly as the same event stored as JSON reads back, and both
// forms glance the same.
func TestEventBinaryReadsAsJSON(t *testing.T) {
	for i, e := range eventsForCodec() {
		js, err := encodeValue(e)
		if err != nil {
			t.Fatal(err)
		}
		bin, err := encodeEvent(&e)
		if err != nil {
			t.Fatal(err)
		}
		var fromJSON, fromBin Event
		if err := decodeEvent(js, &fromJSON); err != nil {
			t.Fatal(err)
		}
		if err := decodeEvent(bin, &fromBin); err != nil {
			t.Fatalf("event %d: %v", i, err)
		}
		if !reflect.DeepEqual(fromBin, fromJSON) {
			t.Errorf("event %d from the binary form\n%+v\nfrom JSON\n%+v", i, fromBin, fromJSON)
		}
		if len(bin) >= len(js) && !e.Time.IsZero() {
			t.Errorf("event %d: binary %d bytes, JSON %d", i, len(bin), len(js))
		}
		var gj, gb eventGlance
		if err := gojsonGlance(js, &gj); err != nil {
			t.Fatal(err)
		}
		if err := glanceEventV1(bin[1:], &gb); err != nil {
			t.Fatal(err)
		}
		tj, errJ := gj.text()
		tb, errB := gb.text()
		if errJ != nil || errB != nil || tj != tb || !gj.Time.Equal(gb.Time) || gj.Kind != gb.Kind || gj.Actor != gb.Actor {
			t.Errorf("event %d glances differ: %+v %q (%v) against %+v %q (%v)", i, gb, tb, errB, gj, tj, errJ)
		}
	}
}

// gojsonGlance is glanceEventsNewestFirst's reading of a JSON event.
func gojsonGlance(v []byte, g *eventGlance) error {
	g.raw = v
	return decodeValue(v, g)
}

// TestEventBinaryTruncated: a cut or damaged binary event is an error,
// never a panic or a silently short event.
func TestEventBinaryTruncated(t *testing.T) {
	for _, e := range eventsForCodec() {
		bin, err := encodeEvent(&e)
		if err != nil {
			t.Fatal(err)
		}
		for n := 1; n < len(bin); n++ {
			var back Event
			if err := decodeEvent(bin[:n], &back); err == nil {
				t.Fatalf("%d of %d bytes decoded without error", n, len(bin))
			}
		}
		damaged := append([]byte(nil), bin...)
		damaged[2] = 0xff // the time's first byte (MarshalBinary's version)
		var back Event
		_ = decodeEvent(damaged, &back)
	}
}
