package mailparse

import (
	"bytes"
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzRepairRaw checks the header repairs on any input: no panic, a
// message that needs no repair is returned as it is (no copy), and a
// repaired one needs no second repair.
func FuzzRepairRaw(f *testing.F) {
	for _, raw := range seedFiles(f) {
		f.Add(raw)
	}
	f.Add([]byte("From x Tue\n From: a@b\nSubject: s\nbody\n"))
	f.Add([]byte("From: a@b\nContent-Type: multipart/mixed\n\n--q\nContent-Type: text/plain;\nname=x\n\nhi\n--q--\n"))
	f.Fuzz(func(t *testing.T, raw []byte) {
		out := repairRaw(raw)
		if !repairPass(raw, nil) && !bytes.Equal(out, raw) {
			t.Fatalf("unneeded repair changed the message")
		}
		if len(out) > 2*len(raw)+64+len(raw)/2 {
			t.Fatalf("repair grew %d bytes to %d", len(raw), len(out))
		}
		if _, err := Parse(raw); err != nil && len(bytes.TrimSpace(raw)) > 0 && !strings.Contains(err.Error(), "malformed") {
			t.Fatalf("error not wrapping ErrMalformed: %v", err)
		}
	})
}

// FuzzHTMLToText checks the HTML renderer with quote containers on any
// input: no panic, valid UTF-8 out of valid UTF-8 in, and quoting never
// deeper than maxQuotePrefix per line.
func FuzzHTMLToText(f *testing.F) {
	f.Add(`<div class="gmail_quote"><blockquote>a<blockquote>b</blockquote></blockquote></div>c`)
	f.Add(`<div id="divRplyFwdMsg"><b>From:</b> x</div><div>old</div></div></div>`)
	f.Add(`<blockquote><pre>line1
line2</pre></blockquote><hr><li>x`)
	f.Fuzz(func(t *testing.T, src string) {
		out := htmlToText(src)
		if utf8.ValidString(src) && !utf8.ValidString(out) {
			t.Fatalf("invalid UTF-8 out: %q", out)
		}
		for _, l := range strings.Split(out, "\n") {
			if strings.HasPrefix(l, strings.Repeat("> ", maxQuotePrefix+1)) && !strings.Contains(src, strings.Repeat("> ", maxQuotePrefix+1)) {
				t.Fatalf("quote prefix deeper than %d: %q", maxQuotePrefix, l)
			}
		}
		VisibleText(normalizeText(out)) // must not panic on rendered HTML
	})
}

// FuzzAutoMailKinds checks the subject and wording classifiers on any
// input: no panic, and an automatic-reply subject stays one behind a
// reply prefix.
func FuzzAutoMailKinds(f *testing.F) {
	f.Add("AUTO: Hans is out of the office")
	f.Add("RE: Out of Office AutoReply: x")
	f.Add("Automatische Antwort: x")
	f.Fuzz(func(t *testing.T, subject string) {
		got := isAutoReplySubject(subject)
		if got && !lotusAuto().MatchString(subject) && !isAutoReplySubject("Re: "+subject) && !awaySubject().MatchString(subject) {
			t.Fatalf("%q is automatic but not behind Re:", subject)
		}
		bounceWording().MatchString(subject)
	})
}
