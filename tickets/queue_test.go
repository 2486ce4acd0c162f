package tickets

import (
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/ticketd/ticketd/templates"
	"github.com/ticketd/ticketd/tiers"
)

// newQueuesFixture is a desk of two queues: the default one (Soporte,
// soporte@example.com and its alias ayuda@example.com, agents ana, luis,
// marta) and Ventas (ventas@ventas.example and comercial@ventas.example,
// in English, agents vera then victor, its own mailbox "Ventas").
func newQueuesFixture(t *testing.T, edit func(*Options)) *fixture {
	t.Helper()
	ventas, err := tiers.NewPolicy([]tiers.Tier{
		{Level: 1, Name: "Sales 1", Agents: []string{"vera@ventas.example"}, FirstResponse: time.Hour, Resolution: 8 * time.Hour},
		{Level: 2, Name: "Sales 2", Agents: []string{"victor@ventas.example"}, FirstResponse: 2 * time.Hour, Resolution: 24 * time.Hour},
	}, tiers.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return newFixtureWith(t, []tiers.Tier{
		{Level: 1, Name: "Nivel 1", Agents: []string{"ana@example.com", "luis@example.com"}, FirstResponse: time.Hour, Resolution: 8 * time.Hour},
		{Level: 2, Name: "Nivel 2", Agents: []string{"marta@example.com"}, FirstResponse: time.Hour, Resolution: 8 * time.Hour},
	}, tiers.Options{}, func(o *Options) {
		o.Aliases = []string{"Ayuda@Example.com"}
		o.Queues = []Queue{{
			Name: "ventas", Desk: NewAddress("Ventas ACME", "ventas@ventas.example"), Aliases: []string{"comercial@ventas.example"},
			Tag: "Ventas", Language: "en", Policy: ventas, Mailbox: "Ventas",
		}}
		if edit != nil {
			edit(o)
		}
	})
}

// mailsOf returns the queued mails of ticket id by template.
func mailsOf(f *fixture, id uint64, kind templates.Name) []Mail {
	var out []Mail
	for _, m := range f.outbox() {
		if m.Ticket == id && m.Kind == kind {
			out = append(out, m)
		}
	}
	return out
}

func TestRouteNewMailToOneQueue(t *testing.T) {
	to := func(list ...string) []Address {
		var out []Address
		for _, e := range list {
			out = append(out, Address{Email: e})
		}
		return out
	}
	for _, tc := range []struct {
		name  string
		edit  func(m *Inbound)
		queue string // Ticket.Queue: "" the default
	}{
		{"its address", func(m *Inbound) { m.To = to("ventas@ventas.example") }, "ventas"},
		{"an alias, any case", func(m *Inbound) { m.To = to("Comercial@Ventas.Example") }, "ventas"},
		{"the default queue's alias", func(m *Inbound) { m.To = to("ayuda@example.com") }, ""},
		{"Cc only", func(m *Inbound) { m.To = to("pedro@client.com"); m.Cc = to("ventas@ventas.example") }, "ventas"},
		{"To before Cc", func(m *Inbound) { m.To = to("soporte@example.com"); m.Cc = to("ventas@ventas.example") }, ""},
		{"first queue address in To", func(m *Inbound) { m.To = to("x@client.com", "ventas@ventas.example", "soporte@example.com") }, "ventas"},
		{"Delivered-To (Bcc)", func(m *Inbound) { m.To = to("list@client.com"); m.DeliveredTo = []string{"ventas@ventas.example"} }, "ventas"},
		{"X-Original-To (rewritten alias)", func(m *Inbound) { m.To = nil; m.XOriginalTo = []string{"comercial@ventas.example"} }, "ventas"},
		{"To before Delivered-To", func(m *Inbound) { m.To = to("soporte@example.com"); m.DeliveredTo = []string{"ventas@ventas.example"} }, ""},
		{"no queue address, the queue's mailbox", func(m *Inbound) { m.To = to("list@client.com"); m.Mailbox = "Ventas" }, "ventas"},
		{"no queue address, the main mailbox", func(m *Inbound) { m.To = to("list@client.com"); m.Mailbox = "INBOX" }, ""},
		{"no queue address at all", func(m *Inbound) { m.To = to("list@client.com") }, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newQueuesFixture(t, nil)
			m := msg("r1@client", "pedro@client.com", "Precios", "¿Cuánto cuesta?")
			tc.edit(&m)
			res := f.apply(m)
			if res[0].Outcome != OutcomeCreated {
				t.Fatalf("outcome %s", res[0].Outcome)
			}
			if got := f.ticket(res[0].Ticket).Queue; got != tc.queue {
				t.Fatalf("queue %q, want %q", got, tc.queue)
			}
		})
	}
}

func TestQueueMailGoesOutFromItsAddressWithItsTag(t *testing.T) {
	f := newQueuesFixture(t, nil)
	m := msg("r1@client", "pedro@client.com", "Precios", "¿Cuánto cuesta?")
	m.To = []Address{{Email: "comercial@ventas.example"}}
	id := f.apply(m)[0].Ticket

	acks := mailsOf(f, id, templates.Ack)
	if len(acks) != 1 {
		t.Fatalf("%d acks", len(acks))
	}
	ack := acks[0]
	if ack.From.Email != "ventas@ventas.example" || ack.From.Name != "Ventas ACME" {
		t.Errorf("ack from %v, want the queue's first address (never the alias)", ack.From)
	}
	if !strings.HasPrefix(ack.Subject, "[Ventas #1] We received your request") {
		t.Errorf("ack subject %q: want the queue's tag, in its language (en)", ack.Subject)
	}
	if !strings.HasSuffix(ack.MessageID, "@ventas.example") {
		t.Errorf("Message-ID %q not under the queue's domain", ack.MessageID)
	}
	notices := mailsOf(f, id, templates.AgentNew)
	if len(notices) != 1 || strings.Join(notices[0].Recipients(), ",") != "vera@ventas.example" {
		t.Fatalf("agent notices %v: want one, to the queue's tier 1 only", notices)
	}
	if !strings.HasPrefix(notices[0].Subject, "[Ventas #1] New:") || notices[0].From.Email != "ventas@ventas.example" {
		t.Errorf("agent notice %q from %s", notices[0].Subject, notices[0].From.Email)
	}

	// The agent's answer is relayed from the queue's address, tag and all.
	f.drain()
	r := msg("v1@ventas", "vera@ventas.example", "Re: "+notices[0].Subject, "It costs 10 euros.")
	r.InReplyTo = []string{notices[0].MessageID}
	f.apply(r)
	replies := mailsOf(f, id, templates.Reply)
	if len(replies) != 1 {
		t.Fatalf("%d replies", len(replies))
	}
	if replies[0].From.Email != "ventas@ventas.example" || !strings.Contains(replies[0].Subject, "[Ventas #1]") ||
		!strings.HasSuffix(replies[0].MessageID, "@ventas.example") {
		t.Errorf("reply from %s, subject %q, id %s", replies[0].From.Email, replies[0].Subject, replies[0].MessageID)
	}

	// The default queue keeps its own identity.
	d := msg("r2@client", "ines@client.com", "Impresora", "No imprime.")
	did := f.apply(d)[0].Ticket
	dack := mailsOf(f, did, templates.Ack)
	if len(dack) != 1 || dack[0].From.Email != "soporte@example.com" || !strings.HasPrefix(dack[0].Subject, "[Soporte #2] Recibimos") {
		t.Fatalf("default queue's ack: %+v", dack)
	}
}

func TestMailToTwoQueuesIsOneTicket(t *testing.T) {
	f := newQueuesFixture(t, nil)
	m := msg("both@client", "pedro@client.com", "Factura y acceso", "Dos cosas.")
	m.To = []Address{{Email: "soporte@example.com"}, {Email: "ventas@ventas.example"}}
	m.Cc = []Address{{Email: "comercial@ventas.example"}, {Email: "ayuda@example.com"}}
	m.Mailbox = "INBOX"
	m.DeliveredTo = []string{"soporte@example.com"}
	// The MTA delivers a copy to each queue's mailbox: same Message-ID,
	// another Delivered-To and mailbox.
	copy2 := m
	copy2.Mailbox, copy2.DeliveredTo, copy2.ContentHash = "Ventas", []string{"ventas@ventas.example"}, "h-copy"
	res := f.apply(m, copy2)
	if res[0].Outcome != OutcomeCreated || res[1].Outcome != OutcomeDuplicate || res[0].Ticket != res[1].Ticket {
		t.Fatalf("results %+v: want one ticket, the copy a duplicate", res)
	}
	if q := f.ticket(res[0].Ticket).Queue; q != "" {
		t.Fatalf("queue %q: the first queue address in To is soporte's", q)
	}
	if n := len(mailsOf(f, res[0].Ticket, templates.Ack)); n != 1 {
		t.Fatalf("%d acks", n)
	}
	for _, n := range mailsOf(f, res[0].Ticket, templates.AgentNew) {
		for _, r := range n.Recipients() {
			if strings.HasSuffix(r, "@ventas.example") {
				t.Fatalf("the other queue's agent %s was notified", r)
			}
		}
	}
	// The copies in the other order still make one ticket (of the queue
	// To names first, whatever mailbox came first).
	g := newQueuesFixture(t, nil)
	res = g.apply(copy2, m)
	if res[0].Outcome != OutcomeCreated || res[1].Outcome != OutcomeDuplicate || g.ticket(res[0].Ticket).Queue != "" {
		t.Fatalf("results %+v, queue %q", res, g.ticket(res[0].Ticket).Queue)
	}
}

func TestQueueThreading(t *testing.T) {
	f := newQueuesFixture(t, nil)
	m := msg("r1@client", "pedro@client.com", "Precios", "¿Cuánto cuesta?")
	m.To = []Address{{Email: "ventas@ventas.example"}}
	id := f.apply(m)[0].Ticket
	ack := mailsOf(f, id, templates.Ack)[0]
	f.drain()

	for i, tc := range []struct {
		name string
		edit func(r *Inbound)
	}{
		{"the queue's token", func(r *Inbound) { r.Subject = "Re: [Ventas #1] Precios" }},
		{"another queue's tag names the same number", func(r *Inbound) { r.Subject = "Re: [soporte#1] Precios" }},
		{"In-Reply-To", func(r *Inbound) { r.Subject = "Re: Precios"; r.InReplyTo = []string{ack.MessageID} }},
		{"the signed reference in the quoted text", func(r *Inbound) { r.Subject = "Re: Precios"; r.FullText = "Gracias\n> " + ack.Text }},
	} {
		r := msg("r-thread-"+tc.name, "pedro@client.com", "", "Gracias")
		r.To = []Address{{Email: "soporte@example.com"}} // threading wins over routing
		tc.edit(&r)
		if i == 3 {
			// Forget the indexed id: only the signature can thread it.
			r.InReplyTo = nil
		}
		res := f.apply(r)
		if res[0].Outcome != OutcomeAppended || res[0].Ticket != id {
			t.Fatalf("%s: %+v", tc.name, res[0])
		}
		if q := f.ticket(id).Queue; q != "ventas" {
			t.Fatalf("%s: the ticket moved to %q", tc.name, q)
		}
	}
	// A signed Message-ID under the queue's domain threads even when the
	// index does not know it (a restored backup).
	f.reading(func(a *applier) error {
		forged, _ := signedMessageID(f.svc.secret, id, 99, "ventas.example")
		if n, ok := a.s.verifyOwnMessageID(forged); !ok || n != id {
			t.Errorf("signed id under the queue's domain: %d %v", n, ok)
		}
		other, _ := signedMessageID(f.svc.secret, id, 99, "elsewhere.example")
		if _, ok := a.s.verifyOwnMessageID(other); ok {
			t.Errorf("an id under a domain of no queue verified")
		}
		return nil
	})
}

func TestAgentsArePerQueue(t *testing.T) {
	f := newQueuesFixture(t, nil)
	m := msg("r1@client", "pedro@client.com", "Precios", "¿Cuánto cuesta?")
	m.To = []Address{{Email: "ventas@ventas.example"}}
	id := f.apply(m)[0].Ticket
	f.drain()

	// ana is an agent of the default queue only: on a Ventas ticket her
	// commands do not run and her words are not relayed.
	a := msg("ana1@example", "ana@example.com", "Re: [Ventas #1] Precios", "#resolve\nYa está.")
	a.To = []Address{{Email: "ventas@ventas.example"}}
	f.apply(a)
	if tk := f.ticket(id); tk.Status != StatusNew || tk.Tier != 1 {
		t.Fatalf("ana's command ran on the other queue's ticket: %s tier %d", tk.Status, tk.Tier)
	}
	if n := len(mailsOf(f, id, templates.Reply)); n != 0 {
		t.Fatalf("ana's words were relayed to the requester (%d replies)", n)
	}
	// vera, the queue's agent, resolves it.
	v := msg("vera1@ventas", "vera@ventas.example", "Re: [Ventas #1] Precios", "#resolve\nDone.")
	f.apply(v)
	if tk := f.ticket(id); tk.Status != StatusResolved {
		t.Fatalf("vera's #resolve: %s", tk.Status)
	}
	// And vera's command on a default-queue ticket is not an agent's.
	d := msg("r2@client", "ines@client.com", "Impresora", "No imprime.")
	did := f.apply(d)[0].Ticket
	f.apply(msg("vera2@ventas", "vera@ventas.example", "Re: [Soporte #2] Impresora", "#close"))
	if tk := f.ticket(did); tk.Status != StatusNew {
		t.Fatalf("vera closed the default queue's ticket: %s", tk.Status)
	}
}

func TestQueueEscalationFollowsItsLadder(t *testing.T) {
	f := newQueuesFixture(t, nil)
	m := msg("r1@client", "pedro@client.com", "Precios", "¿Cuánto cuesta?")
	m.To = []Address{{Email: "ventas@ventas.example"}}
	id := f.apply(m)[0].Ticket
	f.drain()
	f.now = f.now.Add(61 * time.Minute) // past Sales 1's first response target
	rep := f.check()
	tk := f.ticket(id)
	if tk.Tier != 2 {
		t.Fatalf("tier %d", tk.Tier)
	}
	// The metrics name the queue of what escalated and breached.
	if len(rep.EscalatedTo) != 1 || rep.EscalatedTo[0].Queue != "ventas" || len(rep.Breached) == 0 || rep.Breached[0].Queue != "ventas" {
		t.Fatalf("escalations %+v, breaches %+v: want them in queue ventas", rep.EscalatedTo, rep.Breached)
	}
	var toVictor bool
	for _, ml := range f.outbox() {
		for _, r := range ml.Recipients() {
			if r == "marta@example.com" {
				t.Fatalf("the default queue's tier 2 was told of a Ventas ticket")
			}
			toVictor = toVictor || r == "victor@ventas.example"
		}
		if ml.From.Email != "ventas@ventas.example" {
			t.Errorf("%s from %s", ml.Kind, ml.From.Email)
		}
	}
	if !toVictor {
		t.Fatal("Sales 2's agent was not told")
	}
}

// An attacker writes to the public addresses: forged Delivered-To
// headers, every queue address in Cc, a From claiming another queue's
// agent. One ticket, and no agent power anywhere.
func TestQueueRoutingAttacker(t *testing.T) {
	f := newQueuesFixture(t, func(o *Options) { o.RequireVerifiedAgents = true })
	m := msg("evil1@attacker", "mallory@attacker.example", "Hola", "#resolve\n#tier 2")
	m.To = []Address{{Email: "soporte@example.com"}}
	for i := 0; i < 40; i++ {
		m.Cc = append(m.Cc, Address{Email: "ventas@ventas.example"}, Address{Email: "comercial@ventas.example"}, Address{Email: "ayuda@example.com"})
	}
	for i := 0; i < 500; i++ {
		m.DeliveredTo = append(m.DeliveredTo, "ventas@ventas.example")
		m.XOriginalTo = append(m.XOriginalTo, "comercial@ventas.example")
	}
	res := f.apply(m)
	tickets, err := f.store.List(Filter{})
	if err != nil {
		t.Fatal(err)
	}
	if len(tickets) != 1 || res[0].Outcome != OutcomeCreated {
		t.Fatalf("%d tickets (%+v): want one", len(tickets), res)
	}
	tk := tickets[0]
	if tk.Queue != "" || tk.Status != StatusNew || tk.Tier != 1 {
		t.Fatalf("queue %q status %s tier %d", tk.Queue, tk.Status, tk.Tier)
	}
	for _, p := range tk.Participants {
		if f.svc.isQueueAddress(p.Email) {
			t.Fatalf("a queue address %s became a participant", p.Email)
		}
	}
	// A forged From of the Ventas agent, Delivered-To the Ventas queue, on
	// a Ventas ticket: unverified, nothing applied.
	v := msg("r2@client", "pedro@client.com", "Precios", "¿Cuánto?")
	v.To = []Address{{Email: "ventas@ventas.example"}}
	vid := f.apply(v)[0].Ticket
	forged := msg("evil2@attacker", "vera@ventas.example", "Re: [Ventas #2] Precios", "#resolve\nFree for you.")
	forged.DeliveredTo = []string{"ventas@ventas.example"}
	f.apply(forged)
	if tk := f.ticket(vid); tk.Status != StatusNew {
		t.Fatalf("a forged agent mail changed the ticket: %s", tk.Status)
	}
	if n := len(mailsOf(f, vid, templates.Reply)); n != 0 {
		t.Fatalf("a forged agent mail was relayed")
	}
	// Mail From a queue address (a loop, or a forgery) is never applied.
	loop := msg("loop1@x", "comercial@ventas.example", "Re: [Ventas #2] Precios", "loop")
	if r := f.apply(loop)[0]; r.Outcome != OutcomeIgnored {
		t.Fatalf("mail from a queue alias: %+v", r)
	}
}

func TestOldTicketsStayOnTheDefaultQueue(t *testing.T) {
	f := newQueuesFixture(t, nil)
	id := f.apply(msg("r1@client", "pedro@client.com", "Impresora", "No imprime."))[0].Ticket
	tk := f.ticket(id)
	if tk.Queue != "" || f.svc.QueueName(&tk) != "soporte" {
		t.Fatalf("queue %q (%s)", tk.Queue, f.svc.QueueName(&tk))
	}
	// A queue the configuration lost: its tickets still reach the default.
	tk.Queue = "gone"
	if q := f.svc.queueOf(&tk); q != f.svc.defaultQueue() {
		t.Fatalf("a lost queue's ticket went to %s", q.Name)
	}
}

func TestNewQueuesRefusesClashes(t *testing.T) {
	p, _ := tiers.NewPolicy([]tiers.Tier{{Level: 1, Name: "x", Agents: []string{"x@x.example"}, FirstResponse: time.Hour, Resolution: time.Hour}}, tiers.Options{})
	base := Options{Desk: NewAddress("", "soporte@example.com"), Tag: "Soporte", Language: "es", Policy: p}
	for name, qs := range map[string][]Queue{
		"same name":    {{Name: "Soporte", Desk: NewAddress("", "b@example.com"), Tag: "B", Policy: p}},
		"same address": {{Name: "b", Desk: NewAddress("", "SOPORTE@example.com"), Tag: "B", Policy: p}},
		"no policy":    {{Name: "b", Desk: NewAddress("", "b@example.com"), Tag: "B"}},
		"no tag":       {{Name: "b", Desk: NewAddress("", "b@example.com"), Policy: p}},
		"no domain":    {{Name: "b", Desk: NewAddress("", "b"), Tag: "B", Policy: p}},
	} {
		o := base
		o.Queues = qs
		if _, err := newQueues(&o); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	if _, err := newQueues(&base); err != nil {
		t.Fatalf("one queue: %v", err)
	}
}

// The managers' digest shows each queue's backlog and escalations under
// the queue's own tiers, and each ticket under its queue's token.
func TestDigestKnowsTheQueue(t *testing.T) {
	f := newQueuesFixture(t, func(o *Options) { o.Managers = []string{"jefa@example.com"} })
	f.apply(msg("r1@client", "ines@client.com", "Impresora", "No imprime."))
	v := msg("r2@client", "pedro@client.com", "Precios", "¿Cuánto?")
	v.To = []Address{{Email: "ventas@ventas.example"}}
	f.apply(v)
	f.now = f.now.Add(30 * time.Minute)
	f.apply(msg("ana1@example", "ana@example.com", "Re: [Soporte #1] Impresora", "#pending\n¿Qué modelo?"))
	f.now = f.now.Add(31 * time.Minute) // Ventas #2 breaches Sales 1's hour
	f.check()
	f.now = f.now.Add(24 * time.Hour) // the next morning's digest covers the day
	res, err := f.svc.Digest(true)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"soporte · Nivel 1", "ventas · Sales 1", "ventas · Sales 2: 1", "[Ventas #2] Precios"} {
		if !strings.Contains(res.Mail.Text, want) {
			t.Errorf("digest lacks %q:\n%s", want, res.Mail.Text)
		}
	}
	if strings.Contains(res.Mail.Text, "Nivel 2: 1") {
		t.Errorf("the Ventas escalation was counted under the default queue's tier 2:\n%s", res.Mail.Text)
	}
}

// Store counts and listings carry the queue.
func TestStatsAndListKnowTheQueue(t *testing.T) {
	f := newQueuesFixture(t, nil)
	f.apply(msg("r1@client", "ines@client.com", "Impresora", "No imprime."))
	v := msg("r2@client", "pedro@client.com", "Precios", "¿Cuánto?")
	v.To = []Address{{Email: "ventas@ventas.example"}}
	f.apply(v)
	st, err := f.store.Stats()
	if err != nil {
		t.Fatal(err)
	}
	want := []Count{{Queue: "", Status: StatusNew, Tier: 1, Type: tiers.TypeIncident, N: 1}, {Queue: "ventas", Status: StatusNew, Tier: 1, Type: tiers.TypeIncident, N: 1}}
	if fmt.Sprint(st.Counts) != fmt.Sprint(want) {
		t.Fatalf("counts %v, want %v", st.Counts, want)
	}
	ventas, def := "ventas", ""
	for q, id := range map[*string]uint64{&ventas: 2, &def: 1} {
		rows, err := f.store.Summaries(Filter{Queue: q})
		if err != nil || len(rows) != 1 || rows[0].ID != id || rows[0].Queue != *q {
			t.Fatalf("queue %q: %+v %v", *q, rows, err)
		}
	}
	if rows, _ := f.store.Summaries(Filter{}); len(rows) != 2 {
		t.Fatalf("no queue filter: %d rows", len(rows))
	}
}

// A vendor belongs to its queue's ladder: its mail on that queue's ticket
// threads by its own number and goes to that queue's people; on
// another queue's ticket it is anyone else.
func TestVendorIsPerQueue(t *testing.T) {
	f := newQueuesFixture(t, func(o *Options) {
		p, err := tiers.NewPolicy([]tiers.Tier{
			{Level: 1, Name: "Sales 1", Agents: []string{"vera@ventas.example"}, FirstResponse: time.Hour, Resolution: 8 * time.Hour},
			{Level: 2, Name: "Sales 2", Agents: []string{"victor@ventas.example"}, FirstResponse: time.Hour, Resolution: 8 * time.Hour},
			{Level: 3, Name: "ACME", Agents: []string{"help@acme.example"}, FirstResponse: time.Hour, Resolution: 8 * time.Hour,
				Vendor: true, VendorRef: regexp.MustCompile(`\[ACME #(\d+)\]`)},
		}, tiers.Options{})
		if err != nil {
			t.Fatal(err)
		}
		o.Queues[0].Policy = p
	})
	v := msg("r1@client", "pedro@client.com", "Licencias", "No activan.")
	v.To = []Address{{Email: "ventas@ventas.example"}}
	vid := f.apply(v)[0].Ticket
	did := f.apply(msg("r2@client", "ines@client.com", "Impresora", "No imprime."))[0].Ticket
	f.apply(msg("vera1@ventas", "vera@ventas.example", "Re: [Ventas #1] Licencias", "#tier 3"))
	fwd := mailsOf(f, vid, templates.VendorForward)
	if len(fwd) != 1 || fwd[0].From.Email != "ventas@ventas.example" {
		t.Fatalf("vendor forward %+v", fwd)
	}
	f.drain()
	// The vendor answers under our token and its number (recorded), then
	// naming only its own number: both threaded, to the Ventas assignee.
	f.apply(msg("acme1@acme", "help@acme.example", "Re: [Ventas #1] Licencias [ACME #77]", "Recibido."))
	f.apply(msg("acme2@acme", "help@acme.example", "[ACME #77] Licencias", "Reinstalen."))
	upd := mailsOf(f, vid, templates.AgentUpdate)
	if len(upd) != 2 || strings.Join(upd[1].Recipients(), ",") != "vera@ventas.example" || f.ticket(vid).VendorRef != "77" {
		t.Fatalf("vendor mail: updates %d (%v), ref %q", len(upd), upd[len(upd)-1].Recipients(), f.ticket(vid).VendorRef)
	}
	// On the default queue's ticket the vendor is a stranger: a new ticket.
	res := f.apply(msg("acme3@acme", "help@acme.example", "Re: [Soporte #2] Impresora", "¿Qué impresora?"))[0]
	if res.Outcome != OutcomeCreated || res.Ticket == did {
		t.Fatalf("the Ventas vendor on a Soporte ticket: %+v", res)
	}
}
