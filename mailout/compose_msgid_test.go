package mailout

import (
	"bytes"
	"strings"
	"testing"
	"unicode"

	"github.com/emersion/go-message/mail"
)

// TestComposeDropsControlCharactersFromThreadIDs: an In-Reply-To or
// References id with a control character (however it got into a ticket)
// is left out of the headers; the good ones stay.
func TestComposeDropsControlCharactersFromThreadIDs(t *testing.T) {
	m := testMail()
	m.InReplyTo = "x\x1b[2Jy@evil.test"
	m.References = []string{"root@example.com", "a\x00b@evil.test", "c\x7fd@evil.test", "e\u0085f@evil.test", "last@example.com"}
	raw := compose(t, m)
	head, _, _ := bytes.Cut(raw, []byte("\r\n\r\n"))
	if bytes.ContainsFunc(head, func(r rune) bool { return unicode.IsControl(r) && r != '\r' && r != '\n' }) {
		t.Fatalf("control character in the header:\n%q", head)
	}
	mr, err := mail.CreateReader(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	if v := mr.Header.Get("In-Reply-To"); v != "" {
		t.Errorf("In-Reply-To = %q, want none", v)
	}
	if v := mr.Header.Get("References"); strings.Join(strings.Fields(v), " ") != "<root@example.com> <last@example.com>" {
		t.Errorf("References = %q", v)
	}
}
