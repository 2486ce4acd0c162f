package mailparse

import (
	"net/mail"
	"testing"

	"github.com/emersion/go-message"
	gomail "github.com/emersion/go-message/mail"
)

// TestHeaderDateIsParseDate checks the fast path against net/mail's
// ParseDate, which it must equal: same time, same location, same error
// or none.
func TestHeaderDateIsParseDate(t *testing.T) {
	for _, v := range dateSeeds {
		checkHeaderDate(t, v)
	}
}

func FuzzHeaderDate(f *testing.F) {
	for _, v := range dateSeeds {
		f.Add(v)
	}
	f.Fuzz(func(t *testing.T, v string) { checkHeaderDate(t, v) })
}

func checkHeaderDate(t *testing.T, v string) {
	var h message.Header
	h.Set("Date", v)
	got, gotErr := headerDate(gomail.Header{Header: h})
	if h.Get("Date") == "" {
		if !got.IsZero() || gotErr != nil {
			t.Fatalf("%q: %v, %v for no date", v, got, gotErr)
		}
		return
	}
	want, wantErr := mail.ParseDate(h.Get("Date"))
	if (gotErr == nil) != (wantErr == nil) || !got.Equal(want) || got.String() != want.String() {
		t.Fatalf("%q: got %v, %v; ParseDate %v, %v", v, got, gotErr, want, wantErr)
	}
}

var dateSeeds = []string{
	"Mon, 02 Mar 2026 08:00:00 +0000",
	"Mon, 2 Mar 2026 08:00:00 -0500",
	"Tue, 3 Mar 2026 08:00 +0100",
	"Tue, 3 Mar 26 08:00:00 +0100",
	"Wed, 4 Mar 2026 08:00:00 GMT",
	"Wed, 4 Mar 2026 08:00:00 +0000 (UTC)",
	"Wed, 4 Mar 2026 08:00:00 +0000 junk",
	"Thu, 5 Mar 2026 08:00:00 -0000",
	"Fri, 6 Mar 2026 08:00:00 +05",
	"Sat, 31 Feb 2026 08:00:00 +0000",
	"Sun, 8 Mar 2026 25:00:00 +0000",
	"Foo, 8 Mar 2026 08:00:00 +0000",
	"Sun,  8 Mar 2026 08:00:00 +0000",
	"Sun, 8 Mar 2026\r\n 08:00:00 +0000",
	"Sun, 8 Mar -2026 08:00:00 +0000",
	"8 Mar 2026 08:00:00 +0000",
	" Sun, 8 Mar 2026 08:00:00 +0000",
	"sun, 8 mar 2026 08:00:00 +0000",
	"Sunday, 8 March 2026 08:00:00 +0000",
	"Sun, 8 Mar 2026 08:00:00 +9999",
	"Sun, 8 Mar 2026 08:00:60 +0000",
	"Sun, 8 Mar 2026 08:00:00 +0000 ",
	"Sun, 8 Mar 2026 08:00:00.5 +0000",
	"garbage",
}
