package mailparse

import (
	"net/mail"
	"strings"
	"time"

	gomail "github.com/emersion/go-message/mail"
)

// rfc5322Date is the layout nearly every Date field is written in
// ("Mon, 2 Jan 2006 15:04:05 -0700", RFC 5322 §3.3 with a day name).
// It is the first layout with a day name that net/mail.ParseDate tries.
const rfc5322Date = "Mon, 2 Jan 2006 15:04:05 -0700"

// headerDate is h.Date() (net/mail.ParseDate) with the usual form parsed
// directly: ParseDate tries its 24 layouts without a day name first, and
// each failed time.Parse allocates an error (some 36 allocations, a
// third of a plain message's). The result is ParseDate's: a value that
// starts with a letter fails every layout without a day name (they start
// with the day number), so ParseDate's first success is this layout,
// given the same string — no CR, no leading blank, nothing after the
// zone (ParseDate cuts the value 5 bytes after its first '+' or '-', and
// a match of this layout has its only sign in the zone). Anything else
// goes to ParseDate.
func headerDate(h gomail.Header) (time.Time, error) {
	v := h.Get("Date")
	if v == "" {
		return time.Time{}, nil
	}
	if c := v[0]; (c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z') && !strings.ContainsRune(v, '\r') {
		if t, err := time.Parse(rfc5322Date, v); err == nil {
			return t, nil
		}
	}
	return mail.ParseDate(v)
}
