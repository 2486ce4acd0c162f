package mailparse

import (
	"strings"

	gomail "github.com/emersion/go-message/mail"
)

// contentLanguage returns the primary subtag of the first language tag of
// the Content-Language header (RFC 3282: a list of RFC 5646 tags), lower
// case; "" when absent or not a tag. Which languages ticketd writes in is
// the tickets package's choice, not the parser's.
func contentLanguage(h gomail.Header) string {
	first, _, _ := strings.Cut(h.Get("Content-Language"), ",")
	primary, _, _ := strings.Cut(strings.TrimSpace(first), "-")
	primary = strings.ToLower(primary)
	if len(primary) < 2 || len(primary) > 8 {
		return ""
	}
	for _, r := range primary {
		if r < 'a' || r > 'z' {
			return ""
		}
	}
	return primary
}
