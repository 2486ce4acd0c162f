package mailparse

import (
	"strconv"
	"strings"

	"github.com/emersion/go-message"

	"github.com/ticketd/ticketd/internal/lazyre"
	"github.com/ticketd/ticketd/tickets"
)

// The receiving server's spam verdict, read into Inbound.Spam; tickets
// keeps such mail out of the desk (tickets/spam.go).
//
// The spam filter's own fields (X-Spam-Flag, X-Spam-Status, X-Spam, a
// score field) are read wherever they are: a sender who adds them to
// their own mail only sends it to the spam mailbox, and filters replace
// the fields they write. A DMARC failure is read only from the topmost
// Authentication-Results field carrying the trusted authserv-id, as
// sender verification reads passes (authres.go): anyone else's field
// could put a stranger's mail in the spam mailbox.

// SpamRules says which verdicts mark mail as spam.
type SpamRules struct {
	// ServerFlags: "X-Spam-Flag: YES", "X-Spam-Status: Yes, score=..."
	// (SpamAssassin) and "X-Spam: Yes" (Rspamd).
	ServerFlags bool
	// ScoreHeader names a field holding the filter's score
	// ("X-Spam-Score", "X-Rspamd-Score"); a score of ScoreThreshold or
	// more is spam. "": no score is read.
	ScoreHeader    string
	ScoreThreshold float64
	// DMARC: a DMARC failure for the From domain under a published
	// reject or quarantine policy ("p=reject" in the comment as
	// OpenDMARC and Gmail write it, "policy.dmarc=...", Rspamd's
	// "(policy=reject)", Microsoft's "action=oreject") is spam; "p=none"
	// is not. Needs Options.TrustedAuthservID.
	DMARC bool
}

// DefaultSpamRules are what Options.Spam nil means: the server's flags
// and DMARC, no score field.
var DefaultSpamRules = SpamRules{ServerFlags: true, DMARC: true}

// spamVerdict returns why h marks the mail from "from" as spam, "" when
// it does not.
func spamVerdict(h message.Header, from, trusted string, r SpamRules) tickets.SpamReason {
	switch {
	case r.ServerFlags && flaggedSpam(h):
		return tickets.SpamFlag
	case r.ScoreHeader != "" && scoreReaches(h.Values(r.ScoreHeader), r.ScoreThreshold):
		return tickets.SpamScore
	case r.DMARC && dmarcRejects(h, from, trusted):
		return tickets.SpamDMARC
	}
	return ""
}

// flaggedSpam reports whether a spam filter's field says yes.
func flaggedSpam(h message.Header) bool {
	yes := func(v string) bool {
		word, _, _ := strings.Cut(strings.TrimSpace(v), ",")
		word, _, _ = strings.Cut(word, " ")
		return strings.EqualFold(strings.TrimSpace(word), "yes")
	}
	for _, name := range []string{"X-Spam-Flag", "X-Spam-Status", "X-Spam"} {
		for _, v := range h.Values(name) {
			if yes(v) {
				return true
			}
		}
	}
	return false
}

// firstNumber finds the score in "7.3", "7.3 / 15.0" or "[7.3 / 15]".
var firstNumber = lazyre.New(`[-+]?[0-9]+(?:\.[0-9]+)?`)

// scoreReaches reports whether any of the score fields is threshold or
// more. A field without a number counts for nothing.
func scoreReaches(values []string, threshold float64) bool {
	for _, v := range values {
		n, err := strconv.ParseFloat(firstNumber().FindString(v), 64)
		if err == nil && n >= threshold {
			return true
		}
	}
	return false
}

// dmarcPolicy finds the published policy in a dmarc resinfo as MTAs
// write it: in a comment "(p=REJECT sp=NONE dis=NONE)", "(policy=reject)",
// or Microsoft's "action=oreject" / "action=pct.quarantine".
var dmarcPolicy = lazyre.New(`(?i)(?:\bp|\bpolicy|\baction)\s*=\s*(?:o|pct\.)?(reject|quarantine|none)\b`)

// dmarcRejects reports whether the topmost trusted Authentication-Results
// field records a DMARC failure for from's domain under a reject or
// quarantine policy.
func dmarcRejects(h message.Header, from, trusted string) bool {
	trusted, d := strings.TrimSpace(trusted), fromDomain(from)
	if trusted == "" || d == "" {
		return false
	}
	for _, v := range h.Values("Authentication-Results") {
		if !strings.EqualFold(bareAuthservID(v), trusted) {
			continue
		}
		// The topmost field of our server decides (authres.go).
		for _, seg := range splitResinfo(v)[1:] {
			_, results, ok := parseAuthResults(trusted + ";" + seg)
			if !ok || len(results) != 1 {
				continue
			}
			r := results[0]
			if r.method != "dmarc" || r.result != "fail" {
				continue
			}
			if hf, ok := r.props["header.from"]; ok && domainOfAddr(hf) != d {
				continue // about another domain
			}
			if rejecting(r.props["policy.dmarc"]) || rejecting(r.props["policy.published-domain-policy"]) {
				return true
			}
			if m := dmarcPolicy().FindStringSubmatch(seg); m != nil && rejecting(m[1]) {
				return true
			}
		}
		return false
	}
	return false
}

func rejecting(policy string) bool {
	p := strings.ToLower(strings.TrimSpace(policy))
	return p == "reject" || p == "quarantine"
}

// splitResinfo splits an Authentication-Results value at the ";" that
// are outside comments and quoted strings: the authserv-id part first,
// then one part per result.
func splitResinfo(v string) []string {
	var parts []string
	depth, quoted, start := 0, false, 0
	for i := 0; i < len(v); i++ {
		switch c := v[i]; {
		case c == '\\' && (quoted || depth > 0):
			i++
		case c == '"' && depth == 0:
			quoted = !quoted
		case c == '(' && !quoted:
			depth++
		case c == ')' && !quoted && depth > 0:
			depth--
		case c == ';' && !quoted && depth == 0:
			parts = append(parts, v[start:i])
			start = i + 1
		}
	}
	return append(parts, v[start:])
}
