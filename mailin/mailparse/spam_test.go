package mailparse

import (
	"testing"

	"github.com/ticketd/ticketd/tickets"
)

// TestSpamVerdict: each form of the receiving server's verdict, the score
// threshold, and DMARC read only from the trusted authserv-id and only
// under a reject or quarantine policy (issue 14, point 5).
func TestSpamVerdict(t *testing.T) {
	const from = "Win <win@lottery.example>"
	score := &SpamRules{ServerFlags: true, ScoreHeader: "X-Rspamd-Score", ScoreThreshold: 6, DMARC: true}
	off := &SpamRules{}
	tests := []struct {
		name    string
		rules   *SpamRules // nil: the defaults
		headers []string
		want    tickets.SpamReason
	}{
		{"clean", nil, []string{"X-Spam-Flag: NO", "X-Spam-Status: No, score=1.2 required=5.0"}, ""},
		{"X-Spam-Flag YES", nil, []string{"X-Spam-Flag: YES"}, tickets.SpamFlag},
		{"X-Spam-Flag yes lower case, spaced", nil, []string{"X-Spam-Flag:   yes  "}, tickets.SpamFlag},
		{"X-Spam-Status Yes", nil, []string{"X-Spam-Status: Yes, score=7.1 required=5.0 tests=BAYES_99"}, tickets.SpamFlag},
		{"X-Spam-Status folded", nil, []string{"X-Spam-Status: Yes, score=17.1 required=5.0\n\ttests=A,B"}, tickets.SpamFlag},
		{"X-Spam (Rspamd)", nil, []string{"X-Spam: Yes"}, tickets.SpamFlag},
		{"a No before a Yes", nil, []string{"X-Spam-Flag: NO", "X-Spam-Flag: YES"}, tickets.SpamFlag},
		{"Yesterday is not yes", nil, []string{"X-Spam-Status: Yesterday"}, ""},
		{"flags off", off, []string{"X-Spam-Flag: YES"}, ""},
		{"score header unset: not read", nil, []string{"X-Rspamd-Score: 25.5"}, ""},
		{"score over", score, []string{"X-Rspamd-Score: 12.50"}, tickets.SpamScore},
		{"score at threshold", score, []string{"X-Rspamd-Score: 6"}, tickets.SpamScore},
		{"score under", score, []string{"X-Rspamd-Score: 5.99"}, ""},
		{"score negative", score, []string{"X-Rspamd-Score: -3.1"}, ""},
		{"score with maximum", score, []string{"X-Rspamd-Score: [ 7.20 / 15.00 ]"}, tickets.SpamScore},
		{"score unreadable", score, []string{"X-Rspamd-Score: high"}, ""},
		{"score name case-insensitive", score, []string{"x-rspamd-score: 9"}, tickets.SpamScore},
		// DMARC at the trusted authserv-id.
		{"dmarc fail p=reject (OpenDMARC)", nil, []string{ar("mx.corp.example; dmarc=fail (p=reject dis=none) header.from=lottery.example")}, tickets.SpamDMARC},
		{"dmarc fail p=QUARANTINE (Gmail)", nil, []string{ar("mx.corp.example;\n dkim=fail header.i=@lottery.example;\n dmarc=fail (p=QUARANTINE sp=NONE dis=QUARANTINE) header.from=lottery.example")}, tickets.SpamDMARC},
		{"dmarc fail policy=reject (Rspamd)", nil, []string{ar(`mx.corp.example; dmarc=fail reason="No valid SPF, No valid DKIM" header.from=lottery.example (policy=reject)`)}, tickets.SpamDMARC},
		{"dmarc fail policy.dmarc", nil, []string{ar("mx.corp.example; dmarc=fail policy.dmarc=quarantine header.from=lottery.example")}, tickets.SpamDMARC},
		{"dmarc fail action=oreject (Microsoft)", nil, []string{ar("mx.corp.example; spf=fail smtp.mailfrom=lottery.example; dmarc=fail action=oreject header.from=lottery.example")}, tickets.SpamDMARC},
		{"dmarc fail p=none", nil, []string{ar("mx.corp.example; dmarc=fail (p=none dis=none) header.from=lottery.example")}, ""},
		{"dmarc fail sp=reject is not p", nil, []string{ar("mx.corp.example; dmarc=fail (p=none sp=reject) header.from=lottery.example")}, ""},
		{"dmarc fail no policy stated", nil, []string{ar("mx.corp.example; dmarc=fail header.from=lottery.example")}, ""},
		{"dmarc pass p=reject", nil, []string{ar("mx.corp.example; dmarc=pass (p=reject) header.from=lottery.example")}, ""},
		{"dmarc fail about another domain", nil, []string{ar("mx.corp.example; dmarc=fail (p=reject) header.from=other.example")}, ""},
		{"dmarc fail at an untrusted authserv-id", nil, []string{ar("mx.evil.example; dmarc=fail (p=reject) header.from=lottery.example")}, ""},
		{"dmarc fail quoted authserv-id", nil, []string{ar(`"mx.corp.example"; dmarc=fail (p=reject) header.from=lottery.example`)}, ""},
		{"dmarc fail below our topmost field", nil, []string{
			ar("mx.corp.example; dmarc=pass header.from=lottery.example"),
			ar("mx.corp.example; dmarc=fail (p=reject) header.from=lottery.example")}, ""},
		{"policy in another result's comment", nil, []string{ar("mx.corp.example; spf=fail (p=reject) smtp.mailfrom=lottery.example; dmarc=fail header.from=lottery.example")}, ""},
		{"dmarc off", off, []string{ar("mx.corp.example; dmarc=fail (p=reject) header.from=lottery.example")}, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			in, err := ParseWithOptions(arMail(from, tc.headers...), Options{TrustedAuthservID: trustedID, Spam: tc.rules})
			if err != nil {
				t.Fatal(err)
			}
			if in.Spam != tc.want {
				t.Fatalf("Spam = %q, want %q", in.Spam, tc.want)
			}
		})
	}
}

// TestSpamDMARCNeedsATrustedID: without a trusted authserv-id no DMARC
// result is read at all.
func TestSpamDMARCNeedsATrustedID(t *testing.T) {
	raw := arMail("win@lottery.example", ar("mx.corp.example; dmarc=fail (p=reject) header.from=lottery.example"))
	in, err := ParseWithOptions(raw, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if in.Spam != "" {
		t.Fatalf("Spam = %q without a trusted authserv-id", in.Spam)
	}
}

func TestSplitResinfo(t *testing.T) {
	got := splitResinfo(`mx 1; dkim=pass (a;b) header.d=x; dmarc=fail reason="x;y" header.from=x`)
	if len(got) != 3 || got[1] != " dkim=pass (a;b) header.d=x" {
		t.Fatalf("%q", got)
	}
}
