package mailout

import (
	"bytes"
	"errors"
	netmail "net/mail"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-message/mail"

	"github.com/ticketd/ticketd/internal/testkit/smtptest"
	"github.com/ticketd/ticketd/tickets"
)

// The issue's forged From, `"x@evil.test> NOTIFY=SUCCESS,FAILURE
// ORCPT=rfc822;y"@attacker.test`, as the parser stores it (local part
// decoded, lower-cased).
const injection = "x@evil.test> notify=success,failure orcpt=rfc822;y@attacker.test"

func TestEnvelopeAddress(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"jose@example.com", "jose@example.com"},
		{"first.last+tag@sub.example.com", "first.last+tag@sub.example.com"},
		{"!#$%&'*+-/=?^_`{|}~@example.com", "!#$%&'*+-/=?^_`{|}~@example.com"},
		{"a b@example.test", `"a b"@example.test`},
		{`a"b@example.test`, `"a\"b"@example.test`},
		{`a\b@example.test`, `"a\\b"@example.test`},
		{"a@b@example.test", `"a@b"@example.test`},
		{".a@example.test", `".a"@example.test`},
		{"a..b@example.test", `"a..b"@example.test`},
		{"a.@example.test", `"a."@example.test`},
		{"josé@ejemplo.test", "josé@ejemplo.test"},
		{"jose@ñandú.test", "jose@ñandú.test"},
		{"jose@[192.0.2.1]", "jose@[192.0.2.1]"},
		{"jose@localhost", "jose@localhost"},
		{strings.Repeat("a", 64) + "@example.test", strings.Repeat("a", 64) + "@example.test"},
	} {
		got, err := envelopeAddress(tc.in)
		if err != nil || got != tc.want {
			t.Errorf("envelopeAddress(%q) = %q, %v; want %q", tc.in, got, err, tc.want)
		}
	}
	for _, in := range []string{
		injection,
		"x@evil.test>@attacker.test",
		"a<b@example.test",
		"a b>@example.test",
		"bad\r\nrcpt@example.com",
		"bad\nRCPT TO:<victim@example.com>@example.com",
		"nul\x00@example.com",
		"tab\t@example.com",
		"del\x7f@example.com",
		"\xff\xfe@example.com",
		"noat.example.com",
		"@example.com",
		"jose@",
		"jose@example.com.",
		"jose@.example.com",
		"jose@exa mple.com",
		"jose@example.com> NOTIFY=SUCCESS",
		"jose@-example.com",
		"jose@example_corp.com",
		"jose@[192.0.2.1",
		"jose@[IPv6:2001:db8::1]",
		"jose@[2001:db8::1]",
		"jose@[fe80::1%eth0]",
		strings.Repeat("a", 65) + "@example.test",
		strings.Repeat("a b", 22) + "@example.test", // 66 octets once quoted
		"jose@" + strings.Repeat(strings.Repeat("d", 60)+".", 5) + "test", // mailbox > 254
		"jose@" + strings.Repeat("d", 64) + ".test",
	} {
		if got, err := envelopeAddress(in); !errors.Is(err, errAddress) {
			t.Errorf("envelopeAddress(%q) = %q, %v; want it refused", in, got, err)
		}
	}
}

// TestEnvelopeMatchesHeader: the mailbox in the envelope and the one in
// the To header are the same address, and a refused address appears in
// neither.
func TestEnvelopeMatchesHeader(t *testing.T) {
	for _, addr := range []string{"jose@example.com", "a b@example.test", `a"b\c@example.test`, "a@b@example.test", ".a@example.test", "josé@ejemplo.test"} {
		m := testMail()
		m.To = []tickets.Address{tickets.NewAddress("José", addr)}
		m.Cc = []tickets.Address{tickets.NewAddress("", injection)}
		mr, err := mail.CreateReader(bytes.NewReader(compose(t, m)))
		if err != nil {
			t.Fatal(err)
		}
		to, err := mr.Header.AddressList("To")
		if err != nil || len(to) != 1 || to[0].Address != addr {
			t.Errorf("%q: To header parses as %v, %v", addr, to, err)
		}
		if cc := mr.Header.Get("Cc"); cc != "" {
			t.Errorf("%q: the refused address is in the headers: Cc: %s", addr, cc)
		}
		path, err := envelopeAddress(addr)
		if err != nil {
			t.Fatalf("%q: %v", addr, err)
		}
		if back := reparse(t, path); back != addr {
			t.Errorf("%q: envelope <%s> parses back as %q", addr, path, back)
		}
	}
}

// reparse reads an envelope mailbox with an independent parser (net/mail's
// RFC 5322 addr-spec, a superset of RFC 5321's Mailbox for what
// envelopeAddress writes).
func reparse(t testing.TB, path string) string {
	t.Helper()
	a, err := netmail.ParseAddress("<" + path + ">")
	if err != nil {
		t.Fatalf("envelope <%s> does not parse: %v", path, err)
	}
	return a.Address
}

func FuzzEnvelopeAddress(f *testing.F) {
	for _, s := range []string{
		injection,
		`"x@evil.test> NOTIFY=SUCCESS,FAILURE ORCPT=rfc822;y"@attacker.test`,
		"a b@example.test", `"a b"@example.test`, "jose@example.com",
		"bad\r\nrcpt@example.com", "x@y> SIZE=1@z", `a"b\c@d`, "josé@ñandú.test",
		"jose@[IPv6:2001:db8::1]", "a\x00b@c", ".@.", `\"@x`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, addr string) {
		path, err := envelopeAddress(addr)
		if err != nil {
			return
		}
		if strings.ContainsAny(path, "<>\r\n\x00") {
			t.Fatalf("envelope <%s> for %q carries a bracket or a line break", path, addr)
		}
		if len(path) > maxMailbox {
			t.Fatalf("envelope <%s> longer than %d", path, maxMailbox)
		}
		quoted, escaped := false, false
		for _, r := range path {
			switch {
			case escaped:
				escaped = false
			case quoted && r == '\\':
				escaped = true
			case r == '"':
				quoted = !quoted
			case !quoted && (r == ' ' || r < 0x20 || r == 0x7f):
				t.Fatalf("envelope <%s> for %q has %q outside quotes", path, addr, r)
			}
		}
		if quoted {
			t.Fatalf("envelope <%s> leaves a quote open", path)
		}
		if back := reparse(t, path); back != addr {
			t.Fatalf("envelope <%s> for %q parses back as %q", path, addr, back)
		}
	})
}

// TestSenderQuotesAndRefusesAddresses: a quoted local part goes out quoted
// (so the server reads the same mailbox), a forged one never reaches the
// envelope — its refusal is recorded for that recipient only — and the
// server never sees the parameters it tried to inject.
func TestSenderQuotesAndRefusesAddresses(t *testing.T) {
	f := setupSink(t, smtptest.StartWith(t, smtptest.Options{EnableDSN: true}), nil)
	id := f.q.add(f.start, "a b@example.test", injection, "jose@example.com")
	st := f.drain(t)
	wantStats(t, st, "sent=1 retried=0 failed=0 rejected=1")
	if r := st.Rejected[0]; r.Rcpt != injection || !strings.Contains(r.Reason, "refused for smtp") {
		t.Errorf("rejection %+v", r)
	}
	msgs := f.sink.Messages()
	if len(msgs) != 1 {
		t.Fatalf("%d messages, want 1", len(msgs))
	}
	if want := []string{"a b@example.test", "jose@example.com"}; !slices.Equal(msgs[0].To, want) {
		t.Errorf("envelope recipients %q, want %q", msgs[0].To, want)
	}
	for i, o := range msgs[0].RcptOptions {
		if len(o.Notify) > 0 || o.OriginalRecipient != "" {
			t.Errorf("RCPT TO:<%s> carried NOTIFY=%v ORCPT=%q", msgs[0].To[i], o.Notify, o.OriginalRecipient)
		}
	}
	if strings.Contains(string(msgs[0].Data), "evil.test") {
		t.Error("the refused address is in the headers")
	}
	if !f.q.isDelivered(id) {
		t.Error("mail not recorded as delivered to the others")
	}
}

// TestSenderRefusesForgedOnlyRecipient: a mail whose only recipient is
// refused for SMTP fails permanently and nothing is sent.
func TestSenderRefusesForgedOnlyRecipient(t *testing.T) {
	f := setupSink(t, smtptest.StartWith(t, smtptest.Options{EnableDSN: true}), nil)
	id := f.q.add(f.start, injection)
	f.clk.Advance(time.Second)
	wantStats(t, f.drain(t), "sent=0 retried=0 failed=1 rejected=0")
	if reason, _ := f.q.failure(id); !strings.Contains(reason, "refused for smtp") {
		t.Errorf("failure reason %q", reason)
	}
	if n := len(f.sink.Messages()); n != 0 {
		t.Errorf("%d messages sent", n)
	}
}

// TestNonASCIIRecipientWithoutSMTPUTF8: a server without SMTPUTF8 cannot
// take a UTF-8 mailbox; only that recipient is refused (and named), the
// others get the mail; a mail to it alone fails saying why.
func TestNonASCIIRecipientWithoutSMTPUTF8(t *testing.T) {
	f := setup(t, nil) // smtptest does not offer SMTPUTF8
	mixed := f.q.add(f.start.Add(-time.Second), "josé@ejemplo.test", "jose@example.com")
	alone := f.q.add(f.start, "josé@ejemplo.test")
	st := f.drain(t)
	wantStats(t, st, "sent=1 retried=0 failed=1 rejected=1")
	if r := st.Rejected[0]; r.Mail != mixed || r.Rcpt != "josé@ejemplo.test" || !strings.Contains(r.Reason, "SMTPUTF8") {
		t.Errorf("rejection %+v", r)
	}
	if msgs := f.sink.Messages(); len(msgs) != 1 || !slices.Equal(msgs[0].To, []string{"jose@example.com"}) {
		t.Errorf("sent %+v", msgs)
	}
	if reason, _ := f.q.failure(alone); !strings.Contains(reason, "SMTPUTF8") || !strings.Contains(reason, "josé@ejemplo.test") {
		t.Errorf("failure reason %q", reason)
	}
}
