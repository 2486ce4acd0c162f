package tickets

import (
	"fmt"
	"slices"
	"strings"

	"github.com/ticketd/ticketd/langdetect"
	"github.com/ticketd/ticketd/templates"
)

// Languages per requester. Each requester is written to in their own
// language: the ticket's Language, decided from their mail (the
// Content-Language header, then the words of the subject and new text,
// langdetect), remembered per address (requester_languages) for the short
// mails that say too little, and corrected by an agent with #language /
// #idioma. Mail to the requester and the people they copied is in that
// language; mail to the desk's people (agents, vendors, managers, admins)
// is in the desk's: the language of the ticket's queue (deskLanguage,
// queue.go).

// languagesOf returns the languages requesters may be written in:
// Options.Languages (every language of the templates when empty), and
// always every queue's.
func languagesOf(o Options) ([]templates.Language, error) {
	all := o.Templates.Languages()
	if len(o.Languages) == 0 {
		return all, nil
	}
	out := []templates.Language{o.Language}
	for _, q := range o.Queues {
		if q.Language != "" && !slices.Contains(out, q.Language) {
			out = append(out, q.Language)
		}
	}
	for _, l := range o.Languages {
		if !slices.Contains(all, l) {
			return nil, fmt.Errorf("tickets: language %q has no templates (have %v)", l, all)
		}
		if !slices.Contains(out, l) {
			out = append(out, l)
		}
	}
	slices.Sort(out)
	return out, nil
}

// newDetector builds the language detector over the stop words of langs.
func newDetector(set *templates.Set, langs []templates.Language) *langdetect.Detector {
	lists := make(map[string][]string, len(langs))
	for _, l := range langs {
		lists[string(l)] = set.StopWords(l)
	}
	return langdetect.New(lists, langdetect.DefaultRule)
}

// allowed reports whether requesters may be written in l.
func (s *Service) allowed(l templates.Language) bool { return slices.Contains(s.languages, l) }

// parseLanguage reads a language an agent names: a code ("en", "PT",
// "es-MX"), one of the allowed languages.
func (s *Service) parseLanguage(arg string) (templates.Language, bool) {
	code, _, _ := strings.Cut(strings.ToLower(strings.TrimSpace(arg)), "-")
	l := templates.Language(code)
	return l, s.allowed(l)
}

// mailLanguage is the language m says it is written in: its
// Content-Language when allowed, else its words (subject and new text:
// never the quoted history) when the detector is sure. ok is false for
// short or mixed text: the caller keeps what it knew.
//
// subject is m's subject cleaned as applier.ownSubject cleans it.
func (s *Service) mailLanguage(m *Inbound, subject string) (templates.Language, bool) {
	if l, sure, ok := m.preparedLanguage(s, subject); ok {
		return l, sure // prepare.go: detected on a parse worker
	}
	return s.detectLanguage(m, subject)
}

// detectLanguage is mailLanguage without Prepare's memo.
func (s *Service) detectLanguage(m *Inbound, subject string) (templates.Language, bool) {
	if l := templates.Language(m.ContentLanguage); l != "" && s.allowed(l) {
		return l, true
	}
	// ticketd's own subject words ("Recibimos su solicitud:") would speak
	// for the language of the mail answered, not the writer's: subject
	// is without them.
	g := s.detector().Detect(subject, cutSignOff(m.Text))
	return templates.Language(g.Language), g.Confident
}

// learnLanguage decides t's language from a mail of its requester: what
// the mail says when it is sure (remembered for the address), else what
// the ticket already had, else the address's remembered language, else
// the desk's. A language an agent set for the address is kept.
func (a *applier) learnLanguage(t *Ticket, m *Inbound) error {
	if !a.s.opts.DetectLanguage {
		return nil
	}
	addr := t.Requester.Email
	known, remembered := rememberedLanguage(a.tx, addr)
	remembered = remembered && a.s.allowed(known.Language)
	if remembered && known.SetBy != "" {
		t.Language = known.Language
		return nil
	}
	lang, sure := a.s.mailLanguage(m, a.ownSubject(m.Subject))
	switch {
	case sure:
		t.Language = lang
		if remembered && known.Language == lang {
			return nil // known already read: no second decode, no rewrite
		}
		return putLanguage(a.tx, addr, RememberedLanguage{Language: lang, At: a.now})
	case t.Language != "":
	case remembered:
		t.Language = known.Language
	default:
		t.Language = a.s.deskLanguage(t)
	}
	return nil
}

// requesterLanguage is the language of mail to t's requester and
// participants.
func (a *applier) requesterLanguage(t *Ticket) templates.Language {
	if t.Language != "" && a.s.allowed(t.Language) {
		return t.Language
	}
	return a.s.deskLanguage(t)
}

// languageFor is THE rule for the language of a mail about t: the
// requester's when it goes to the requester or anyone outside the desk
// (participants, the people a mail copied), the desk's when it goes to
// the desk's own people only.
func (a *applier) languageFor(t *Ticket, to []Address) templates.Language {
	for _, r := range to {
		if r.Email == t.Requester.Email || !a.isDeskPerson(r.Email) {
			return a.requesterLanguage(t)
		}
	}
	return a.s.deskLanguage(t)
}

// statusLanguage is the language of a status reply to the sender of m,
// who may have no ticket open: remembered, else what m says, else the
// language of the queue m was sent to.
func (a *applier) statusLanguage(m *Inbound, q *Queue) templates.Language {
	if !a.s.opts.DetectLanguage {
		return q.Language
	}
	if r, ok := rememberedLanguage(a.tx, NormalizeEmail(m.From.Email)); ok && a.s.allowed(r.Language) {
		return r.Language
	}
	if l, ok := a.s.mailLanguage(m, a.ownSubject(m.Subject)); ok {
		return l
	}
	return q.Language
}

// checkLanguage is what is wrong with "#language ARG", "" when it can run.
func (a *applier) checkLanguage(c command) string {
	if _, ok := a.s.parseLanguage(c.arg); ok {
		return ""
	}
	var names []string
	for _, l := range a.s.languages {
		names = append(names, string(l))
	}
	return a.say("problem_language", templates.Phrase{Text: strings.Join(names, ", ")})
}

// setLanguage runs "#language ARG": the ticket and its requester's
// remembered language, as the agent's choice that detection keeps.
func (a *applier) setLanguage(t *Ticket, agent string, c command) error {
	lang, _ := a.s.parseLanguage(c.arg)
	t.Language = lang
	return rememberLanguage(a.tx, t.Requester.Email, RememberedLanguage{Language: lang, SetBy: agent, At: a.now})
}

// hasReplyLine reports whether text holds ticketd's reply line in any
// language of the templates (a requester's language need not be any
// queue's): an agent's answer that does is quoting one of ticketd's mails.
func (s *Service) hasReplyLine(text string) bool {
	for _, l := range s.opts.Templates.Languages() {
		if line := s.opts.Templates.ReplyLine(l); line != "" && strings.Contains(text, line) {
			return true
		}
	}
	return false
}
