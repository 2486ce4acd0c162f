package tickets

import "github.com/ticketd/ticketd/templates"

// Applying a batch is serial: one write transaction at a time. Part of
// what a message needs depends on the message and the service's
// configuration only, never on the database — its subject without the
// desk's token and reply prefixes, the language its text is written in,
// what of an agent's answer may reach the requester, the tickets named by
// the references quoted in its text.
// Prepare computes that part beforehand: mailin calls it on the parse
// workers, so it runs on the other core while the batch before is being
// applied, and the transaction only reads the result.
//
// The result is a memo of a pure function, kept with the inputs it was
// computed from: Apply uses it only for the same service and the same
// subject, text and Content-Language (a forward taken on behalf of its
// sender, onbehalf.go, is another message), and computes anything missing
// itself. A message never prepared applies exactly as before.

// prepared is Prepare's memo (Inbound.prepared).
type prepared struct {
	s *Service
	// subjectIn → subjectOut: ownSubject's cleaning.
	subjectIn, subjectOut string
	// lang, sure: mailLanguage of text, subjectIn and contentLang, when
	// langDone.
	langDone          bool
	text, contentLang string
	lang              templates.Language
	sure              bool
	// relayIn → relayOut, relayOK: relayable's answer for the text of an
	// agent's mail without its commands, when relayDone.
	relayDone bool
	relayIn   string
	relayOut  string
	relayOK   bool
	// fullText → bodyRefs: bodyCandidates, the tickets the signed
	// references quoted in the whole text name (threading's last resort).
	fullText string
	bodyRefs []uint64
}

// Prepare computes what applying m needs that does not depend on the
// database (see above) and keeps it in m. It is safe to call from several
// goroutines at once, on different messages.
func (s *Service) Prepare(m *Inbound) {
	p := &prepared{s: s, subjectIn: m.Subject, fullText: m.FullText}
	p.subjectOut = s.cleanOwnSubject(m.Subject)
	p.bodyRefs = s.bodyCandidates(m.FullText)
	if s.mayLearnLanguage(m) {
		p.text, p.contentLang = m.Text, m.ContentLanguage
		p.lang, p.sure = s.detectLanguage(m, p.subjectOut)
		p.langDone = true
	}
	if s.isAgentAnywhere(NormalizeEmail(m.From.Email)) {
		// An agent's answer: what of it reaches the requester
		// (agentreply.go).
		p.relayIn = parseAgentText(m.Text).text
		p.relayOut, p.relayOK = s.relayable(p.relayIn)
		p.relayDone = true
	}
	m.prepared = p
}

// mayLearnLanguage says whether applying m may ask for its language: mail
// of a person outside the desk (an agent's answer never teaches its
// requester's language; the rare agent who opens a ticket of their own
// is detected in the transaction).
func (s *Service) mayLearnLanguage(m *Inbound) bool {
	if !s.opts.DetectLanguage || m.AutoSubmitted || (m.Kind != "" && m.Kind != KindNormal) {
		return false
	}
	from := NormalizeEmail(m.From.Email)
	return !s.isQueueAddress(from) && !s.isAgentAnywhere(from)
}

// preparedSubject is ownSubject's cleaning of m's subject as Prepare
// computed it.
func (m *Inbound) preparedSubject(s *Service) (string, bool) {
	p := m.prepared
	if p == nil || p.s != s || p.subjectIn != m.Subject {
		return "", false
	}
	return p.subjectOut, true
}

// preparedLanguage is mailLanguage(m, subject) as Prepare computed it.
func (m *Inbound) preparedLanguage(s *Service, subject string) (templates.Language, bool, bool) {
	p := m.prepared
	if p == nil || p.s != s || !p.langDone || p.subjectOut != subject || p.text != m.Text || p.contentLang != m.ContentLanguage {
		return "", false, false
	}
	return p.lang, p.sure, true
}

// preparedRelay is relayable(text) as Prepare computed it for m's text.
func (m *Inbound) preparedRelay(s *Service, text string) (out string, ok, done bool) {
	p := m.prepared
	if p == nil || p.s != s || !p.relayDone || p.relayIn != text {
		return "", false, false
	}
	return p.relayOut, p.relayOK, true
}

// preparedBodyRefs is bodyCandidates(m) as Prepare computed it.
func (m *Inbound) preparedBodyRefs(s *Service) ([]uint64, bool) {
	p := m.prepared
	if p == nil || p.s != s || p.fullText != m.FullText {
		return nil, false
	}
	return p.bodyRefs, true
}
