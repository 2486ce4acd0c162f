package tickets

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ticketd/ticketd/tiers"
)

// TestForgedBounceCannotSilenceTheDesk: a report counts only for the
// recipients of the mail whose headers it returns; the desk's own people
// are never marked undeliverable, the admins are told instead (issue 10,
// item 2).
func TestForgedBounceCannotSilenceTheDesk(t *testing.T) {
	f := newFixtureWith(t, []tiers.Tier{
		{Level: 1, Name: "Nivel 1", Agents: []string{"ana@example.com", "luis@example.com"}, FirstResponse: time.Hour, Resolution: 8 * time.Hour},
	}, tiers.Options{}, func(o *Options) {
		o.Admins = []string{"admin@example.com"}
		o.Managers = []string{"jefa@example.com"}
	})
	f.apply(msg("r1@client", "pedro@client.com", "Impresora", "No imprime."))
	mails := f.drain()
	ack := mailsTo(mails, "ack", "pedro@client.com")[0]
	notice := mailsTo(mails, "agent_new", "ana@example.com")[0]
	everyone := []BouncedRecipient{
		{Email: "ana@example.com", Action: "failed", Status: "5.1.1"},
		{Email: "luis@example.com", Action: "failed", Status: "5.1.1"},
		{Email: "jefa@example.com", Action: "failed", Status: "5.1.1"},
		{Email: "pedro@client.com", Action: "failed", Status: "5.1.1"},
	}
	undeliverable := func() []string {
		u, err := f.store.Undeliverables()
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, x := range u {
			out = append(out, x.Email)
		}
		return out
	}

	// Our Message-ID only in the report's text: it proves nothing.
	loose := bounceOf("forged1@evil", ack.MessageID, everyone...)
	loose.Bounce.Returned = false
	f.apply(loose)
	if u := undeliverable(); len(u) != 0 {
		t.Fatalf("a report naming our mail only in its text marked %v", u)
	}
	if got := kinds(f.drain()); len(got) != 0 {
		t.Fatalf("a report naming our mail only in its text caused %v", got)
	}

	// The acknowledgement's headers returned, but it went to Pedro only:
	// agents and managers named in it are ignored.
	f.apply(bounceOf("forged2@evil", ack.MessageID, everyone[:3]...))
	if u := undeliverable(); len(u) != 0 {
		t.Fatalf("a report on the ack marked %v, who were not its recipients", u)
	}
	f.drain()

	// A report on the agents' own notice: they are not marked, the
	// admins are told.
	f.apply(bounceOf("real@mx", notice.MessageID, everyone[:2]...))
	if u := undeliverable(); len(u) != 0 {
		t.Fatalf("agents marked undeliverable: %v", u)
	}
	alerts := mailsTo(f.drain(), "admin_bounce", "admin@example.com")
	if len(alerts) != 1 || !strings.Contains(alerts[0].Text, "ana@example.com") || !strings.Contains(alerts[0].Text, "luis@example.com") {
		t.Fatalf("admins not told about the agents' bounce: %+v", alerts)
	}

	// The desk still mails its agents.
	f.apply(msg("r2@client", "rosa@client.com", "Otra", "Tampoco imprime."))
	if n := mailsTo(f.drain(), "agent_new", "ana@example.com"); len(n) != 1 || !slices.Contains(n[0].Recipients(), "luis@example.com") {
		t.Fatalf("after the bounces the agents got %+v", n)
	}
	// A real report on Pedro's ack still marks Pedro.
	f.apply(bounceOf("real2@mx", ack.MessageID, everyone[3]))
	if u := undeliverable(); !slices.Equal(u, []string{"pedro@client.com"}) {
		t.Fatalf("undeliverable %v, want the requester", u)
	}
}
