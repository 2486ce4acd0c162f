package mailparse

import (
	"math/rand/v2"
	netmail "net/mail"
	"strings"
	"testing"

	"github.com/emersion/go-message"
	gomail "github.com/emersion/go-message/mail"
)

// TestHeaderDateMatchesParseDate: the fast path gives what go-message's
// Date (net/mail.ParseDate) gives, for usual and unusual values alike.
func TestHeaderDateMatchesParseDate(t *testing.T) {
	values := []string{
		"Mon, 2 Jan 2006 15:04:05 -0700",
		"Tue, 03 Dec 2026 14:30:41 +0100",
		"Wed, 3 Dec 2026 09:05:00 +0000 (UTC)",
		"Thu, 4 Dec 2026 9:05:00 -0500",
		"3 Dec 2026 14:30:41 +0100",
		"Fri, 5 Dec 26 14:30 +0100",
		"Sat, 6 Dec 2026 14:30:41 GMT",
		"Sun, 7 Dec 2026 14:30:41 EST",
		" Mon, 8 Dec 2026 14:30:41 +0100",
		"Mon, 8 Dec 2026 14:30:41 +0100 ",
		"Mon, 8 Dec 2026 14:30:41 +01000",
		"Mon, 32 Dec 2026 14:30:41 +0100",
		"Mon, 8 Dec 2026 24:30:41 +0100",
		"Foo, 8 Dec 2026 14:30:41 +0100",
		"Mon,  8 Dec 2026 14:30:41 +0100",
		"Mon, 8 Dec 2026 14:30:41 +2400",
		"lunes, 8 dic 2026",
		"",
	}
	r := rand.New(rand.NewPCG(1, 2))
	for range 2000 {
		b := []byte("Mon, 02 Jan 2006 15:04:05 -0700")
		for range 1 + r.IntN(3) {
			b[r.IntN(len(b))] = " ,:+-0123456789MonJanT"[r.IntN(22)]
		}
		values = append(values, string(b))
	}
	for _, v := range values {
		var h message.Header
		if v != "" {
			h.Set("Date", v)
		}
		mh := gomail.Header{Header: h}
		got, gotErr := headerDate(mh)
		want, wantErr := mh.Date()
		if (gotErr == nil) != (wantErr == nil) || !got.Equal(want) || got.Location().String() != want.Location().String() {
			t.Errorf("Date %q: got %v (%v), ParseDate %v (%v)", v, got, gotErr, want, wantErr)
		}
		if v != "" && !strings.ContainsAny(v, "\r\n") {
			if w, err := netmail.ParseDate(v); (err == nil) != (wantErr == nil) || !w.Equal(want) {
				t.Fatalf("go-message's Date is not net/mail's for %q", v)
			}
		}
	}
}
