package mailparse

import (
	"reflect"
	"strings"
	"testing"
)

// TestMessageIDsWithControlCharactersDropped: ids carrying control
// characters (an escape sequence, DEL, SOH, a vertical tab) or brackets inside
// are no ids: they are dropped at parse, so they can never be copied into
// the References of ticketd's mail.
func TestMessageIDsWithControlCharactersDropped(t *testing.T) {
	raw := "From: a@example.com\r\n" +
		"Message-ID: <abc\x1b[31m@evil.test>\r\n" +
		"In-Reply-To: <x\x7fy@evil.test>\r\n" +
		"References: <ok@example.com> <bad\x01@evil.test> <c\vd@evil.test> <also-ok@example.com>\r\n" +
		"\r\nbody\r\n"
	in, err := Parse([]byte(raw))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(in.MessageID, "sha256:") {
		t.Errorf("MessageID = %q, want the content hash in place of the forged id", in.MessageID)
	}
	if in.InReplyTo != nil {
		t.Errorf("InReplyTo = %q, want none", in.InReplyTo)
	}
	if want := []string{"ok@example.com", "also-ok@example.com"}; !reflect.DeepEqual(in.References, want) {
		t.Errorf("References = %q, want %q", in.References, want)
	}
	for _, v := range []string{"a<b@c", "a>b@c"} {
		if got := msgIDs(v, true); got != nil {
			t.Errorf("msgIDs(%q) = %q, want none", v, got)
		}
	}
}
