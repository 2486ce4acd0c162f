package tickets

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/ticketd/ticketd/templates"
)

// outage opens a problem ticket (#1, from the monitoring person) and n
// incidents (#2…#n+1), each from its own requester, and drains the mail.
func outage(t *testing.T, f *fixture, n int) {
	t.Helper()
	f.apply(msg("p@c", "noc@client.com", "Caída del correo", "El servidor de correo no responde."))
	for i := 0; i < n; i++ {
		f.apply(msg(fmt.Sprintf("i%d@c", i), fmt.Sprintf("user%d@client.com", i), "No me llega el correo", "Desde esta mañana."))
	}
	f.drain()
}

// link has an agent link incident to problem.
func link(f *fixture, incident, problem uint64) []Result {
	return f.apply(msg(fmt.Sprintf("link-%d-%d@e", incident, problem), "ana@example.com",
		fmt.Sprintf("Re: [Soporte #%d] x", incident), fmt.Sprintf("#problema %d", problem)))
}

func TestProblemLinkIsShownBothWays(t *testing.T) {
	f := workflowDesk(t, nil)
	outage(t, f, 3)
	for id := uint64(2); id <= 4; id++ {
		link(f, id, 1)
	}
	if m := f.drain(); len(m) != 0 {
		t.Fatalf("linking mailed %v", kinds(m))
	}
	got, err := f.store.Incidents(1)
	if err != nil || !slices.Equal(got, []uint64{2, 3, 4}) {
		t.Fatalf("incidents of #1: %v %v", got, err)
	}
	if p := f.ticket(3).Problem; p != 1 {
		t.Fatalf("#3 problem %d, want 1", p)
	}
	// #unlink (and #problem none) undo it, on both sides.
	f.apply(msg("u1@e", "ana@example.com", "Re: [Soporte #3] x", "#desvincular"))
	f.apply(msg("u2@e", "ana@example.com", "Re: [Soporte #4] x", "#problem none"))
	if got, _ := f.store.Incidents(1); !slices.Equal(got, []uint64{2}) || f.ticket(3).Problem != 0 || f.ticket(4).Problem != 0 {
		t.Fatalf("after unlinking: incidents %v, #3 → %d, #4 → %d", got, f.ticket(3).Problem, f.ticket(4).Problem)
	}
	// Linking to another problem moves the incident.
	f.apply(msg("m1@e", "ana@example.com", "Re: [Soporte #2] x", "#problem [Soporte #4]"))
	if a, b := mustIncidents(t, f, 1), mustIncidents(t, f, 4); len(a) != 0 || !slices.Equal(b, []uint64{2}) {
		t.Fatalf("after moving #2: #1 has %v, #4 has %v", a, b)
	}
}

func mustIncidents(t *testing.T, f *fixture, id uint64) []uint64 {
	t.Helper()
	got, err := f.store.Incidents(id)
	if err != nil {
		t.Fatal(err)
	}
	return got
}

func TestProblemLinkRefusals(t *testing.T) {
	f := workflowDesk(t, nil)
	outage(t, f, 3) // #1 problem, #2-#4
	link(f, 2, 1)   // #2 is an incident of #1
	f.apply(msg("c1@e", "ana@example.com", "Re: [Soporte #4] x", "#cerrar"))
	f.drain()
	cases := []struct {
		on   uint64
		text string
		want string
	}{
		{3, "#problema 3", "no puede ser su propio problema"},
		{3, "#problema 99", "no existe el ticket #99"},
		{3, "#problema", "necesita un número de ticket"},
		{3, "#problema 4", "el ticket #4 está resuelto o cerrado"},
		{3, "#problema 2", "el ticket #2 ya está vinculado al problema #1"},
		{1, "#problema 3", "es un problema con 1 incidencia"},
		{3, "#desvincular", "no está vinculado a ningún problema"},
		{3, "#problema 1\n#fusionar 1", "solo una de #problema, #desvincular o #fusionar"},
		{3, "#prioridad alta\n#problema 77", "no existe el ticket #77"}, // all or nothing
	}
	for i, c := range cases {
		before := f.ticket(c.on)
		beforeIdx := mustIncidents(t, f, 1)
		f.apply(msg(fmt.Sprintf("bad%d@e", i), "ana@example.com", fmt.Sprintf("Re: [Soporte #%d] x", c.on), c.text))
		after := f.ticket(c.on)
		if after.Problem != before.Problem || after.Priority != before.Priority || after.Status != before.Status {
			t.Errorf("%q on #%d changed the ticket: %+v", c.text, c.on, after)
		}
		if idx := mustIncidents(t, f, 1); !slices.Equal(idx, beforeIdx) {
			t.Errorf("%q changed the index: %v → %v", c.text, beforeIdx, idx)
		}
		mails := f.drain()
		if len(mails) != 1 || mails[0].Kind != templates.CommandError || mails[0].To[0].Email != "ana@example.com" ||
			!strings.Contains(mails[0].Text, c.want) {
			t.Errorf("%q: mails %v, want one command error saying %q:\n%v", c.text, kinds(mails), c.want, mails)
		}
	}
	// In the desk's language: English too.
	en := workflowDesk(t, func(o *Options) { o.Language = "en" })
	outage(t, en, 1)
	en.apply(msg("bad-en@e", "ana@example.com", "Re: [Soporte #2] x", "#merge 2\n#problem 1"))
	if m := en.drain(); len(m) != 1 || !strings.Contains(m[0].Text, "cannot be merged into itself") ||
		!strings.Contains(m[0].Text, "one of #problem, #unlink or #merge per mail") || en.ticket(2).Problem != 0 {
		t.Errorf("english refusal: %v", m)
	}
}

func TestLinkedIncidentDoesNotEscalate(t *testing.T) {
	f := workflowDesk(t, nil)
	outage(t, f, 2) // #1 problem, #2 and #3 incidents; 1h first response at tier 1
	link(f, 2, 1)
	f.drain()
	tl := f.events(2)
	if e := tl[len(tl)-2]; e.Kind != EventProblem || !strings.Contains(e.Detail, "paused") {
		t.Fatalf("no timeline note of the pause: %+v", tl)
	}
	// Far past every target: the unlinked ones escalate, the incident not.
	f.now = f.now.Add(3 * time.Hour)
	f.check()
	if tk := f.ticket(2); tk.Tier != 1 || tk.Escalations != 0 || tk.SLA.FirstResponse.Breached {
		t.Fatalf("linked incident escalated: tier %d, %+v", tk.Tier, tk.SLA)
	}
	if f.ticket(3).Tier != 2 || f.ticket(1).Tier != 2 {
		t.Fatalf("unlinked tickets did not escalate: #3 tier %d, #1 tier %d", f.ticket(3).Tier, f.ticket(1).Tier)
	}
	// The requester writes again: still paused while the problem is open.
	f.apply(msg("i0b@c", "user0@client.com", "Re: [Soporte #2] No me llega el correo", "¿Alguna novedad?"))
	f.now = f.now.Add(3 * time.Hour)
	f.check()
	if tk := f.ticket(2); tk.Tier != 1 || tk.SLA.FirstResponse.Running() {
		t.Fatalf("after the requester's mail the clock runs: tier %d, %+v", tk.Tier, tk.SLA.FirstResponse)
	}
	// Unlinked, the clock runs again from where it stopped (nothing used
	// while linked), and the incident escalates when it is due.
	f.apply(msg("u@e", "ana@example.com", "Re: [Soporte #2] x", "#unlink"))
	if tk := f.ticket(2); !tk.SLA.FirstResponse.Running() {
		t.Fatalf("unlinked, the clock is still paused: %+v", tk.SLA.FirstResponse)
	}
	f.now = f.now.Add(2 * time.Hour)
	f.check()
	if tk := f.ticket(2); tk.Tier != 2 {
		t.Fatalf("unlinked incident past its target: tier %d", tk.Tier)
	}
}

func TestIncidentMailIsShownOnTheProblem(t *testing.T) {
	f := workflowDesk(t, nil)
	outage(t, f, 1)
	f.apply(msg("take@e", "luis@example.com", "Re: [Soporte #1] x", "#tomar"))
	link(f, 2, 1)
	f.drain()
	f.apply(msg("i0b@c", "user0@client.com", "Re: [Soporte #2] No me llega el correo", "Ahora tampoco envía."))
	mails := f.drain()
	shown := mailsTo(mails, templates.ProblemIncident, "luis@example.com")
	if len(shown) != 1 || !strings.Contains(shown[0].Text, "Ahora tampoco envía.") || !strings.Contains(shown[0].Text, "[Soporte #2]") ||
		!strings.Contains(shown[0].Subject, "[Soporte #1]") {
		t.Fatalf("the problem's assignee was not shown the incident's mail: %v\n%+v", kinds(mails), shown)
	}
	if th := f.ticket(1).AgentThreadID; th == "" || shown[0].InReplyTo != th {
		t.Errorf("notice not in the problem's agents' thread: in-reply-to %q, thread %q", shown[0].InReplyTo, th)
	}
	found := false
	for _, e := range f.events(1) {
		found = found || e.Kind == EventProblem && strings.Contains(e.Detail, "incident #2") && strings.Contains(e.Text, "tampoco envía")
	}
	if !found {
		t.Errorf("the problem's timeline lacks the incident's mail: %+v", f.events(1))
	}
	// The incident's own agents still get it, as ever.
	if len(mailsTo(mails, templates.AgentUpdate, "ana@example.com")) != 1 {
		t.Errorf("the incident's agents lost its mail: %v", kinds(mails))
	}
}

func TestResolvingTheProblemAnswersEveryIncident(t *testing.T) {
	f := workflowDesk(t, nil)
	f.svc.opts.TrustedAuthResults = true
	outage(t, f, 3) // #2, #3, #4
	// #3 copies a colleague; #4 is answered and resolved on its own.
	cc := msg("i1b@c", "user1@client.com", "Re: [Soporte #3] No me llega el correo", "Copio a mi jefa.")
	cc.Cc, cc.SenderVerified = []Address{{Email: "jefa@client.com"}}, true
	f.apply(cc)
	for id := uint64(2); id <= 4; id++ {
		link(f, id, 1)
	}
	f.apply(msg("r4@e", "ana@example.com", "Re: [Soporte #4] x", "#resolve\nReinicie Outlook."))
	f.drain()
	threads := map[uint64]Ticket{2: f.ticket(2), 3: f.ticket(3)}

	// Without an answer for the incidents: refused, nothing changes.
	f.apply(msg("r0@e", "marta@example.com", "Re: [Soporte #1] x", "#resolve"))
	if f.ticket(1).Status == StatusResolved || f.ticket(2).Status == StatusResolved {
		t.Fatal("#resolve without an answer resolved the problem")
	}
	if m := f.drain(); len(m) != 1 || !strings.Contains(m[0].Text, "2 incidencia(s) abierta(s)") {
		t.Fatalf("refusal: %v", m)
	}

	resolve := msg("r1@e", "marta@example.com", "Re: [Soporte #1] x", "#resolve\nYa funciona: reiniciamos el servidor de correo.")
	f.apply(resolve)
	mails := f.drain()
	for id, before := range threads {
		tk := f.ticket(id)
		if tk.Status != StatusResolved || !tk.CSATAsked || tk.SLA.Resolution.Met.IsZero() {
			t.Errorf("incident #%d: %s, csat %v, resolution %+v", id, tk.Status, tk.CSATAsked, tk.SLA.Resolution)
		}
		rcpt := before.Requester.Email
		ans := mailsTo(mails, templates.ProblemResolved, rcpt)
		if len(ans) != 1 {
			t.Fatalf("incident #%d: %d answers to %s, want 1: %v", id, len(ans), rcpt, kinds(mails))
		}
		a := ans[0]
		if a.Ticket != id || !strings.Contains(a.Subject, fmt.Sprintf("[Soporte #%d]", id)) || !strings.Contains(a.Text, "reiniciamos el servidor de correo") ||
			a.InReplyTo != before.LastPublicMessageID || !slices.Contains(a.References, before.RootMessageID) {
			t.Errorf("incident #%d answer not in its own thread: %+v", id, a)
		}
		if strings.Contains(a.Text, "[Soporte #1]") || strings.Contains(a.Text, "noc@client.com") || strings.Contains(a.Text, "marta@") {
			t.Errorf("incident #%d answer names the problem or an agent:\n%s", id, a.Text)
		}
		csat := mailsTo(mails, templates.CSAT, rcpt)
		if len(csat) != 1 || csat[0].InReplyTo != a.MessageID {
			t.Errorf("incident #%d: csat %+v, want one, after the answer", id, csat)
		}
	}
	if len(mailsTo(mails, templates.ProblemResolved, "jefa@client.com")) != 1 {
		t.Errorf("the incident's participant was not answered: %v", kinds(mails))
	}
	if len(mailsTo(mails, templates.ProblemResolved, "user2@client.com"))+len(mailsTo(mails, templates.CSAT, "user2@client.com")) != 0 {
		t.Errorf("the incident resolved on its own was answered again: %v", kinds(mails))
	}
	if len(mailsTo(mails, templates.Reply, "noc@client.com")) != 1 || len(mailsTo(mails, templates.CSAT, "noc@client.com")) != 1 {
		t.Errorf("the problem's own requester: %v", kinds(mails))
	}
	// The same mail again changes nothing (Message-ID), and so does a
	// second resolution with nothing open.
	f.apply(resolve)
	f.apply(msg("r2@e", "marta@example.com", "Re: [Soporte #1] x", "#cerrar"))
	if m := f.drain(); len(mailsTo(m, templates.ProblemResolved, "user0@client.com")) != 0 {
		t.Errorf("answered twice: %v", kinds(m))
	}
	// The links stay on record.
	if got := mustIncidents(t, f, 1); !slices.Equal(got, []uint64{2, 3, 4}) {
		t.Errorf("incidents after resolution: %v", got)
	}
}

func TestRequesterCannotLinkOrMerge(t *testing.T) {
	f := workflowDesk(t, nil)
	outage(t, f, 1)
	f.apply(msg("x1@c", "user0@client.com", "Re: [Soporte #2] No me llega el correo", "#problema 1\n#fusionar 1\n#resolve"))
	tk := f.ticket(2)
	if tk.Problem != 0 || tk.MergedInto != 0 || tk.Status == StatusClosed || tk.Status == StatusResolved || len(mustIncidents(t, f, 1)) != 0 {
		t.Fatalf("a requester's commands changed the ticket: %+v", tk)
	}
	mails := f.drain()
	for _, m := range mails {
		if m.Kind == templates.CommandError || m.Kind == templates.Merged {
			t.Fatalf("a requester's commands were acted on: %v", kinds(mails))
		}
	}
}

// BenchmarkResolveProblem measures resolving a problem with 200 linked
// incidents: one transaction that resolves and answers all of them.
func BenchmarkResolveProblem(b *testing.B) {
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		f := workflowDesk(b, nil)
		f.apply(msg("p@c", "noc@client.com", "Caída", "No hay correo."))
		var batch []Inbound
		for j := 0; j < 200; j++ {
			batch = append(batch, msg(fmt.Sprintf("i%d@c", j), fmt.Sprintf("u%d@client.com", j), "Sin correo", "No llega."))
		}
		f.apply(batch...)
		batch = batch[:0]
		for j := 0; j < 200; j++ {
			batch = append(batch, msg(fmt.Sprintf("l%d@e", j), "ana@example.com", fmt.Sprintf("Re: [Soporte #%d] x", j+2), "#problema 1"))
		}
		f.apply(batch...)
		f.drain()
		b.StartTimer()
		f.apply(msg("r@e", "ana@example.com", "Re: [Soporte #1] x", "#resolve\nListo."))
		b.StopTimer()
		if n := len(f.outbox()); n != 2+400 {
			b.Fatalf("queued %d mails, want 402", n)
		}
	}
}

func TestProblemResolvedBySilenceReleasesItsIncidents(t *testing.T) {
	f := workflowDesk(t, nil)
	outage(t, f, 1)
	link(f, 2, 1)
	f.apply(msg("pend@e", "ana@example.com", "Re: [Soporte #1] x", "#pendiente\n¿Puede confirmar qué servidor es?"))
	f.drain()
	// The problem's requester stays silent: reminded, then resolved by
	// ticketd. Its incident is not answered with that question; its
	// clocks run again and it escalates when due.
	f.now = f.now.Add(49 * time.Hour)
	f.check()
	f.now = f.now.Add(49 * time.Hour)
	f.check()
	if s := f.ticket(1).Status; s != StatusResolved {
		t.Fatalf("problem not resolved by the lifecycle: %s", s)
	}
	mails := f.drain()
	if len(mailsTo(mails, templates.ProblemResolved, "user0@client.com")) != 0 {
		t.Fatalf("the incident was answered with the problem's question: %v", kinds(mails))
	}
	in := f.ticket(2)
	if in.Status == StatusResolved || !in.SLA.FirstResponse.Running() {
		t.Fatalf("incident after its problem resolved itself: %s, %+v", in.Status, in.SLA.FirstResponse)
	}
	f.now = f.now.Add(2 * time.Hour)
	f.check()
	if tk := f.ticket(2); tk.Tier != 2 {
		t.Fatalf("released incident did not escalate: tier %d", tk.Tier)
	}
}

// TestOlderStoreGetsTheProblemIndex: a database from before problems (no
// problem_incidents bucket) opens with the bucket created and works.
func TestOlderStoreGetsTheProblemIndex(t *testing.T) {
	dir := t.TempDir()
	s, err := Open(dir, time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.db.Update(func(tx *bolt.Tx) error { return tx.DeleteBucket(bucketProblemIncidents) }); err != nil {
		t.Fatal(err)
	}
	s.Close()
	// Read-only (ticketd show without a daemon): no links, no failure.
	ro, err := OpenReadOnly(dir, time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if ids, err := ro.Incidents(1); err != nil || len(ids) != 0 {
		t.Fatalf("incidents on an older store, read-only: %v %v", ids, err)
	}
	ro.Close()
	if s, err = Open(dir, time.Second); err != nil {
		t.Fatalf("reopen an older store: %v", err)
	}
	defer s.Close()
	if ids, err := s.Incidents(1); err != nil || len(ids) != 0 {
		t.Fatalf("incidents on an older store: %v %v", ids, err)
	}
}

func TestProblemClosedAsSpamReleasesItsIncidents(t *testing.T) {
	f := workflowDesk(t, nil)
	outage(t, f, 1)
	link(f, 2, 1)
	f.apply(msg("sp@e", "ana@example.com", "Re: [Soporte #1] x", "#spam"))
	if s := f.ticket(1).Status; s != StatusClosed {
		t.Fatalf("problem after #spam: %s", s)
	}
	if in := f.ticket(2); in.Status == StatusResolved || !in.SLA.FirstResponse.Running() {
		t.Fatalf("incident of a problem closed as spam: %s, %+v", in.Status, in.SLA.FirstResponse)
	}
	if m := f.drain(); len(mailsTo(m, templates.ProblemResolved, "user0@client.com")) != 0 {
		t.Fatalf("answered from a spam problem: %v", kinds(m))
	}
}
