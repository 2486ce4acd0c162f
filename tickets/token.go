package tickets

import (
	"regexp"
	"strconv"
	"strings"

	"github.com/ticketd/ticketd/internal/lazyre"
	"github.com/ticketd/ticketd/internal/textfields"
)

// tokenMatcher finds the subject token "[Tag #N]" of any of the desk's
// queues: ticket numbers are global, so any queue's tag names the ticket
// (a ticket moved to another queue still threads by its old token).
type tokenMatcher struct {
	tag string // the first tag, for format
	re  *regexp.Regexp
}

func newTokenMatcher(tags ...string) *tokenMatcher {
	quoted := make([]string, len(tags))
	for i, t := range tags {
		quoted[i] = regexp.QuoteMeta(t)
	}
	// Lenient on case and spacing: clients and people retype tokens as
	// "[soporte#12]" or "[ Soporte # 12 ]".
	re := regexp.MustCompile(`(?i)\[\s*(?:` + strings.Join(quoted, "|") + `)\s*#\s*(\d{1,18})\s*\]`)
	return &tokenMatcher{tag: tags[0], re: re}
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

func (m *tokenMatcher) format(id uint64) string { return formatToken(m.tag, id) }

// formatToken is the subject token of ticket id under tag.
func formatToken(tag string, id uint64) string {
	return "[" + tag + " #" + strconv.FormatUint(id, 10) + "]" // one string: a token per mail queued
}

// strip removes every token from subject.
func (m *tokenMatcher) strip(subject string) string {
	return m.re.ReplaceAllString(subject, "")
}

// replyPrefix matches one reply or forward prefix as mail clients write
// them in many languages: Re, RE, Fwd, FW, RV (es), RES/ENC (pt), AW/WG
// (de), SV/VS/VB (nordic), Antw/Doorst (nl), Odp/PD (pl), TR (fr), Rif/R
// (it), YNT/İLT (tr), and CJK clients' full-width forms; with an optional
// count ("Re[2]:", "Re(3):") and a space before the colon (French style).
var replyPrefix = lazyre.New(`(?i)^\s*(?:re|rv|res|enc|fw|fwd|aw|wg|sv|vs|vb|antw|doorst|odp|pd|tr|rif|r|ynt|İlt|ilt|回复|回覆|答复|转发|轉寄)\s*(?:[\[(]\d{1,4}[\])])?\s*[:：]\s*`)

// subjectCleaner takes a ticket's subject from a mail's: without our
// tokens, reply and forward prefixes, or the words ticketd's own mails put
// before a subject ("Recibimos su solicitud:", "New:"), however repeated
// and mixed ("RE: Fwd: [Soporte #3] Nuevo: AW: x").
type subjectCleaner struct {
	token *tokenMatcher
	// own strips one of ticketd's prefixes (templates.Set.StripOwnPrefix);
	// nil strips none.
	own func(string) (string, bool)
}

// clean returns subject without what ticketd and mail clients added.
func (c subjectCleaner) clean(subject string) string {
	s := subject
	if c.token != nil {
		s = c.token.strip(s)
	}
	for { // each turn removes something, or ends
		s = strings.TrimSpace(s)
		if loc := replyPrefix().FindStringIndex(s); loc != nil {
			s = s[loc[1]:]
			continue
		}
		if c.own != nil {
			if rest, ok := c.own(s); ok {
				s = rest
				continue
			}
		}
		break
	}
	return textfields.Join(s)
}

// ownSubject is subject without the desk's token, reply prefixes and
// ticketd's own subject words, remembered for the message at hand.
func (a *applier) ownSubject(subject string) string {
	if !a.subject.done || a.subject.in != subject {
		a.subject.in, a.subject.out, a.subject.done = subject, a.s.cleanOwnSubject(subject), true
	}
	return a.subject.out
}

// cleanOwnSubject is ownSubject's cleaning, without the memo.
func (s *Service) cleanOwnSubject(subject string) string {
	return subjectCleaner{token: s.token, own: s.opts.Templates.StripOwnPrefix}.clean(subject)
}

// cleanSubject removes reply prefixes and squeezes whitespace.
func cleanSubject(s string) string {
	return subjectCleaner{}.clean(s)
}
