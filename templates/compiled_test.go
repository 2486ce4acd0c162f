package templates

import (
	"bytes"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

// TestCompiledMatchesTemplate: every template of every language renders
// the same bytes compiled as text/template renders it, with data whose
// strings hold what the escapers replace (and invalid UTF-8, NUL, CR
// LF), with lists empty and full, and with the sample and empty data.
func TestCompiledMatchesTemplate(t *testing.T) {
	s, err := New("")
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(16, 1))
	pieces := []string{"a", "José", " ", "\n", "\r\n", "<", ">", "&", "'", "\"", "+", "\x00", "\xff", "\xe2\x82", "€", "<b>", "&amp;", "{{.}}", "#1", "mailto:x@y"}
	str := func() string {
		var b strings.Builder
		for range rng.IntN(12) {
			b.WriteString(pieces[rng.IntN(len(pieces))])
		}
		return b.String()
	}
	line := func() TicketLine {
		return TicketLine{Ticket: rng.Uint64N(1 << 40), Token: str(), Subject: str(), Status: []string{"new", "open", "pending", "resolved", "closed", str()}[rng.IntN(6)],
			Priority: []string{"low", "normal", "high", "urgent", ""}[rng.IntN(5)], Tier: rng.IntN(4), Age: str()}
	}
	datas := []Data{sampleData, {}}
	for range 60 {
		d := sampleData
		d.Desk, d.Token, d.Ticket, d.Subject = str(), str(), rng.Uint64(), str()
		d.Requester, d.RequesterEmail, d.Author, d.Text = str(), str(), str(), str()
		d.Status, d.Unverified, d.Tier, d.TierName, d.Priority = str(), rng.IntN(2) == 0, rng.IntN(5)-1, str(), str()
		d.Type, d.Category = []string{"", "incident", "request", str()}[rng.IntN(4)], []string{"", str()}[rng.IntN(2)]
		d.FirstResponseTarget, d.ResolutionTarget = []string{"", "30m"}[rng.IntN(2)], str()
		d.Reason, d.History, d.Left, d.FromTierName, d.FromQueue, d.VendorRef = str(), str(), str(), str(), str(), str()
		d.Clock = []string{"first_response", "resolution", str()}[rng.IntN(3)]
		d.DeskAddress, d.Code, d.Rating, d.Incoming = str(), str(), rng.IntN(7)-1, rng.IntN(2) == 0
		d.Problems, d.Articles, d.Addresses, d.Tickets, d.Resolved, d.Linked = nil, nil, nil, nil, nil, nil
		for range rng.IntN(3) {
			d.Problems = append(d.Problems, str())
			d.Addresses = append(d.Addresses, str())
			d.Articles = append(d.Articles, ArticleLine{N: rng.IntN(10), Title: str(), Text: str()})
			d.Tickets = append(d.Tickets, line())
			d.Resolved = append(d.Resolved, line())
			d.Linked = append(d.Linked, line())
		}
		d.Related = line()
		if rng.IntN(4) == 0 {
			d.Digest = nil
		}
		datas = append(datas, d)
	}
	for i, data := range datas {
		for _, lang := range s.Languages() {
			for _, name := range names {
				got, err := s.Render(lang, name, data)
				want, werr := s.renderReference(lang, name, data)
				if (err != nil) != (werr != nil) {
					t.Fatalf("data %d, %s/%s: error %v, text/template %v", i, lang, name, err, werr)
				}
				if got != want {
					t.Fatalf("data %d, %s/%s differs:\n%q\ntext/template:\n%q", i, lang, name, got, want)
				}
			}
		}
	}
}

// TestCompiledTemplates: the templates of the mail pass (a new ticket,
// a follow-up, an answer) run compiled in every language, subject, text
// and HTML, so their speed does not quietly fall back to text/template.
func TestCompiledTemplates(t *testing.T) {
	s, err := New("")
	if err != nil {
		t.Fatal(err)
	}
	progs := func(e *entry) []program {
		return []program{s.textOf(e).fastSubject, s.textOf(e).fastAll, s.htmlOf(e).fastLayout}
	}
	compiled := func(ps []program) bool {
		return !slices.ContainsFunc(ps, func(p program) bool { return p == nil })
	}
	var missing []string
	for _, e := range s.entries {
		if !compiled(progs(e)) {
			missing = append(missing, e.key)
		}
	}
	t.Logf("not compiled (subject, text or HTML): %v", missing)
	for _, lang := range s.Languages() {
		for _, name := range []Name{Ack, AgentNew, AgentUpdate, Reply} {
			ps := progs(s.entries[templateKey{lang, name}])
			if !compiled(ps) {
				t.Errorf("%s/%s is not compiled", lang, name)
				continue
			}
			var b bytes.Buffer
			for _, p := range ps {
				if err := p(&b, &sampleData); err != nil {
					t.Errorf("%s/%s: compiled: %v", lang, name, err)
				}
			}
		}
	}
}
