package tickets

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestReplaceFoldIsLengthSafe(t *testing.T) {
	tests := []struct{ name, agent, in, want string }{
		{"plain", "ana@example.com", "Escriba a ana@example.com hoy.", "Escriba a  hoy."},
		{"upper", "ana@example.com", "ANA@EXAMPLE.COM", ""},
		// "İ" lower-cases to three bytes: offsets after it used to be
		// wrong, so the address stayed.
		{"dotted capital I before", "ana@example.com", "İstanbul: ANA@Example.COM, ext. 12", "İstanbul: , ext. 12"},
		{"dotted capital I after", "ana@example.com", "ana@EXAMPLE.com İİİ", " İİİ"},
		// The Kelvin sign is a capital k for EqualFold, and one byte
		// shorter lower-cased.
		{"kelvin sign in the address", "kim@example.com", "Firma: \u212aim@example.com", "Firma: "},
		{"long s", "sara@example.com", "\u017fara@example.com", ""},
		{"several", "ana@example.com", "İ ana@example.com / Ana@Example.com.", "İ  / ."},
		{"longer addresses stay", "ana@example.com", "mariana@example.com maria.ana@example.com ana@example.com.co ana@example.comx",
			"mariana@example.com maria.ana@example.com ana@example.com.co ana@example.comx"},
		{"invalid UTF-8 around", "ana@example.com", "\xff\xfeana@example.com\xc3", "\xff\xfe\xc3"},
	}
	for _, tt := range tests {
		if got := replaceFold(tt.in, tt.agent, ""); got != tt.want {
			t.Errorf("%s: replaceFold(%q) = %q, want %q", tt.name, tt.in, got, tt.want)
		}
	}
}

// An agent's address in a signature after an "İ" reaches the requester
// on the old code; it must be blanked from the relayed answer.
func TestRelayBlanksTheAgentAddressAfterAnyLetter(t *testing.T) {
	f := newFixture(t)
	f.apply(msg("s1@c", "pedro@client.com", "Algo", "uno"))
	f.drain()
	f.apply(Inbound{MessageID: "a1@example.com", From: NewAddress("", "ana@example.com"), Subject: "Re: [Soporte #1] Algo",
		Text: "Listo. Oficina İzmir, escríbame a ANA@EXAMPLE.COM si vuelve a fallar."})
	mails := f.drain()
	if len(mails) != 1 || mails[0].Kind != "reply" {
		t.Fatalf("relay: %+v", mails)
	}
	if strings.Contains(strings.ToLower(mails[0].Text), "ana@example.com") || strings.Contains(strings.ToLower(mails[0].HTML), "ana@example.com") {
		t.Errorf("the agent's address reaches the requester:\n%s", mails[0].Text)
	}
}

// FuzzReplaceFold: whatever the text, replaceFold does not panic and
// leaves no whole occurrence of the agent's address in any case-fold
// variant (strings.EqualFold, checked independently of the folding that
// replaceFold does).
func FuzzReplaceFold(f *testing.F) {
	agents := []string{"ana@example.com", "kim.sanz@example.com", "ıi@example.com"}
	for _, s := range []string{"ANA@EXAMPLE.COM", "İ ana@example.com", "\u212aim.\u017fanz@example.com", "ana@example.comana@example.com",
		"maria.ana@example.com.", "x.ana@example.com", "İI@EXAMPLE.COM", "\xffana@example.com"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, agent := range agents {
			out := replaceFold(s, agent, "")
			n := utf8.RuneCountInString(agent)
			for i := range out {
				if !utf8.RuneStart(out[i]) {
					continue
				}
				j, k := i, 0
				for ; k < n && j < len(out); k++ {
					_, w := utf8.DecodeRuneInString(out[j:])
					j += w
				}
				if k == n && strings.EqualFold(out[i:j], agent) && !continuesAddress(out, i, j) {
					t.Fatalf("replaceFold(%q, %q) = %q still holds %q", s, agent, out, out[i:j])
				}
			}
		}
	})
}

// replaceFoldAll does what replaceFold with each address in turn does.
func FuzzReplaceFoldAll(f *testing.F) {
	agents := []string{"ana@example.com", "kim.sanz@example.com", "ıi@example.com", "mariana@example.com"}
	for _, s := range []string{"", "nothing here", "ANA@EXAMPLE.COM", "İ ana@example.com and kim.sanz@example.com", "mariana@example.com",
		"ana@example.comana@example.com", "kim.sanz@example.comana@example.com", "x.ana@example.com"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		want := s
		for _, agent := range agents {
			want = replaceFold(want, agent, "")
		}
		if got := replaceFoldAll(s, agents, ""); got != want {
			t.Fatalf("replaceFoldAll(%q) = %q, replaceFold in turn %q", s, got, want)
		}
	})
}
