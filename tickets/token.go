package tickets

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

// tokenMatcher finds and formats the subject token "[Tag #N]".
type tokenMatcher struct {
	tag string
	re  *regexp.Regexp
}

func newTokenMatcher(tag string) *tokenMatcher {
	// Lenient on case and spacing: clients and people retype tokens as
	// "[soporte#12]" or "[ Soporte # 12 ]".
	re := regexp.MustCompile(`(?i)\[\s*` + regexp.QuoteMeta(tag) + `\s*#\s*(\d{1,18})\s*\]`)
	return &tokenMatcher{tag: tag, re: re}
}

// find returns the ticket number named in subject.
func (m *tokenMatcher) find(subject string) (uint64, bool) {
	sub := m.re.FindStringSubmatch(subject)
	if sub == nil {
		return 0, false
	}
	n, err := strconv.ParseUint(sub[1], 10, 64)
	if err != nil || n == 0 {
		return 0, false
	}
	return n, true
}

func (m *tokenMatcher) format(id uint64) string {
	return fmt.Sprintf("[%s #%d]", m.tag, id)
}

// strip removes every token from subject.
func (m *tokenMatcher) strip(subject string) string {
	return m.re.ReplaceAllString(subject, "")
}

// replyPrefix matches the reply and forward prefixes of common clients in
// Spanish and English, possibly repeated ("RE: Fwd: ...").
var replyPrefix = regexp.MustCompile(`(?i)^\s*((re|rv|fw|fwd|res|aw|wg|r)\s*(\[\d+\])?\s*:\s*)+`)

// cleanSubject removes reply prefixes and squeezes whitespace.
func cleanSubject(s string) string {
	s = replyPrefix.ReplaceAllString(s, "")
	return strings.Join(strings.Fields(s), " ")
}
