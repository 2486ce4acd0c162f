package tickets

import (
	"strings"
)

// relayable returns the part of an agent's text that may reach the
// requester: only the new text (never the quoted notification, which holds
// internal details), without the agent's sign-off (signoff.go) and with
// every agent address blanked out. It reports false when nothing is left
// to relay. m, when not nil, is the mail text comes from: what Prepare
// computed for it is used.
func (a *applier) relayable(m *Inbound, text string) (string, bool) {
	if m != nil {
		if out, ok, done := m.preparedRelay(a.s, text); done {
			return out, ok
		}
	}
	return a.s.relayable(text)
}

// relayable is applier.relayable without Prepare's memo.
func (s *Service) relayable(text string) (string, bool) {
	text = strings.TrimSpace(text)
	if text == "" || s.hasReplyLine(text) {
		return "", false
	}
	text = s.blankAgents(cutSignOff(text))
	return text, strings.TrimSpace(text) != ""
}

// blankAgents removes every agent's address from text.
func (s *Service) blankAgents(text string) string {
	var agents []string
	for _, q := range s.queues.all {
		for _, tier := range q.Policy.Tiers() {
			agents = append(agents, tier.Agents...)
		}
	}
	return replaceFoldAll(text, agents, "")
}

// customerText is what agents should read of a requester's mail: the new
// text, or the whole body when the mail was all quote (a forward, say).
func customerText(m *Inbound) string {
	if strings.TrimSpace(m.Text) != "" {
		return m.Text
	}
	return m.FullText
}

// wholeText is the whole readable body of m, quotes included, for giving
// a person back what they sent.
func wholeText(m *Inbound) string {
	if m.FullText != "" {
		return m.FullText
	}
	return m.Text
}

func displayName(a Address) string {
	if a.Name != "" {
		return a.Name
	}
	return a.Email
}
