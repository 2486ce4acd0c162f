package tickets

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ticketd/ticketd/tiers"
)

// floodDesk is the fixture's desk with limits and a count of the limit
// hits per name.
func floodDesk(t *testing.T, l Limits) (*fixture, map[string]int) {
	t.Helper()
	hits := map[string]int{}
	f := newFixtureWith(t, []tiers.Tier{
		{Level: 1, Name: "Nivel 1", Agents: []string{"ana@example.com", "luis@example.com"}, FirstResponse: time.Hour, Resolution: 8 * time.Hour},
	}, tiers.Options{}, func(o *Options) {
		o.Limits = l
		o.OnLimit = func(name string) { hits[name]++ }
	})
	return f, hits
}

// An agent's out-of-office on a ticket is recorded (up to the cap), never
// relayed to the requester and never answered; beyond the cap it is
// dropped, and the message still counts as processed.
func TestAutoRepliesOnATicketAreCappedAndNeverRelayed(t *testing.T) {
	f, hits := floodDesk(t, Limits{AutoReplies: 3, Window: time.Hour})
	f.apply(msg("r1@c", "pedro@client.com", "VPN", "No conecta."))
	f.drain()
	for i := range 5 {
		ooo := msg(fmtID("ooo", i), "ana@example.com", "Re: [Soporte #1] VPN",
			"Estoy fuera de la oficina hasta el lunes. Urgencias: +57 300 555 0101.")
		ooo.AutoSubmitted, ooo.Kind = true, KindAutoReply
		r := f.apply(ooo)[0]
		want := OutcomeAppended
		if i >= 3 {
			want = OutcomeIgnored
		}
		if r.Outcome != want || r.Ticket != 1 {
			t.Errorf("auto-reply %d: %+v, want %s on ticket 1", i, r, want)
		}
		if want == OutcomeIgnored && !strings.Contains(r.Reason, "dropped") {
			t.Errorf("auto-reply %d dropped without a reason to log: %+v", i, r)
		}
		f.now = f.now.Add(time.Minute)
	}
	if mails := f.outbox(); len(mails) != 0 {
		t.Fatalf("auto-replies caused %d mails, first %s to %v", len(mails), mails[0].Kind, mails[0].Recipients())
	}
	recorded := 0
	for _, e := range f.events(1) {
		if e.Kind == EventInbound && strings.Contains(e.Text, "+57 300") {
			recorded++
		}
	}
	if recorded != 3 || hits[LimitAutoReplies] != 2 {
		t.Errorf("recorded %d auto-replies, %d limit hits; want 3 and 2", recorded, hits[LimitAutoReplies])
	}
	// The agent really answers afterwards: the requester gets that, and
	// only that.
	f.apply(msg("real@ana", "ana@example.com", "Re: [Soporte #1] VPN", "Reinicie el cliente de VPN, por favor."))
	for _, m := range f.drain() {
		if strings.Contains(m.Text, "+57 300") || strings.Contains(m.HTML, "+57 300") {
			t.Errorf("the agent's out-of-office reached %v in a %s mail", m.Recipients(), m.Kind)
		}
	}
	// A window later, one is recorded again.
	f.now = f.now.Add(time.Hour)
	ooo := msg("ooo-late", "ana@example.com", "Re: [Soporte #1] VPN", "Fuera de la oficina.")
	ooo.AutoSubmitted = true
	if r := f.apply(ooo)[0]; r.Outcome != OutcomeAppended {
		t.Errorf("auto-reply after the window: %+v", r)
	}
}

// 2,000 tickets from one sender would make 2,000 agent notices: only
// Limits.AgentNotices go out per window; the tickets are all created and
// the missing notice is recorded on each.
func TestAgentNoticesPerSenderAreCapped(t *testing.T) {
	f, hits := floodDesk(t, Limits{AgentNotices: 3, Window: time.Hour})
	for i := range 10 {
		f.apply(msg(fmtID("flood", i), "flood@spam.test", fmtID("Asunto", i), "texto"))
	}
	notices := 0
	for _, m := range f.drain() {
		if m.Kind == "agent_new" {
			notices++
		}
	}
	if all, _ := f.store.Tickets(); len(all) != 10 {
		t.Fatalf("%d tickets, want 10", len(all))
	}
	if notices != 3 || hits[LimitAgentNotices] != 7 {
		t.Fatalf("%d agent notices, %d limit hits; want 3 and 7", notices, hits[LimitAgentNotices])
	}
	if !slices.ContainsFunc(f.events(10), func(e Event) bool { return strings.Contains(e.Detail, "agent notice suppressed") }) {
		t.Errorf("ticket 10 does not say its notice was not sent: %+v", f.events(10))
	}
	// Another sender's agents are told as usual.
	f.apply(msg("other@c", "rosa@client.com", "Ayuda", "Hola."))
	if mails := f.drain(); !slices.ContainsFunc(mails, func(m Mail) bool { return m.Kind == "agent_new" }) {
		t.Errorf("another sender's ticket was not notified: %+v", mails)
	}
	// A window later the flooding sender's tickets are notified again.
	f.now = f.now.Add(time.Hour)
	f.apply(msg("flood-late", "flood@spam.test", "Otra", "texto"))
	if mails := f.drain(); !slices.ContainsFunc(mails, func(m Mail) bool { return m.Kind == "agent_new" }) {
		t.Errorf("no notice a window later: %+v", mails)
	}
}

// 200 forged "status" mails in the victim's name make at most
// Limits.StatusReplies replies to the victim.
func TestStatusRepliesPerSenderAreCapped(t *testing.T) {
	f, hits := floodDesk(t, Limits{})
	f.apply(msg("r1@c", "victim@client.com", "VPN", "No conecta."))
	f.drain()
	for i := range 200 {
		r := f.apply(msg(fmtID("forged", i), "Victim@Client.com", "estado", ""))[0]
		if r.Outcome != OutcomeIgnored || r.Ticket != 0 {
			t.Fatalf("status request %d: %+v", i, r)
		}
	}
	replies := 0
	for _, m := range f.drain() {
		if m.Kind == "status_reply" {
			replies++
		}
	}
	if want := DefaultLimits.StatusReplies; replies != want || hits[LimitStatusReplies] != 200-want {
		t.Fatalf("%d status replies, %d limit hits; want %d and %d", replies, hits[LimitStatusReplies], want, 200-want)
	}
	if all, _ := f.store.Tickets(); len(all) != 1 {
		t.Errorf("status requests opened tickets: %d", len(all))
	}
	f.now = f.now.Add(DefaultLimits.Window)
	f.apply(msg("late@c", "victim@client.com", "Status", ""))
	if mails := f.drain(); len(mails) != 1 || mails[0].Kind != "status_reply" {
		t.Errorf("a window later: %+v", mails)
	}
}

// A responder that neither marks its mail nor reads like one says the
// same thing every time: the second identical mail from its sender on a
// ticket is recorded as automatic, not forwarded nor relayed. A short
// "Gracias" twice is a person's.
func TestRepeatedTextIsTakenForAResponder(t *testing.T) {
	f, _ := floodDesk(t, Limits{})
	f.apply(msg("r1@c", "pedro@client.com", "VPN", "No conecta."))
	f.drain()
	const robot = "Thank you for your email. We will get back to you as soon as possible."
	first := f.apply(msg("bot1@c", "pedro@client.com", "Re: [Soporte #1] VPN", robot))[0]
	if mails := f.drain(); first.Outcome != OutcomeAppended || len(mails) != 1 || mails[0].Kind != "agent_update" {
		t.Fatalf("the first such mail is a person's as far as the desk can tell: %+v %+v", first, mails)
	}
	f.now = f.now.Add(time.Minute)
	second := f.apply(msg("bot2@c", "pedro@client.com", "Re: [Soporte #1] VPN", robot))[0]
	if mails := f.drain(); second.Outcome != OutcomeAppended || len(mails) != 0 {
		t.Fatalf("the repeat was forwarded: %+v %+v", second, mails)
	}
	evs := f.events(1)
	if last := evs[len(evs)-1]; last.Kind != EventInbound || !strings.HasPrefix(last.Detail, "automatic mail") {
		t.Errorf("the repeat is not recorded as automatic: %+v", last)
	}
	for i := range 2 {
		f.apply(msg(fmtID("thanks", i), "pedro@client.com", "Re: [Soporte #1] VPN", "Gracias"))
		if mails := f.drain(); len(mails) != 1 {
			t.Errorf("short text %d: %d mails, want the agents told", i, len(mails))
		}
	}
}
