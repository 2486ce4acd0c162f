package tickets

import (
	"strconv"
	"strings"

	"github.com/ticketd/ticketd/internal/lazyre"
)

// anyToken matches a subject token of any tag, "[Tag #N]".
var anyToken = lazyre.New(`\[[^\[\]#]{1,64}#\s*(\d{1,18})\s*\]`)

// TokenNumber returns the ticket number the subject token names, for the
// desk's tag (case- and space-insensitive, as threading reads it); with
// tag "" any tag counts. It touches no store: inspect uses it.
func TokenNumber(tag, subject string) (uint64, bool) {
	if tag != "" {
		return newTokenMatcher(tag).find(subject)
	}
	sub := anyToken().FindStringSubmatch(subject)
	if sub == nil {
		return 0, false
	}
	n, err := strconv.ParseUint(sub[1], 10, 64)
	return n, err == nil && n != 0
}

// IsDeskMessageID reports whether id has the shape of a Message-ID
// ticketd generates under domain ("ticketd.<ticket>.<mail>.<rand>@domain").
func IsDeskMessageID(id, domain string) bool {
	local, d, ok := strings.Cut(id, "@")
	return ok && domain != "" && strings.EqualFold(d, domain) && strings.HasPrefix(local, "ticketd.")
}
