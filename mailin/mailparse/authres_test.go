package mailparse

import (
	"reflect"
	"strings"
	"testing"
)

const trustedID = "mx.corp.example"

// arMail builds a CRLF message from the given header lines (folded lines
// may contain "\n" followed by white space).
func arMail(from string, headers ...string) []byte {
	var b strings.Builder
	for _, h := range headers {
		b.WriteString(h)
		b.WriteString("\n")
	}
	if from != "" {
		b.WriteString("From: " + from + "\n")
	}
	b.WriteString("To: soporte@corp.example\nSubject: test\nMessage-ID: <t@example.com>\n\nbody\n")
	return []byte(strings.ReplaceAll(b.String(), "\n", "\r\n"))
}

func ar(v string) string { return "Authentication-Results: " + v }

func TestSenderVerified(t *testing.T) {
	const ana = "Ana <ana@example.com>"
	tests := []struct {
		name    string
		from    string
		trusted string
		headers []string
		want    bool
	}{
		// Which fields are trusted.
		{"dmarc pass trusted", ana, trustedID, []string{ar("mx.corp.example; dmarc=pass header.from=example.com")}, true},
		{"no trusted id configured", ana, "", []string{ar("mx.corp.example; dmarc=pass header.from=example.com")}, false},
		{"untrusted id", ana, trustedID, []string{ar("mx.evil.example; dmarc=pass header.from=example.com")}, false},
		{"id prefix is not the id", ana, trustedID, []string{ar("mx.corp.example.evil; dmarc=pass header.from=example.com")}, false},
		{"id case-insensitive", ana, "MX.Corp.Example", []string{ar("mx.CORP.example; DMARC=Pass Header.From=EXAMPLE.com")}, true},
		{"trusted id with spaces in config", ana, " mx.corp.example ", []string{ar("mx.corp.example; dmarc=pass header.from=example.com")}, true},
		// Forms an MX that strips forged fields by their first token would miss.
		{"quoted authserv-id", ana, trustedID, []string{ar(`"mx.corp.example"; dmarc=pass header.from=example.com`)}, false},
		{"comment before the authserv-id", ana, trustedID, []string{ar(`(c) MX.CORP.EXAMPLE ; dmarc=pass header.from=example.com`)}, false},
		{"partly quoted authserv-id", ana, trustedID, []string{ar(`mx.corp."example"; dmarc=pass header.from=example.com`)}, false},
		{"upper-case bare authserv-id", ana, trustedID, []string{ar(`MX.Corp.Example; dmarc=pass header.from=example.com`)}, true},
		{"authserv-id with version", ana, trustedID, []string{ar("mx.corp.example 1; dmarc=pass header.from=example.com")}, true},
		{"no header at all", ana, trustedID, nil, false},
		{"attacker field with other id claims pass", ana, trustedID, []string{
			ar("mx.corp.example; dmarc=fail header.from=example.com; dkim=fail header.d=example.com; spf=fail smtp.mailfrom=ana@example.com"),
			ar("mx.evil.example; dmarc=pass header.from=example.com; dkim=pass header.d=example.com; spf=pass smtp.mailfrom=example.com"),
		}, false},
		{"trusted pass for another domain", ana, trustedID, []string{
			ar("mx.corp.example; dmarc=pass header.from=evil.example; dkim=pass header.d=evil.example; spf=pass smtp.mailfrom=x@evil.example"),
		}, false},
		// Only the topmost trusted field counts: the MX prepends its own, so
		// one further down came with the message (an MX that does not strip).
		{"forged trusted field below the real one", ana, trustedID, []string{
			ar("mx.corp.example; dmarc=fail header.from=example.com"),
			ar("mx.corp.example; dmarc=pass header.from=example.com"),
		}, false},
		// A trusted field above the real one (added after our MX): the
		// real one's failure takes the pass away.
		{"forged trusted field above the real one", ana, trustedID, []string{
			ar("mx.corp.example; dkim=pass header.d=example.com; dmarc=pass header.from=example.com"),
			ar("mx.corp.example; dkim=fail header.d=example.com; dmarc=fail header.from=example.com; spf=fail smtp.mailfrom=ana@example.com"),
		}, false},
		{"a failing method does not veto another", ana, trustedID, []string{
			ar("mx.corp.example; dkim=pass header.d=example.com; spf=softfail smtp.mailfrom=ana@example.com"),
		}, true},
		{"second trusted field passes", ana, trustedID, []string{
			ar("mx.corp.example; spf=softfail smtp.mailfrom=ana@example.com"),
			ar("mx.corp.example; dkim=pass header.d=example.com"),
		}, false},
		{"none", ana, trustedID, []string{ar("mx.corp.example; none")}, false},
		{"none with version", ana, trustedID, []string{ar("mx.corp.example 1; none")}, false},

		// DMARC.
		{"dmarc pass without header.from", ana, trustedID, []string{ar("mx.corp.example; dmarc=pass (p=none)")}, true},
		{"dmarc fail", ana, trustedID, []string{ar("mx.corp.example; dmarc=fail header.from=example.com")}, false},
		{"dmarc pass other domain", ana, trustedID, []string{ar("mx.corp.example; dmarc=pass header.from=other.example")}, false},
		{"dmarc pass parent domain is not exact", "a@sub.example.com", trustedID, []string{ar("mx.corp.example; dmarc=pass header.from=example.com")}, false},
		{"dmarc method version", ana, trustedID, []string{ar("mx.corp.example; dmarc/1 = pass header.from = example.com")}, true},

		// DKIM.
		{"dkim aligned", ana, trustedID, []string{ar("mx.corp.example; dkim=pass header.d=example.com header.s=sel")}, true},
		{"dkim unaligned", ana, trustedID, []string{ar("mx.corp.example; dkim=pass header.d=mailer.example header.s=sel")}, false},
		{"dkim From subdomain of d", "ana@support.example.com", trustedID, []string{ar("mx.corp.example; dkim=pass header.d=example.com")}, true},
		{"dkim d subdomain of From", ana, trustedID, []string{ar("mx.corp.example; dkim=pass header.d=sub.example.com")}, false},
		{"dkim suffix without dot boundary", "ana@badexample.com", trustedID, []string{ar("mx.corp.example; dkim=pass header.d=example.com")}, false},
		{"dkim d is a tld", ana, trustedID, []string{ar("mx.corp.example; dkim=pass header.d=com")}, false},
		{"dkim header.i only", ana, trustedID, []string{ar("mx.corp.example; dkim=pass header.i=@example.com")}, true},
		{"dkim header.i with local part", ana, trustedID, []string{ar("mx.corp.example; dkim=pass header.i=news@example.com")}, true},
		{"dkim header.d wins over header.i", ana, trustedID, []string{ar("mx.corp.example; dkim=pass header.d=evil.example header.i=@example.com")}, false},
		{"dkim fail", ana, trustedID, []string{ar("mx.corp.example; dkim=fail header.d=example.com")}, false},
		{"dkim neutral", ana, trustedID, []string{ar("mx.corp.example; dkim=neutral header.d=example.com")}, false},
		{"dkim policy", ana, trustedID, []string{ar("mx.corp.example; dkim=policy header.d=example.com")}, false},
		{"dkim pass without domain", ana, trustedID, []string{ar("mx.corp.example; dkim=pass header.s=sel")}, false},
		{"dkim duplicate header.d", ana, trustedID, []string{ar("mx.corp.example; dkim=pass header.d=example.com header.d=evil.example")}, false},
		{"dkim trailing dot", ana, trustedID, []string{ar("mx.corp.example; dkim=pass header.d=Example.Com.")}, true},
		{"dkim quoted values", ana, trustedID, []string{ar(`mx.corp.example; dkim=pass header.d="example.com" header.b="ab/c+d=="`)}, true},

		// SPF.
		{"spf aligned", ana, trustedID, []string{ar("mx.corp.example; spf=pass smtp.mailfrom=bounce@example.com")}, true},
		{"spf aligned bare domain", ana, trustedID, []string{ar("mx.corp.example; spf=pass smtp.mailfrom=example.com")}, true},
		{"spf subdomain", "ana@eu.example.com", trustedID, []string{ar("mx.corp.example; spf=pass smtp.mailfrom=bounces@example.com")}, true},
		{"spf unaligned", ana, trustedID, []string{ar("mx.corp.example; spf=pass smtp.mailfrom=bounce@esp.example")}, false},
		{"spf unaligned helo ignored when mailfrom present", ana, trustedID, []string{ar("mx.corp.example; spf=pass smtp.mailfrom=x@esp.example smtp.helo=example.com")}, false},
		{"spf null reverse path uses helo", "ana@mail.example.com", trustedID, []string{ar("mx.corp.example; spf=pass smtp.mailfrom=<> smtp.helo=mail.example.com")}, true},
		{"spf null reverse path unaligned helo", ana, trustedID, []string{ar("mx.corp.example; spf=pass smtp.mailfrom=<> smtp.helo=mail.example.com")}, false},
		{"spf helo only aligned", "ana@mail.example.com", trustedID, []string{ar("mx.corp.example; spf=pass smtp.helo=mail.example.com")}, true},
		{"spf quoted local part", ana, trustedID, []string{ar(`mx.corp.example; spf=pass smtp.mailfrom="ana; dmarc=pass"@example.com`)}, true},
		{"spf softfail", ana, trustedID, []string{ar("mx.corp.example; spf=softfail smtp.mailfrom=example.com")}, false},
		{"spf neutral", ana, trustedID, []string{ar("mx.corp.example; spf=neutral smtp.mailfrom=example.com")}, false},
		{"spf none", ana, trustedID, []string{ar("mx.corp.example; spf=none smtp.mailfrom=example.com")}, false},
		{"spf temperror", ana, trustedID, []string{ar("mx.corp.example; spf=temperror smtp.mailfrom=example.com")}, false},
		{"spf permerror", ana, trustedID, []string{ar("mx.corp.example; spf=permerror smtp.mailfrom=example.com")}, false},

		// Other methods never count.
		{"iprev pass", ana, trustedID, []string{ar("mx.corp.example; iprev=pass policy.iprev=192.0.2.1 (mail.example.com)")}, false},
		{"arc pass", ana, trustedID, []string{ar("mx.corp.example; arc=pass header.d=example.com")}, false},
		// A login names a person, not the domain (AuthLogin, below).
		{"auth pass", ana, trustedID, []string{ar("mx.corp.example; auth=pass smtp.auth=ana@example.com")}, false},
		{"auth pass as another domain", ana, trustedID, []string{ar("mx.corp.example; auth=pass smtp.auth=mallory@evil.example")}, false},
		{"auth fail", ana, trustedID, []string{ar("mx.corp.example; auth=fail smtp.auth=ana@example.com")}, false},

		// Comments, folding, syntax.
		{"comments and folding", ana, trustedID, []string{ar("mx.corp.example (Postfix);\n\tdkim=pass (2048-bit key; unprotected) header.d=example.com\n header.s=sel (selector (nested))")}, true},
		{"brief example", ana, trustedID, []string{ar("mx.corp.example; dkim=pass (2048-bit key) header.d=example.com header.s=sel; spf=pass (sender IP is 1.2.3.4) smtp.mailfrom=ana@example.com; dmarc=pass (p=REJECT) header.from=example.com")}, true},
		{"reason", ana, trustedID, []string{ar(`mx.corp.example; dkim=pass reason="good; signature" header.d=example.com`)}, true},
		{"trailing semicolon", ana, trustedID, []string{ar("mx.corp.example; dkim=pass header.d=example.com;")}, true},
		{"non-standard item ignored", ana, trustedID, []string{ar("mx.corp.example; dmarc=pass action=none header.from=example.com")}, true},
		{"comment hides pass", ana, trustedID, []string{ar("mx.corp.example; dkim=fail (dkim=pass header.d=example.com) header.d=example.com")}, false},
		{"no authserv-id (Exchange Online)", ana, trustedID, []string{ar("spf=pass (sender IP is 192.0.2.1) smtp.mailfrom=example.com; dmarc=pass action=none header.from=example.com")}, false},
		{"unterminated comment", ana, trustedID, []string{ar("mx.corp.example; dkim=pass header.d=example.com (oops")}, false},
		{"unterminated quote", ana, trustedID, []string{ar(`mx.corp.example; dkim=pass header.d="example.com`)}, false},
		{"missing result", ana, trustedID, []string{ar("mx.corp.example; dkim= header.d=example.com")}, false},
		{"junk", ana, trustedID, []string{ar("mx.corp.example; ===;;;")}, false},
		{"malformed after a pass", ana, trustedID, []string{ar("mx.corp.example; dkim=pass header.d=example.com; ) junk")}, false},
		{"missing separator", ana, trustedID, []string{ar("mx.corp.example dkim=pass header.d=example.com")}, false},

		// From.
		{"From case-insensitive", "Ana <ANA@EXAMPLE.COM>", trustedID, []string{ar("mx.corp.example; dkim=pass header.d=example.com")}, true},
		{"From address literal", "ana@[192.0.2.1]", trustedID, []string{ar("mx.corp.example; dmarc=pass")}, false},
		{"two From fields", ana, trustedID, []string{"From: mallory@evil.example", ar("mx.corp.example; dmarc=pass")}, false},
		{"two From domains", "ana@example.com, mallory@evil.example", trustedID, []string{ar("mx.corp.example; dmarc=pass")}, false},
		{"two From addresses one domain", "ana@example.com, bob@example.com", trustedID, []string{ar("mx.corp.example; dmarc=pass header.from=example.com")}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			raw := arMail(tt.from, tt.headers...)
			in, err := ParseWithOptions(raw, Options{TrustedAuthservID: tt.trusted})
			if err != nil {
				t.Fatal(err)
			}
			if in.SenderVerified != tt.want {
				t.Errorf("SenderVerified = %v, want %v", in.SenderVerified, tt.want)
			}
			// Without options nothing is ever verified.
			if in, err := Parse(raw); err != nil || in.SenderVerified {
				t.Errorf("Parse: SenderVerified = %v, err %v", in.SenderVerified, err)
			}
		})
	}
}

// TestAuthLogin: the SMTP AUTH login is taken from the topmost trusted
// field only, exactly as written there, and dropped when the trusted
// fields disagree about it.
func TestAuthLogin(t *testing.T) {
	const agent = "agent1@example.test"
	tests := []struct {
		name    string
		from    string
		headers []string
		want    string
	}{
		{"login recorded", agent, []string{ar("mx.corp.example; auth=pass smtp.auth=agent1@example.test")}, "agent1@example.test"},
		{"another user's login is reported as such", agent, []string{ar("mx.corp.example; auth=pass smtp.auth=customer1@example.test")}, "customer1@example.test"},
		{"login case folded", agent, []string{ar("mx.corp.example; auth=pass smtp.auth=Agent1@Example.Test")}, "agent1@example.test"},
		{"auth fail", agent, []string{ar("mx.corp.example; auth=fail smtp.auth=agent1@example.test")}, ""},
		{"untrusted id", agent, []string{ar("mx.evil.example; auth=pass smtp.auth=agent1@example.test")}, ""},
		{"two logins in the topmost field", agent, []string{ar("mx.corp.example; auth=pass smtp.auth=agent1@example.test; auth=pass smtp.auth=customer1@example.test")}, ""},
		{"forged login below the real field", agent, []string{
			ar("mx.corp.example; auth=pass smtp.auth=customer1@example.test"),
			ar("mx.corp.example; auth=pass smtp.auth=agent1@example.test"),
		}, ""},
		{"forged login above the real field", agent, []string{
			ar("mx.corp.example; auth=pass smtp.auth=agent1@example.test"),
			ar("mx.corp.example; auth=pass smtp.auth=customer1@example.test"),
		}, ""},
		{"two From addresses", agent + ", bob@example.test", []string{ar("mx.corp.example; auth=pass smtp.auth=agent1@example.test")}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in, err := ParseWithOptions(arMail(tt.from, tt.headers...), Options{TrustedAuthservID: trustedID})
			if err != nil {
				t.Fatal(err)
			}
			if in.AuthLogin != tt.want {
				t.Errorf("AuthLogin = %q, want %q", in.AuthLogin, tt.want)
			}
		})
	}
}

func TestSenderVerifiedNoFromDomain(t *testing.T) {
	h := arMail("ana@example.com", ar("mx.corp.example; dmarc=pass"))
	e, err := readEntity(h)
	if err != nil {
		t.Fatal(err)
	}
	for _, from := range []string{"", "ana", "ana@", "ana@[192.0.2.1]", "ana@.example.com"} {
		if verifySender(e.Header, from, trustedID).domain {
			t.Errorf("senderVerified(%q) = true", from)
		}
	}
	if !verifySender(e.Header, "ana@example.com", trustedID).domain {
		t.Error("senderVerified(ana@example.com) = false")
	}
}

func TestParseAuthResults(t *testing.T) {
	tests := []struct {
		in      string
		id      string
		results []authResult
		ok      bool
	}{
		{"mx.example.com; none", "mx.example.com", nil, true},
		{"mx.example.com 1 ; none", "mx.example.com", nil, true},
		{"mx.example.com", "mx.example.com", nil, true},
		{
			"mx.example.com; dkim=pass (2048-bit key) header.d=example.com header.s=sel; spf=pass (sender IP is 1.2.3.4) smtp.mailfrom=ana@example.com; dmarc=pass (p=REJECT) header.from=example.com",
			"mx.example.com", []authResult{
				{method: "dkim", result: "pass", props: map[string]string{"header.d": "example.com", "header.s": "sel"}},
				{method: "spf", result: "pass", props: map[string]string{"smtp.mailfrom": "ana@example.com"}},
				{method: "dmarc", result: "pass", props: map[string]string{"header.from": "example.com"}},
			}, true,
		},
		{
			"(lead) \"Mx.Example.Com\" (c) 2 (c);\r\n DKIM/1 (v) = (r) Pass (x) reason = \"a \\\" b\" Header (t) . (p) D = \"Ex\\ample.com\"",
			"Mx.Example.Com", []authResult{
				{method: "dkim", result: "pass", props: map[string]string{"header.d": "Example.com"}},
			}, true,
		},
		{"mx.example.com; spf=pass smtp.mailfrom=\"a b\"@example.com", "mx.example.com", []authResult{
			{method: "spf", result: "pass", props: map[string]string{"smtp.mailfrom": "a b@example.com"}},
		}, true},
		{"", "", nil, false},
		{"   (only a comment)", "", nil, false},
		{"; dkim=pass", "", nil, false},
		{"mx.example.com x; none", "", nil, false},
		{"mx.example.com; dkim", "", nil, false},
		{"mx.example.com; dkim=pass header=example.com header.", "", nil, false},
		{"mx.example.com; dkim/=pass", "", nil, false},
		{"mx.example.com; dkim=pass header.d=example.com (", "", nil, false},
		{"mx.example.com; dkim=pass header.d=example.com )", "", nil, false},
		{"\"mx.example.com; dkim=pass", "", nil, false},
	}
	for _, tt := range tests {
		id, results, ok := parseAuthResults(tt.in)
		if ok != tt.ok || (ok && (id != tt.id || !reflect.DeepEqual(results, tt.results))) {
			t.Errorf("parseAuthResults(%q) = %q, %+v, %v; want %q, %+v, %v", tt.in, id, results, ok, tt.id, tt.results, tt.ok)
		}
	}
}

func TestParseWithOptionsEML(t *testing.T) {
	raw := readEML(t, "authres-verified.eml")
	in, err := ParseWithOptions(raw, Options{TrustedAuthservID: "MX.corp.example"})
	if err != nil {
		t.Fatal(err)
	}
	if !in.SenderVerified {
		t.Error("SenderVerified = false with the MX's authserv-id trusted")
	}
	if in.From.Email != "ana@example.com" || in.MessageID != "reply-42@example.com" ||
		in.Text != "Ya está resuelto: reiniciamos la impresora." {
		t.Errorf("unexpected parse: %+v", in)
	}
	// Only the attacker's field carries this id.
	if in, err := ParseWithOptions(raw, Options{TrustedAuthservID: "mx.evil.example"}); err != nil || !in.SenderVerified {
		// It does claim dmarc=pass: trusting the wrong id is the
		// administrator's mistake, and shows that ids are told apart.
		t.Errorf("trusting mx.evil.example: SenderVerified = %v, err %v", in.SenderVerified, err)
	}
	for _, opts := range []Options{{}, {TrustedAuthservID: "mx.other.example"}} {
		in, err := ParseWithOptions(raw, opts)
		if err != nil || in.SenderVerified {
			t.Errorf("%+v: SenderVerified = %v, err %v", opts, in.SenderVerified, err)
		}
	}
	// The same mail forged: the trusted MX found nothing to vouch for.
	forged := strings.Replace(string(raw), "dkim=pass", "dkim=fail", 1)
	forged = strings.Replace(forged, "spf=pass", "spf=fail", 1)
	forged = strings.Replace(forged, "dmarc=pass (p=REJECT", "dmarc=fail (p=REJECT", 1)
	if in, err := ParseWithOptions([]byte(forged), Options{TrustedAuthservID: trustedID}); err != nil || in.SenderVerified {
		t.Errorf("forged: SenderVerified = %v, err %v", in.SenderVerified, err)
	}
}

// FuzzAuthResults checks that junk Authentication-Results values never
// panic and that only a trusted field can verify a sender.
func FuzzAuthResults(f *testing.F) {
	for _, s := range []string{
		"mx.corp.example; dkim=pass (2048-bit key) header.d=example.com header.s=sel; spf=pass (sender IP is 1.2.3.4) smtp.mailfrom=ana@example.com; dmarc=pass (p=REJECT) header.from=example.com",
		"mx.corp.example 1; none",
		`"mx.corp.example" (c (d)); dkim/1=pass reason="x\"y" header.d="example.com"`,
		"mx.corp.example; spf=pass smtp.mailfrom=\"a;b\"@example.com",
		"(", "\"", "\\", ";", "=",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, v string) {
		id, results, ok := parseAuthResults(v)
		if !ok && (id != "" || results != nil) {
			t.Fatalf("results from a malformed value: %q %+v", id, results)
		}
		v = strings.NewReplacer("\r", " ", "\n", " ").Replace(v)
		in, err := ParseWithOptions(arMail("ana@example.com", ar(v)), Options{TrustedAuthservID: trustedID})
		if err != nil || !in.SenderVerified {
			return
		}
		if id, _, ok := parseAuthResults(v); !ok || !strings.EqualFold(id, trustedID) {
			t.Fatalf("verified by an untrusted field: %q", v)
		}
	})
}
