package tickets

import (
	"fmt"
	"slices"
	"strings"
	"testing"
)

// floodCc is a requester's mail copying n people.
func floodCc(id string, n int) Inbound {
	m := domainPass(msg(id, "pedro@client.com", "Re: [Soporte #1] Clave", "Copio a todos."))
	for i := range n {
		m.Cc = append(m.Cc, Address{Email: fmt.Sprintf("p%d@evil.test", i)})
	}
	return m
}

// TestParticipantsCap: a ticket copies at most Limits.Participants people;
// the rest are dropped, recorded and reported (issue 10, item 6).
func TestParticipantsCap(t *testing.T) {
	var hits []string
	f := newFixture(t)
	f.svc.opts.TrustedAuthResults = true
	f.svc.opts.OnLimit = func(l string) { hits = append(hits, l) }
	f.apply(domainPass(msg("r1@client", "pedro@client.com", "Clave", "No entro.")))
	f.drain()
	f.apply(floodCc("flood@client", 40000))
	tk := f.ticket(1)
	if len(tk.Participants) != DefaultLimits.Participants {
		t.Fatalf("%d participants, want the cap %d", len(tk.Participants), DefaultLimits.Participants)
	}
	if !slices.Equal(hits, []string{LimitParticipants}) {
		t.Fatalf("limit hits %v, want one %q", hits, LimitParticipants)
	}
	if !slices.ContainsFunc(f.events(1), func(e Event) bool {
		return e.Kind == EventParticipants && strings.Contains(e.Detail, "39980 not added")
	}) {
		t.Fatal("the dropped addresses are not recorded on the ticket")
	}
	f.drain()
	if got := replyRecipients(t, f, "a1"); len(got) != 1+DefaultLimits.Participants || got[0] != "pedro@client.com" {
		t.Fatalf("the next answer goes to %d recipients, want the requester and %d", len(got), DefaultLimits.Participants)
	}
	// Full: an agent's #cc is refused, a removal makes room.
	cc := func(id, text string) []Mail {
		a := msg(id, "ana@example.com", "Re: [Soporte #1] Clave", text)
		a.SenderVerified = true
		f.apply(a)
		return f.drain()
	}
	if mails := cc("c1", "#cc otro@client.com\nHola."); len(mails) != 1 || mails[0].Kind != "command_error" {
		t.Fatalf("#cc on a full ticket: %+v", kinds(mails))
	}
	if mails := cc("c2", "#uncc p0@evil.test\n#cc otro@client.com\nHola."); len(mails) != 1 || !slices.Contains(mails[0].Recipients(), "otro@client.com") {
		t.Fatalf("#uncc then #cc: %+v", kinds(mails))
	}
}

// TestParticipantsCapPending: without Authentication-Results, the people
// waiting for confirmation count toward the cap too.
func TestParticipantsCapPending(t *testing.T) {
	f := newFixture(t)
	f.apply(msg("r1@client", "pedro@client.com", "Clave", "No entro."))
	f.drain()
	f.apply(floodCc("flood@client", 40000))
	asks := mailsTo(f.drain(), "participant_confirm", "pedro@client.com")
	if tk := f.ticket(1); len(tk.Pending) != DefaultLimits.Participants || len(asks) != 1 {
		t.Fatalf("%d pending, %d confirmations", len(tk.Pending), len(asks))
	}
	if n := strings.Count(asks[0].Text, "@evil.test"); n != DefaultLimits.Participants {
		t.Fatalf("the confirmation lists %d addresses", n)
	}
	// A full waiting list (forged mail can fill it) does not stop an
	// agent's #cc.
	a := msg("c1", "ana@example.com", "Re: [Soporte #1] Clave", "#cc jefa@client.com\nHola.")
	f.apply(a)
	if mails := f.drain(); len(mails) != 1 || !slices.Equal(mails[0].Recipients(), []string{"pedro@client.com", "jefa@client.com"}) {
		t.Fatalf("#cc with a full waiting list: %v", kinds(mails))
	}
}
