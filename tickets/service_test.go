package tickets

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/ticketd/ticketd/templates"
	"github.com/ticketd/ticketd/tiers"
)

type fixture struct {
	t     testing.TB
	store *Store
	svc   *Service
	now   time.Time
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	return newFixtureWith(t, []tiers.Tier{
		{Level: 1, Name: "Nivel 1", Agents: []string{"ana@example.com", "luis@example.com"}, FirstResponse: time.Hour, Resolution: 8 * time.Hour},
		{Level: 2, Name: "Nivel 2", Agents: []string{"marta@example.com"}, FirstResponse: time.Hour, Resolution: 8 * time.Hour},
	}, tiers.Options{}, nil)
}

// newFixtureWith builds a desk over the given tiers; edit, when not nil,
// changes the Service options.
func newFixtureWith(t testing.TB, ts []tiers.Tier, popts tiers.Options, edit func(*Options)) *fixture {
	t.Helper()
	store, err := Open(t.TempDir(), time.Second)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	policy, err := tiers.NewPolicy(ts, popts)
	if err != nil {
		t.Fatal(err)
	}
	tmpl, err := templates.New("")
	if err != nil {
		t.Fatal(err)
	}
	f := &fixture{t: t, store: store, now: time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)}
	opts := Options{
		Desk: NewAddress("Mesa de ayuda", "Soporte@Example.com"), Tag: "Soporte", Language: "es",
		Policy: policy, Templates: tmpl, Now: func() time.Time { return f.now },
	}
	if edit != nil {
		edit(&opts)
	}
	f.svc, err = NewService(store, opts)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func (f *fixture) apply(msgs ...Inbound) []Result {
	f.t.Helper()
	res, err := f.svc.Apply(context.Background(), msgs)
	if err != nil {
		f.t.Fatal(err)
	}
	if len(res) != len(msgs) {
		f.t.Fatalf("got %d results for %d messages", len(res), len(msgs))
	}
	return res
}

func (f *fixture) ticket(id uint64) Ticket {
	f.t.Helper()
	tk, err := f.store.Ticket(id)
	if err != nil {
		f.t.Fatal(err)
	}
	return tk
}

// reading runs fn with an applier over a read transaction, for the
// applier's own views of a ticket.
func (f *fixture) reading(fn func(a *applier) error) {
	f.t.Helper()
	a := applier{s: f.svc, now: f.now}
	if err := f.store.db.View(func(tx *bolt.Tx) error { a.tx = tx; return fn(&a) }); err != nil {
		f.t.Fatal(err)
	}
}

// history is ticket id's history as a new tier gets it: public (for the
// vendor) or inside the desk.
func (f *fixture) history(id uint64, public bool) string {
	f.t.Helper()
	tk := f.ticket(id)
	var h string
	f.reading(func(a *applier) (err error) {
		h, err = a.history(&tk, public)
		return err
	})
	return h
}

func (f *fixture) outbox() []Mail {
	f.t.Helper()
	m, err := f.store.Outbox()
	if err != nil {
		f.t.Fatal(err)
	}
	return m
}

// drain marks everything queued as delivered and returns it.
func (f *fixture) drain() []Mail {
	f.t.Helper()
	mails := f.outbox()
	for _, m := range mails {
		if err := f.store.MarkDelivered(m.ID, f.now, nil); err != nil {
			f.t.Fatal(err)
		}
	}
	return mails
}

func msg(id, from, subject, text string) Inbound {
	return Inbound{MessageID: id, From: NewAddress("", from), To: []Address{{Email: "soporte@example.com"}},
		Subject: subject, Text: text, ContentHash: "h-" + id}
}

func TestNewTicketAcknowledgesAndNotifiesTier1(t *testing.T) {
	f := newFixture(t)
	f.svc.opts.TrustedAuthResults = true // a verified requester's Cc joins at once
	m := msg("a1@client", "pedro@client.com", "No puedo imprimir", "La impresora no responde.")
	m.From.Name = "Pedro Pérez"
	m.SenderVerified = true
	m.Cc = []Address{{Name: "Jefa", Email: "Jefa@Client.com"}, {Email: "ana@example.com"}}
	res := f.apply(m)
	if res[0].Outcome != OutcomeCreated || res[0].Ticket != 1 {
		t.Fatalf("result %+v, want ticket 1 created", res[0])
	}
	tk := f.ticket(1)
	if tk.Status != StatusNew || tk.Tier != 1 || tk.Requester.Email != "pedro@client.com" || tk.Subject != "No puedo imprimir" {
		t.Fatalf("ticket %+v", tk)
	}
	if len(tk.Participants) != 1 || tk.Participants[0].Email != "jefa@client.com" {
		t.Fatalf("participants %+v: want only the Cc'd colleague (not the agent)", tk.Participants)
	}
	mails := f.outbox()
	if len(mails) != 2 {
		t.Fatalf("queued %d mails, want ack + agent notification", len(mails))
	}
	ack, note := mails[0], mails[1]
	if ack.Kind != "ack" || len(ack.To) != 1 || ack.To[0].Email != "pedro@client.com" || ack.AutoSubmitted != "auto-replied" {
		t.Errorf("ack %+v", ack)
	}
	if !strings.Contains(ack.Subject, "[Soporte #1]") || ack.InReplyTo != "a1@client" {
		t.Errorf("ack subject %q in-reply-to %q", ack.Subject, ack.InReplyTo)
	}
	if note.Kind != "agent_new" || strings.Join(note.Recipients(), ",") != "ana@example.com,luis@example.com" {
		t.Errorf("agent notification to %v", note.Recipients())
	}
	if !strings.Contains(note.Text, "La impresora no responde.") {
		t.Errorf("agent notification lacks the requester's text:\n%s", note.Text)
	}
	if !strings.HasSuffix(ack.MessageID, "@example.com") || ack.MessageID == note.MessageID {
		t.Errorf("message ids %q %q", ack.MessageID, note.MessageID)
	}
}

func TestRedeliveryChangesNothing(t *testing.T) {
	f := newFixture(t)
	m := msg("same@client", "pedro@client.com", "Hola", "texto")
	res := f.apply(m, m) // twice in one batch
	if res[0].Outcome != OutcomeCreated || res[1].Outcome != OutcomeDuplicate || res[1].Ticket != 1 {
		t.Fatalf("results %+v", res)
	}
	res = f.apply(m) // and again later
	if res[0].Outcome != OutcomeDuplicate {
		t.Fatalf("re-delivery: %+v", res[0])
	}
	all, _ := f.store.Tickets()
	events, _ := f.store.Events(1)
	inbound := 0
	for _, e := range events {
		if e.Kind == EventInbound {
			inbound++
		}
	}
	if len(all) != 1 || inbound != 1 || len(f.outbox()) != 2 {
		t.Fatalf("tickets %d, inbound events %d, outbox %d; want 1, 1, 2", len(all), inbound, len(f.outbox()))
	}
}

func TestThreading(t *testing.T) {
	f := newFixture(t)
	f.apply(msg("root@c", "pedro@client.com", "Problema uno", "uno"))
	f.apply(msg("root2@c", "maria@client.com", "Problema dos", "dos"))
	ack1 := f.drain()[0]

	cases := []struct {
		name string
		m    Inbound
		want uint64
	}{
		{"token", msg("t1@c", "maria@client.com", "RE: [Soporte #2] Problema dos", "x"), 2},
		{"token, other spacing and case", msg("t2@c", "pedro@client.com", "Fwd: [soporte#1]", "x"), 1},
		{"in-reply-to our ack", Inbound{MessageID: "t3@c", From: NewAddress("", "pedro@client.com"), Subject: "Re: something", InReplyTo: []string{ack1.MessageID}}, 1},
		{"references a received message", Inbound{MessageID: "t4@c", From: NewAddress("", "maria@client.com"), Subject: "otra", References: []string{"unknown@x", "root2@c"}}, 2},
		{"token of a ticket that does not exist", msg("t5@c", "pedro@client.com", "[Soporte #99] hola", "x"), 3},
		{"nothing matches", msg("t6@c", "pedro@client.com", "Nuevo problema", "x"), 4},
	}
	for _, c := range cases {
		res := f.apply(c.m)
		if res[0].Ticket != c.want {
			t.Errorf("%s: ticket %d (%s), want %d", c.name, res[0].Ticket, res[0].Outcome, c.want)
		}
	}
	if s := f.ticket(3).Subject; s != "hola" {
		t.Errorf("a stale token is stripped from the new ticket's subject: %q", s)
	}
}

func TestAgentReplyIsRelayedFromTheDesk(t *testing.T) {
	f := newFixture(t)
	m := msg("r1@c", "pedro@client.com", "VPN caída", "No conecta la VPN.")
	m.Cc = []Address{{Email: "jefa@client.com"}}
	f.svc.opts.TrustedAuthResults, m.SenderVerified = true, true
	f.apply(m)
	notification := f.drain()[1]

	f.now = f.now.Add(20 * time.Minute)
	reply := Inbound{MessageID: "agent1@example.com", From: NewAddress("Ana Agente", "Ana@Example.com"),
		Subject: "RE: " + notification.Subject, InReplyTo: []string{notification.MessageID},
		Text: "Reinicie el cliente VPN, por favor."}
	res := f.apply(reply)
	if res[0].Ticket != 1 || res[0].Outcome != OutcomeAppended {
		t.Fatalf("agent reply: %+v", res[0])
	}
	tk := f.ticket(1)
	if tk.Status != StatusOpen || tk.Assignee != "ana@example.com" || !tk.FirstResponse.Equal(f.now) {
		t.Fatalf("after agent reply: status %s assignee %q first response %v", tk.Status, tk.Assignee, tk.FirstResponse)
	}
	mails := f.drain()
	if len(mails) != 1 {
		t.Fatalf("queued %d mails, want the relay only", len(mails))
	}
	relay := mails[0]
	if relay.Kind != "reply" || relay.From.Email != "soporte@example.com" || relay.AutoSubmitted != "" {
		t.Errorf("relay %+v", relay)
	}
	if got := strings.Join(relay.Recipients(), ","); got != "pedro@client.com,jefa@client.com" {
		t.Errorf("relay recipients %s", got)
	}
	if relay.InReplyTo != "r1@c" || !strings.Contains(relay.Subject, "[Soporte #1]") {
		t.Errorf("relay threading: in-reply-to %q subject %q", relay.InReplyTo, relay.Subject)
	}
	for _, part := range []string{relay.Subject, relay.Text, relay.HTML, fmt.Sprint(relay.From, relay.ReplyTo)} {
		if strings.Contains(strings.ToLower(part), "ana") {
			t.Errorf("the agent's identity leaks to the requester: %q", part)
		}
	}
	if !strings.Contains(relay.Text, "Reinicie el cliente VPN") {
		t.Errorf("relay lacks the answer:\n%s", relay.Text)
	}

	// A second answer does not move the first-response time.
	f.now = f.now.Add(time.Hour)
	f.apply(Inbound{MessageID: "agent2@example.com", From: NewAddress("", "luis@example.com"), Subject: "Re: [Soporte #1]", Text: "Más info."})
	if tk2 := f.ticket(1); !tk2.FirstResponse.Equal(tk.FirstResponse) || tk2.Assignee != "ana@example.com" {
		t.Errorf("second reply changed first response or assignee: %+v", tk2)
	}

	// The requester answers the relay: it goes to the assignee only.
	f.drain()
	f.apply(Inbound{MessageID: "r2@c", From: NewAddress("", "pedro@client.com"), Subject: "Re: " + relay.Subject,
		InReplyTo: []string{relay.MessageID}, Text: "Sigue sin funcionar."})
	fwd := f.drain()
	if len(fwd) != 1 || fwd[0].Kind != "agent_update" || strings.Join(fwd[0].Recipients(), ",") != "ana@example.com" {
		t.Fatalf("requester follow-up forwarded as %+v", fwd)
	}
	if !strings.Contains(fwd[0].Text, "Sigue sin funcionar.") || fwd[0].InReplyTo != notification.MessageID {
		t.Errorf("forward text/threading: %q in-reply-to %q", fwd[0].Text, fwd[0].InReplyTo)
	}
}

func TestRequesterReplyReopensPendingAndResolved(t *testing.T) {
	f := newFixture(t)
	f.apply(msg("p1@c", "pedro@client.com", "Algo", "uno"))
	for _, st := range []Status{StatusPending, StatusResolved} {
		err := f.store.db.Update(func(tx *bolt.Tx) error {
			tk, _ := getTicket(tx, 1)
			tk.Status = st
			return putTicket(tx, &tk)
		})
		if err != nil {
			t.Fatal(err)
		}
		f.apply(msg("p-"+string(st)+"@c", "pedro@client.com", "Re: [Soporte #1] Algo", "más"))
		if got := f.ticket(1).Status; got != StatusOpen {
			t.Errorf("requester reply on %s ticket: status %s, want open", st, got)
		}
	}
}

func TestClosedTicketStartsANewOne(t *testing.T) {
	f := newFixture(t)
	f.apply(msg("c1@c", "pedro@client.com", "Algo", "uno"))
	f.store.db.Update(func(tx *bolt.Tx) error {
		tk, _ := getTicket(tx, 1)
		tk.Status = StatusClosed
		return putTicket(tx, &tk)
	})
	res := f.apply(msg("c2@c", "pedro@client.com", "Re: [Soporte #1] Algo", "otra vez"))
	if res[0].Outcome != OutcomeCreated || res[0].Ticket != 2 {
		t.Fatalf("mail on a closed ticket: %+v", res[0])
	}
}

func TestOwnAndAutomaticMail(t *testing.T) {
	f := newFixture(t)
	f.apply(msg("o1@c", "pedro@client.com", "Algo", "uno"))
	sent := f.drain()

	res := f.apply(msg("x1@c", "soporte@example.com", "loop", "x"))
	if res[0].Outcome != OutcomeIgnored {
		t.Errorf("mail from the desk itself: %+v", res[0])
	}
	res = f.apply(Inbound{MessageID: sent[0].MessageID, From: NewAddress("", "someone@else"), Subject: "x"})
	if res[0].Outcome != OutcomeIgnored {
		t.Errorf("our own Message-ID coming back: %+v", res[0])
	}
	auto := msg("ooo@c", "vacaciones@client.com", "Respuesta automática: fuera de oficina", "vuelvo el lunes")
	auto.AutoSubmitted = true
	if res = f.apply(auto); res[0].Outcome != OutcomeIgnored {
		t.Errorf("auto-reply without a ticket opened one: %+v", res[0])
	}
	auto.MessageID, auto.Subject = "ooo2@c", "Automatic reply: [Soporte #1] Algo"
	if res = f.apply(auto); res[0].Ticket != 1 || res[0].Outcome != OutcomeAppended {
		t.Errorf("auto-reply on a ticket: %+v", res[0])
	}
	if n := len(f.outbox()); n != 0 {
		t.Errorf("automatic mail caused %d outgoing mails", n)
	}
	if all, _ := f.store.Tickets(); len(all) != 1 {
		t.Errorf("%d tickets, want 1", len(all))
	}
}

func TestOutboxLifecycle(t *testing.T) {
	f := newFixture(t)
	f.apply(msg("q1@c", "pedro@client.com", "Algo", "uno"))
	due, err := f.store.DueMail(f.now, 10)
	if err != nil || len(due) != 2 {
		t.Fatalf("due %d, %v", len(due), err)
	}
	later := f.now.Add(5 * time.Minute)
	if err := f.store.MarkRetry(due[0].ID, later, "451 try later"); err != nil {
		t.Fatal(err)
	}
	if err := f.store.MarkFailed(due[1].ID, f.now, "550 no such user"); err != nil {
		t.Fatal(err)
	}
	if d, _ := f.store.DueMail(f.now, 10); len(d) != 0 {
		t.Fatalf("%d mails due right after a retry was scheduled", len(d))
	}
	next, ok, err := f.store.NextMailDue()
	if err != nil || !ok || !next.Equal(later) {
		t.Fatalf("NextMailDue = %v %v %v, want %v", next, ok, err, later)
	}
	if d, _ := f.store.DueMail(later, 10); len(d) != 1 || d[0].Attempts != 1 || d[0].LastError != "451 try later" {
		t.Fatalf("after the backoff: %+v", d)
	}
	if err := f.store.MarkDelivered(due[0].ID, later, nil); err != nil {
		t.Fatal(err)
	}
	if _, ok, _ := f.store.NextMailDue(); ok {
		t.Fatal("outbox not empty")
	}
	failed, _ := f.store.FailedMail()
	if len(failed) != 1 || failed[0].LastError != "550 no such user" {
		t.Fatalf("failed bucket %+v", failed)
	}
	events, _ := f.store.Events(1)
	var kinds []string
	for _, e := range events {
		kinds = append(kinds, string(e.Kind))
	}
	got := strings.Join(kinds, ",")
	if !strings.Contains(got, "delivery_failed") || !strings.HasSuffix(got, "delivered") {
		t.Errorf("timeline %s lacks the delivery outcomes", got)
	}
	if err := f.store.MarkDelivered(999, later, nil); err == nil {
		t.Error("MarkDelivered of an unknown mail succeeded")
	}
}

func TestStoreLockAndNumbering(t *testing.T) {
	dir := t.TempDir()
	s, err := Open(dir, time.Second)
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	if _, err := Open(dir, 100*time.Millisecond); err == nil || !strings.Contains(err.Error(), "locked") {
		t.Fatalf("second open: %v", err)
	}
	if time.Since(start) > 5*time.Second {
		t.Fatal("second open did not honour its timeout")
	}
	s.Close()

	f := newFixture(t)
	for i := 1; i <= 3; i++ {
		res := f.apply(msg(fmt.Sprintf("n%d@c", i), "p@c.com", "x", "y"))
		if res[0].Ticket != uint64(i) {
			t.Fatalf("ticket %d numbered %d", i, res[0].Ticket)
		}
	}
}

func TestAgentReplyRelaysOnlyNewText(t *testing.T) {
	f := newFixture(t)
	f.apply(msg("s1@c", "pedro@client.com", "Algo", "uno"))
	f.drain()
	agent := func(id, text, full string) Inbound {
		if full == "" {
			full = text
		}
		return Inbound{MessageID: id, From: NewAddress("", "ana@example.com"), Subject: "Re: [Soporte #1] Algo", Text: text, FullText: full}
	}
	// Reply sent without typing anything: the notification must not leak.
	f.apply(agent("e1@example.com", "", "## Responda por encima de esta línea ##\nNuevo ticket 1 de pedro..."))
	// Text that still holds the reply line (an inline answer below it).
	f.apply(agent("e2@example.com", "ok\n## Responda por encima de esta línea ##\nNuevo ticket 1", ""))
	for _, m := range f.drain() {
		if m.Kind != "agent_not_relayed" || strings.Join(m.Recipients(), ",") != "ana@example.com" {
			t.Fatalf("a reply with no new text produced %s to %v", m.Kind, m.Recipients())
		}
		// The agent is told, and gets back what they sent.
		if !strings.Contains(m.Text, "no se envió") || !strings.Contains(m.Text, "Nuevo ticket 1") {
			t.Errorf("notice to the agent:\n%s", m.Text)
		}
	}
	if tk := f.ticket(1); !tk.FirstResponse.IsZero() || tk.Status != StatusNew {
		t.Errorf("an empty reply counted as a first response: %+v", tk)
	}
	// An agent's signature with her address: the address is blanked, and
	// only whole addresses (mariana@example.com is someone else).
	f.apply(agent("e3@example.com", "Listo, ya funciona. Copio a mariana@example.com.\nAna | ANA@example.com | ext. 12", ""))
	mails := f.drain()
	if len(mails) != 1 || strings.Contains(strings.ToLower(mails[0].Text), " ana@example.com") {
		t.Fatalf("relay leaks the agent's address: %+v", mails)
	}
	if !strings.Contains(mails[0].Text, "mariana@example.com") {
		t.Errorf("the scrub mangled another address:\n%s", mails[0].Text)
	}
	if !strings.Contains(mails[0].Text, "Listo, ya funciona.") {
		t.Errorf("relay lost the answer: %q", mails[0].Text)
	}
}

func TestRequesterMailThatIsAllQuoteKeepsItsText(t *testing.T) {
	f := newFixture(t)
	m := msg("fw@c", "pedro@client.com", "Fwd: error del sistema", "")
	m.FullText = "> El sistema dice: error 42"
	f.apply(m)
	mails := f.drain()
	if !strings.Contains(mails[1].Text, "error 42") {
		t.Errorf("agents did not get the forwarded text:\n%s", mails[1].Text)
	}
}

func TestMessageErrorNamesTheMessageAndCommitsNothing(t *testing.T) {
	f := newFixture(t)
	good := msg("good@c", "pedro@client.com", "Algo", "uno")
	bad := msg("", "maria@client.com", "Otro", "dos") // no Message-ID nor hash
	_, err := f.svc.Apply(context.Background(), []Inbound{good, bad})
	var me *MessageError
	if !errors.As(err, &me) || me.Index != 1 {
		t.Fatalf("Apply error %v, want a MessageError for index 1", err)
	}
	if all, _ := f.store.Tickets(); len(all) != 0 {
		t.Fatalf("%d tickets committed from a failed batch", len(all))
	}
	if res := f.apply(good); res[0].Ticket != 1 {
		t.Fatalf("after a rolled-back batch the next ticket is #%d, want #1", res[0].Ticket)
	}
}

func TestLongMessageIDs(t *testing.T) {
	f := newFixture(t)
	long := strings.Repeat("x", 40000) + "@c"
	m := msg(long, "pedro@client.com", "Algo", "uno")
	if res := f.apply(m); res[0].Outcome != OutcomeCreated {
		t.Fatalf("%+v", res[0])
	}
	if res := f.apply(m); res[0].Outcome != OutcomeDuplicate {
		t.Fatalf("re-delivery of a long Message-ID: %+v", res[0])
	}
	reply := Inbound{MessageID: "r@c", From: NewAddress("", "pedro@client.com"), Subject: "otra cosa", References: []string{long}}
	if res := f.apply(reply); res[0].Ticket != 1 {
		t.Fatalf("threading by a long Message-ID: %+v", res[0])
	}
}

func TestTicketAtAnUnconfiguredTierStillReachesAgents(t *testing.T) {
	f := newFixture(t)
	f.apply(msg("u1@c", "pedro@client.com", "Algo", "uno"))
	f.drain()
	f.store.db.Update(func(tx *bolt.Tx) error {
		tk, _ := getTicket(tx, 1)
		tk.Tier = 5 // the configuration lost tiers since
		return putTicket(tx, &tk)
	})
	f.apply(msg("u2@c", "pedro@client.com", "Re: [Soporte #1]", "más"))
	mails := f.drain()
	if len(mails) != 1 || strings.Join(mails[0].Recipients(), ",") != "marta@example.com" {
		t.Fatalf("follow-up on a tier-5 ticket went to %+v, want the highest tier's agents", mails)
	}
}

func TestUnverifiedAgentMailIsNeverRelayed(t *testing.T) {
	f := newFixture(t)
	f.svc.opts.RequireVerifiedAgents = true
	f.apply(msg("v1@c", "pedro@client.com", "Algo", "uno"))
	f.drain()

	forged := msg("forged@evil", "ana@example.com", "Re: [Soporte #1] Algo", "Entre a http://evil.example para restablecer su clave.")
	f.apply(forged)
	mails := f.drain()
	if len(mails) != 1 || mails[0].Kind != "agent_update" || strings.Contains(strings.Join(mails[0].Recipients(), ","), "pedro") {
		t.Fatalf("forged agent mail produced %+v; want only a warning to the agents", mails)
	}
	if !strings.Contains(mails[0].Text, "AVISO") {
		t.Errorf("agents are not warned:\n%s", mails[0].Text)
	}
	if tk := f.ticket(1); tk.Status != StatusNew || tk.Assignee != "" || !tk.FirstResponse.IsZero() {
		t.Errorf("forged agent mail changed the ticket: %+v", tk)
	}

	real := msg("real@example.com", "ana@example.com", "Re: [Soporte #1] Algo", "Ya está resuelto.")
	real.SenderVerified = true
	f.apply(real)
	if mails := f.drain(); len(mails) != 1 || mails[0].Kind != "reply" || mails[0].To[0].Email != "pedro@client.com" {
		t.Fatalf("verified agent reply: %+v", mails)
	}
}
