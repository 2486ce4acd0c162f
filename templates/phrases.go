package templates

import (
	"bytes"
	"fmt"
	"io/fs"
	"strings"
	texttemplate "text/template"
)

// phrasesFile holds, per language, the short phrases ticketd puts into
// mails; Go code names a phrase and gives typed values, the words come
// from here, so every word a person reads is in the mail's language.
const phrasesFile = "phrases.txt"

// phraseNames are the phrases every language must define.
var phraseNames = []string{
	"attachment_too_large", "attachment_unreadable",
	"reason_breach", "reason_warning", "reason_escalated_by", "reason_moved_by",
	"problem_unknown", "problem_language", "problem_priority", "problem_assign", "problem_tier", "problem_same_tier", "problem_send", "problem_kb_note",
	"problem_ticket_number", "problem_no_ticket", "problem_link_self", "problem_link_closed", "problem_link_chain", "problem_link_has_incidents",
	"problem_not_linked", "problem_needs_answer", "problem_one_link", "problem_merge_self", "problem_merge_closed", "problem_merge_already",
	"problem_merge_queue", "problem_merge_problem",
	"problem_type", "problem_category",
	"problem_queue", "problem_same_queue",
	"label_agent", "label_note", "label_held", "label_commands", "label_unverified", "label_automatic", "label_bounce", "label_rating", "label_vendor", "label_other",
	"forwarded_by", "problem_requester",
	"problem_cc_address", "problem_cc_not_copied", "problem_cc_desk", "problem_cc_full", "problem_spam_desk", "problem_spam_already", "problem_not_spam",
}

// Phrase is what a phrase may show. Durations come formatted for people
// (FormatDuration).
type Phrase struct {
	Agent  string // an agent's address
	Text   string // words an agent gave (an escalation reason)
	Clock  string // "first_response" or "resolution"
	Target string // a target, formatted
	Left   string // time left, formatted
	Tier   int
	Max    int // the highest tier
	// Ticket is the ticket a command names (#problem, #merge); Other a
	// second one (the problem it is linked to); N a count (incidents).
	Ticket, Other uint64
	N             int
}

var samplePhrase = Phrase{Agent: "ana@example.com", Text: "words", Clock: "resolution", Target: "2 h", Left: "15 min", Tier: 1, Max: 3, Ticket: 7, Other: 9, N: 2}

// parsePhrases parses lang's phrases file, fills w with its words
// (language.go) and checks every phrase renders.
func parsePhrases(src *source, lang Language, w words) (*texttemplate.Template, error) {
	body, where, err := src.read(string(lang) + "/" + phrasesFile)
	if err != nil {
		return nil, err
	}
	t := texttemplate.New(phrasesFile).Funcs(textFuncs(lang, w))
	if base, err := fs.ReadFile(src.embedded, string(lang)+"/"+phrasesFile); err == nil && !strings.HasPrefix(where, "embedded ") {
		// An override written for an older version lacks the phrases
		// added since: they keep the embedded words.
		if t, err = t.Parse(string(base)); err != nil {
			return nil, fmt.Errorf("templates: parse embedded %s: %w", phrasesFile, err)
		}
	}
	t, err = t.Parse(body)
	if err != nil {
		return nil, fmt.Errorf("templates: parse %s: %w", where, err)
	}
	if err := readWords(t, where, w); err != nil {
		return nil, err
	}
	for _, name := range phraseNames {
		if t.Lookup(name) == nil {
			return nil, fmt.Errorf(`templates: %s: no {{define %q}}`, where, name)
		}
		if err := t.ExecuteTemplate(&bytes.Buffer{}, name, samplePhrase); err != nil {
			return nil, fmt.Errorf("templates: %s: %w", where, err)
		}
	}
	return t, nil
}

// Phrase renders the named phrase in lang.
func (s *Set) Phrase(lang Language, name string, p Phrase) (string, error) {
	l, ok := s.lang(lang)
	if !ok {
		return "", fmt.Errorf("%w %q", ErrUnknownLanguage, lang)
	}
	t := l.phrases
	if t.Lookup(name) == nil {
		return "", fmt.Errorf("%w %q", ErrUnknownTemplate, "phrase "+name)
	}
	var b bytes.Buffer
	if err := t.ExecuteTemplate(&b, name, p); err != nil {
		return "", fmt.Errorf("render %s/%s: %w", lang, name, err)
	}
	return oneLine(b.String()), nil
}
