package tickets

import (
	"context"
	"regexp"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/ticketd/ticketd/templates"
	"github.com/ticketd/ticketd/tiers"
)

// threeTiers is nivel 1 → 2 → 3 with round targets, 75% warnings.
func threeTiers(t *testing.T, edit func(*Options)) *fixture {
	t.Helper()
	return newFixtureWith(t, []tiers.Tier{
		{Level: 1, Name: "Nivel 1", Agents: []string{"ana@example.com", "luis@example.com"}, FirstResponse: time.Hour, Resolution: 8 * time.Hour,
			ByPriority: map[tiers.Priority]tiers.Target{tiers.PriorityUrgent: {FirstResponse: 10 * time.Minute}}},
		{Level: 2, Name: "Nivel 2", Agents: []string{"marta@example.com"}, FirstResponse: 2 * time.Hour, Resolution: 24 * time.Hour},
		{Level: 3, Name: "Nivel 3", Agents: []string{"jorge@example.com"}, FirstResponse: 4 * time.Hour, Resolution: 48 * time.Hour},
	}, tiers.Options{WarnAt: 0.75, Keywords: map[tiers.Priority][]string{tiers.PriorityUrgent: {"urgente", "urgent"}}},
		func(o *Options) {
			o.Managers = []string{"jefa@example.com"}
			o.NotifyRequesterOnEscalation = true
			if edit != nil {
				edit(o)
			}
		})
}

// check runs SLA checks until nothing more is due and sums their reports.
func (f *fixture) check() CheckReport {
	f.t.Helper()
	var sum CheckReport
	for {
		rep, err := f.svc.CheckSLA(context.Background())
		if err != nil {
			f.t.Fatal(err)
		}
		sum.Warnings += rep.Warnings
		sum.Breached = append(sum.Breached, rep.Breached...)
		sum.EscalatedTo = append(sum.EscalatedTo, rep.EscalatedTo...)
		sum.Alerts += rep.Alerts
		sum.Reminders += rep.Reminders
		sum.AutoResolved += rep.AutoResolved
		sum.AutoClosed += rep.AutoClosed
		if !rep.More {
			return sum
		}
	}
}

// mailsTo returns the drained mails of kind sent to rcpt.
func mailsTo(mails []Mail, kind templates.Name, rcpt string) []Mail {
	var out []Mail
	for _, m := range mails {
		if m.Kind != kind {
			continue
		}
		for _, r := range m.Recipients() {
			if r == rcpt {
				out = append(out, m)
			}
		}
	}
	return out
}

func TestUnansweredTicketClimbsEveryTierOnce(t *testing.T) {
	f := threeTiers(t, nil)
	start := f.now
	f.apply(msg("r1@client", "pedro@client.com", "No puedo imprimir", "La impresora no responde."))
	f.drain()

	if rep := f.check(); rep.Actions() != 0 {
		t.Fatalf("a fresh ticket is already due: %+v", rep)
	}
	// 45 minutes: 75% of the 1h first-response target. Tier 1 is warned.
	f.now = start.Add(45 * time.Minute)
	if rep := f.check(); rep.Warnings != 1 || rep.Escalations() != 0 {
		t.Fatalf("at 45m: %+v, want one warning", rep)
	}
	warned := f.drain()
	if w := mailsTo(warned, "sla_warning", "ana@example.com"); len(w) != 1 || !strings.Contains(w[0].Subject, "15 min") {
		t.Fatalf("warning mails %+v: want one to tier 1 saying 15m are left", warned)
	}
	f.check() // the same instant again: nothing new
	if again := f.drain(); len(again) != 0 {
		t.Fatalf("a second check at the same time queued %d mails", len(again))
	}

	// 1h: breached → tier 2, with its history, the requester told.
	f.now = start.Add(time.Hour)
	if rep := f.check(); rep.Breaches() != 1 || rep.Escalations() != 1 {
		t.Fatalf("at 1h: %+v, want a breach and an escalation", rep)
	}
	tk := f.ticket(1)
	if tk.Tier != 2 || !tk.TierSince.Equal(f.now) || tk.Escalations != 1 {
		t.Fatalf("after the first breach: tier %d since %s escalations %d", tk.Tier, tk.TierSince, tk.Escalations)
	}
	mails := f.drain()
	esc := mailsTo(mails, "escalated", "marta@example.com")
	if len(esc) != 1 || !strings.Contains(esc[0].Text, "La impresora no responde.") || !strings.Contains(esc[0].Text, "se superó el objetivo de primera respuesta (1 h) en el nivel 1") {
		t.Fatalf("tier 2 notice %+v: want one, with the history and the reason", esc)
	}
	if n := mailsTo(mails, "escalated_requester", "pedro@client.com"); len(n) != 1 || n[0].InReplyTo != "r1@client" {
		t.Fatalf("requester notice %+v: want one, threaded under their mail", n)
	}
	if len(mailsTo(mails, "escalated", "ana@example.com")) != 0 {
		t.Fatal("tier 1 got the escalation meant for tier 2")
	}

	// Tier 2's clock runs from the escalation: 2h more, then tier 3.
	f.now = start.Add(time.Hour + 119*time.Minute)
	if rep := f.check(); rep.Escalations() != 0 {
		t.Fatalf("escalated before tier 2's target: %+v", rep)
	}
	f.now = start.Add(3 * time.Hour)
	if rep := f.check(); rep.Escalations() != 1 {
		t.Fatalf("at 3h: %+v, want escalation to tier 3", rep)
	}
	mails = f.drain()
	if len(mailsTo(mails, "escalated", "jorge@example.com")) != 1 {
		t.Fatalf("tier 3 not notified exactly once: %+v", mails)
	}
	// Tier 3 is the last: its breach alerts the managers, once.
	f.now = start.Add(7 * time.Hour)
	if rep := f.check(); rep.Alerts != 1 || rep.Escalations() != 0 {
		t.Fatalf("at the last tier: %+v, want one alert", rep)
	}
	f.now = start.Add(30 * time.Hour)
	f.check()
	mails = f.drain()
	if a := mailsTo(mails, "sla_alert", "jefa@example.com"); len(a) != 1 {
		t.Fatalf("manager alerts %d, want 1 (first response) — the resolution target is 48h", len(a))
	}
	f.now = start.Add(3*time.Hour + 48*time.Hour)
	f.check()
	if a := mailsTo(f.drain(), "sla_alert", "jefa@example.com"); len(a) != 1 || !strings.Contains(a[0].Text, "objetivo de resolución") || strings.Contains(a[0].Text, "resolution") {
		t.Fatalf("resolution breach at the last tier: %+v", a)
	}
	f.now = f.now.Add(1000 * time.Hour)
	if rep := f.check(); rep.Actions() != 0 {
		t.Fatalf("a ticket whose breaches were all acted on is checked again: %+v", rep)
	}
	var escalations, breaches int
	events, _ := f.store.Events(1)
	for _, e := range events {
		switch e.Kind {
		case EventEscalated:
			escalations++
		case EventSLABreach:
			breaches++
		}
	}
	if escalations != 2 || breaches != 4 {
		t.Fatalf("timeline has %d escalations and %d breaches, want 2 and 4", escalations, breaches)
	}
}

func TestAnsweredAndPendingTicketsDoNotEscalate(t *testing.T) {
	f := threeTiers(t, nil)
	start := f.now
	f.apply(msg("r1@client", "pedro@client.com", "VPN", "No conecta."))
	f.now = start.Add(30 * time.Minute)
	f.apply(msg("a1@example", "ana@example.com", "Re: [Soporte #1] VPN", "#pendiente\n¿Qué error le sale?"))
	tk := f.ticket(1)
	if tk.Status != StatusPending || tk.SLA.FirstResponse.Met.IsZero() || tk.SLA.Resolution.Running() {
		t.Fatalf("after the agent's answer with #pendiente: status %s, first response met %v, resolution running %v",
			tk.Status, tk.SLA.FirstResponse.Met, tk.SLA.Resolution.Running())
	}
	if tk.NextCheck.IsZero() == false {
		t.Fatalf("a pending ticket with its first response met is still filed for %s", tk.NextCheck)
	}
	// Waiting on the requester for three days: no breach.
	f.now = start.Add(72 * time.Hour)
	if rep := f.check(); rep.Actions() != 0 {
		t.Fatalf("pending ticket breached: %+v", rep)
	}
	// The requester answers: the resolution clock resumes with 30m used.
	f.apply(msg("r2@client", "pedro@client.com", "Re: [Soporte #1] VPN", "Error 809."))
	tk = f.ticket(1)
	if tk.Status != StatusOpen || !tk.SLA.Resolution.Running() || tk.SLA.Resolution.Used != 30*time.Minute {
		t.Fatalf("after the requester's answer: status %s, resolution %+v", tk.Status, tk.SLA.Resolution)
	}
	if want := f.now.Add(7*time.Hour + 30*time.Minute); !tk.SLA.Resolution.Due.Equal(want) {
		t.Fatalf("resolution due %s, want %s", tk.SLA.Resolution.Due, want)
	}
	f.apply(msg("a2@example", "ana@example.com", "Re: [Soporte #1] VPN", "#resolve\nReinstale el cliente."))
	if tk := f.ticket(1); tk.Status != StatusResolved || !tk.NextCheck.IsZero() || tk.ResolvedAt.IsZero() {
		t.Fatalf("resolved ticket: status %s next check %s", tk.Status, tk.NextCheck)
	}
	f.now = f.now.Add(100 * time.Hour)
	if rep := f.check(); rep.Actions() != 0 {
		t.Fatalf("resolved ticket checked: %+v", rep)
	}
}

func TestBusinessHoursClock(t *testing.T) {
	bogota, _ := time.LoadLocation("America/Bogota")
	cal, err := tiers.NewCalendar(bogota, map[time.Weekday]string{
		time.Monday: "08:00-18:00", time.Tuesday: "08:00-18:00", time.Wednesday: "08:00-18:00",
		time.Thursday: "08:00-18:00", time.Friday: "08:00-18:00",
	}, []string{"2026-12-07"})
	if err != nil {
		t.Fatal(err)
	}
	f := newFixtureWith(t, []tiers.Tier{
		{Level: 1, Name: "N1", Agents: []string{"ana@example.com"}, FirstResponse: 2 * time.Hour, Resolution: 8 * time.Hour, BusinessHours: true},
		{Level: 2, Name: "N2", Agents: []string{"marta@example.com"}, FirstResponse: 2 * time.Hour, Resolution: 8 * time.Hour},
	}, tiers.Options{Calendar: cal}, nil)
	// Friday 4 December, 17:00: one business hour left that day; Monday 7
	// is a holiday, so the target falls on Tuesday at 09:00.
	f.now = time.Date(2026, 12, 4, 17, 0, 0, 0, bogota)
	f.apply(msg("r1@client", "pedro@client.com", "Correo", "No llega."))
	want := time.Date(2026, 12, 8, 9, 0, 0, 0, bogota)
	if tk := f.ticket(1); !tk.SLA.FirstResponse.Due.Equal(want) || !tk.NextCheck.Equal(want) {
		t.Fatalf("due %s (filed %s), want %s", tk.SLA.FirstResponse.Due.In(bogota), tk.NextCheck.In(bogota), want)
	}
	f.now = want.Add(-time.Minute)
	if rep := f.check(); rep.Escalations() != 0 {
		t.Fatal("escalated before the business-hours target")
	}
	f.now = want
	if rep := f.check(); rep.Escalations() != 1 {
		t.Fatal("not escalated at the business-hours target")
	}
	// Tier 2 runs 24/7: its clock starts now and ignores the calendar.
	if tk := f.ticket(1); !tk.SLA.FirstResponse.Due.Equal(want.Add(2 * time.Hour)) {
		t.Fatalf("tier 2 due %s, want two plain hours later", tk.SLA.FirstResponse.Due)
	}
}

func TestPriorityFromMailAndAgents(t *testing.T) {
	f := threeTiers(t, nil)
	m := msg("r1@client", "pedro@client.com", "URGENTE: no arranca el servidor", "Caído.")
	f.apply(m)
	if tk := f.ticket(1); tk.Priority != tiers.PriorityUrgent || tk.SLA.FirstResponse.Target != 10*time.Minute {
		t.Fatalf("keyword: priority %s target %s, want urgent with the 10m target", tk.Priority, tk.SLA.FirstResponse.Target)
	}
	m2 := msg("r2@client", "eva@client.com", "Pregunta", "Hola")
	m2.Priority = tiers.PriorityHigh // Importance: high
	f.apply(m2)
	if tk := f.ticket(2); tk.Priority != tiers.PriorityHigh {
		t.Fatalf("declared high: priority %s", tk.Priority)
	}
	// An agent lowers #1: the longer target applies to the time used.
	f.now = f.now.Add(5 * time.Minute)
	f.apply(msg("a1@example", "ana@example.com", "Re: [Soporte #1] x", "#prioridad normal"))
	tk := f.ticket(1)
	if tk.Priority != tiers.PriorityNormal || tk.SLA.FirstResponse.Target != time.Hour || !tk.SLA.FirstResponse.Due.Equal(f.now.Add(55*time.Minute)) {
		t.Fatalf("after #prioridad normal: %s, first response %+v", tk.Priority, tk.SLA.FirstResponse)
	}
	if tk.SLA.FirstResponse.Running() == false {
		t.Fatal("a command-only mail counted as the first response")
	}
	if n := len(mailsTo(f.drain(), "reply", "pedro@client.com")); n != 0 {
		t.Fatalf("a command-only mail was relayed %d times", n)
	}
	// A bad priority changes nothing; the agent is told.
	f.apply(msg("a2@example", "ana@example.com", "Re: [Soporte #1] x", "#priority whenever"))
	if f.ticket(1).Priority != tiers.PriorityNormal {
		t.Fatal("a bad #priority changed the priority")
	}
	if e := mailsTo(f.drain(), "command_error", "ana@example.com"); len(e) != 1 || !strings.Contains(e[0].Text, "#priority whenever: necesita una prioridad: baja, normal, alta o urgente") {
		t.Fatalf("command error mails %+v", e)
	}
}

func TestManualEscalation(t *testing.T) {
	f := threeTiers(t, nil)
	f.apply(msg("r1@client", "pedro@client.com", "Impresora", "No imprime."))
	f.apply(msg("a1@example", "ana@example.com", "Re: [Soporte #1] Impresora", "Lo revisamos."))
	f.drain()
	f.apply(msg("a2@example", "ana@example.com", "Re: [Soporte #1] Impresora", "#escalar necesita un técnico en sitio\n\nLe pasamos con un técnico."))
	tk := f.ticket(1)
	if tk.Tier != 2 || tk.Assignee != "" {
		t.Fatalf("after #escalar: tier %d assignee %q", tk.Tier, tk.Assignee)
	}
	if !tk.SLA.FirstResponse.Running() {
		t.Fatal("the escalating agent's reply counted as tier 2's first response")
	}
	mails := f.drain()
	esc := mailsTo(mails, "escalated", "marta@example.com")
	if len(esc) != 1 || !strings.Contains(esc[0].Text, "necesita un técnico en sitio") || !strings.Contains(esc[0].Text, "Lo revisamos.") {
		t.Fatalf("tier 2 mail %+v: want the agent's reason and the history", esc)
	}
	if len(mailsTo(mails, "reply", "pedro@client.com")) != 1 {
		t.Fatal("the text after the command was not relayed")
	}
	for _, m := range mailsTo(mails, "reply", "pedro@client.com") {
		if strings.Contains(m.Text, "#escalar") || strings.Contains(m.Text, "técnico en sitio") {
			t.Fatalf("the command line reached the requester:\n%s", m.Text)
		}
	}
	// At the last tier, #escalate asks the managers.
	f.apply(msg("a3@example", "marta@example.com", "Re: [Soporte #1] Impresora", "#escalate"))
	f.apply(msg("a4@example", "jorge@example.com", "Re: [Soporte #1] Impresora", "#escalate out of ideas"))
	if tk := f.ticket(1); tk.Tier != 3 {
		t.Fatalf("tier %d, want 3", tk.Tier)
	}
	if a := mailsTo(f.drain(), "escalation_request", "jefa@example.com"); len(a) != 1 || !strings.Contains(a[0].Text, "out of ideas") || !strings.Contains(a[0].Text, "jorge@example.com") {
		t.Fatalf("managers' alert %+v", a)
	}
}

func TestVendorTier(t *testing.T) {
	f := newFixtureWith(t, []tiers.Tier{
		{Level: 1, Name: "Nivel 1", Agents: []string{"ana@example.com"}, FirstResponse: time.Hour, Resolution: 8 * time.Hour},
		{Level: 2, Name: "ACME", Agents: []string{"soporte@acme.com"}, FirstResponse: 4 * time.Hour, Resolution: 48 * time.Hour,
			Vendor: true, VendorRef: regexp.MustCompile(`\[ACME #(\d+)\]`)},
	}, tiers.Options{}, nil)
	f.apply(msg("r1@client", "pedro@client.com", "Licencia caducada", "El programa dice licencia caducada."))
	f.apply(msg("a1@example", "ana@example.com", "Re: [Soporte #1] Licencia", "Hola Pedro, lo consultamos con el fabricante.\n-- \nAna <ana@example.com>"))
	f.drain()
	f.apply(msg("a2@example", "ana@example.com", "Re: [Soporte #1] Licencia", "#escalate licencia corporativa caducada"))
	mails := f.drain()
	fwd := mailsTo(mails, "vendor_forward", "soporte@acme.com")
	if len(fwd) != 1 {
		t.Fatalf("vendor forwards: %+v", mails)
	}
	v := fwd[0]
	if v.AutoSubmitted != "" || v.ReplyTo == nil || v.ReplyTo.Email != "soporte@example.com" || !strings.Contains(v.Subject, "[Soporte #1]") {
		t.Fatalf("forward headers: auto %q reply-to %+v subject %q", v.AutoSubmitted, v.ReplyTo, v.Subject)
	}
	if !strings.Contains(v.Text, "licencia caducada") || !strings.Contains(v.Text, "lo consultamos con el fabricante") {
		t.Fatalf("forward lacks the history:\n%s", v.Text)
	}
	if strings.Contains(v.Text, "ana@example.com") || strings.Contains(v.HTML, "ana@example.com") {
		t.Fatalf("the agent's address reached the vendor:\n%s", v.Text)
	}
	if len(mailsTo(mails, "escalated", "ana@example.com")) != 1 || len(mailsTo(mails, "escalation_notice", "ana@example.com")) != 0 {
		t.Fatalf("the desk's agent keeps the ticket and is told it went to the vendor: %+v", mails)
	}
	if tk := f.ticket(1); tk.Assignee != "ana@example.com" {
		t.Fatalf("assignee %q after escalation to the vendor, want the desk's agent", tk.Assignee)
	}
	// Ana answers the requester meanwhile: the vendor's clock keeps running.
	f.apply(msg("a3@example", "ana@example.com", "Re: [Soporte #1] Licencia", "Seguimos esperando al fabricante."))
	if tk := f.ticket(1); !tk.SLA.FirstResponse.Running() {
		t.Fatal("an agent's reply stopped the vendor's first-response clock")
	}
	f.drain()
	// Their help desk acknowledges with its own number (automatic mail).
	ack := msg("acme1@acme", "soporte@acme.com", "[ACME #77] Re: [Soporte #1] Licencia caducada", "Ticket received.")
	ack.AutoSubmitted = true
	ack.InReplyTo = []string{v.MessageID}
	f.apply(ack)
	if tk := f.ticket(1); tk.VendorRef != "77" {
		t.Fatalf("vendor ref %q, want 77", tk.VendorRef)
	}
	if mails := f.drain(); len(mails) != 0 {
		t.Fatalf("the vendor's automatic acknowledgement was answered: %+v", mails)
	}
	// Later they answer with only their own number in the subject.
	f.now = f.now.Add(time.Hour)
	f.apply(msg("acme2@acme", "soporte@acme.com", "[ACME #77] Solución", "Renueve la licencia con el código X."))
	tk := f.ticket(1)
	if tk.SLA.FirstResponse.Met.IsZero() {
		t.Fatal("the vendor's answer did not count as the vendor tier's first response")
	}
	mails = f.drain()
	if len(mailsTo(mails, "agent_update", "ana@example.com")) != 1 {
		t.Fatalf("the desk's agent did not get the vendor's answer: %+v", mails)
	}
	if len(mailsTo(mails, "reply", "pedro@client.com")) != 0 {
		t.Fatal("the vendor's answer was relayed straight to the requester")
	}
	if n, _ := f.store.Tickets(); len(n) != 1 {
		t.Fatalf("%d tickets: the vendor's mail opened a new one", len(n))
	}
}

func TestDigest(t *testing.T) {
	f := threeTiers(t, nil)
	start := f.now // Monday 2026-03-02 09:00 UTC, the desk's zone
	day := func(n int, h time.Duration) time.Time { return start.Truncate(24*time.Hour).AddDate(0, 0, n).Add(h) }
	empty, err := f.svc.Digest(true)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(empty.Mail.Text, "Nada que informar") || strings.Count(strings.TrimSpace(empty.Mail.Text), "\n") != 0 {
		t.Fatalf("empty digest is not one line:\n%s", empty.Mail.Text)
	}
	f.apply(msg("r1@client", "pedro@client.com", "Impresora", "No imprime."))
	f.apply(msg("r2@client", "eva@client.com", "Correo", "No llega."))
	f.now = start.Add(20 * time.Minute)
	f.apply(msg("a1@example", "ana@example.com", "Re: [Soporte #2] Correo", "#resolve\nYa llega."))
	f.now = start.Add(time.Hour)
	f.check() // #1 escalates to tier 2
	// The next morning's digest covers the day before, whole.
	f.now = day(1, 8*time.Hour)
	res, err := f.svc.Digest(false)
	if err != nil || !res.Queued {
		t.Fatalf("digest: %v queued %v", err, res.Queued)
	}
	text := res.Mail.Text
	for _, want := range []string{"del 2026-03-02\n", "Nuevos:              2", "Resueltos:           1", "Escalados:           1", "Incumplimientos SLA: 1",
		"Mediana de primera respuesta: 20 min", "[Soporte #1] Impresora", "Nivel 2: 1"} {
		if !strings.Contains(text, want) {
			t.Errorf("digest lacks %q:\n%s", want, text)
		}
	}
	if !strings.Contains(text, "█") || !strings.Contains(res.Mail.HTML, "background-color:#0072b2") {
		t.Error("digest has no backlog chart")
	}
	mails := f.drain()
	if d := mailsTo(mails, "digest", "jefa@example.com"); len(d) != 1 || d[0].AutoSubmitted != "auto-generated" {
		t.Fatalf("digest mail: %+v", d)
	}
	// The same day again: sent already.
	f.now = day(1, 17*time.Hour)
	if again, err := f.svc.Digest(false); err != nil || again.Queued || !again.AlreadySent {
		t.Fatalf("second digest the same day: %v, queued %v", err, again.Queued)
	}
	// The next digest starts where this one ended, and counts nothing twice.
	f.now = day(2, 8*time.Hour)
	next, _ := f.svc.Digest(true)
	if !next.Since.Equal(day(1, 0)) || strings.Contains(next.Mail.Text, "Nuevos:              2") || strings.Contains(next.Mail.Text, "Escalados:           1") {
		t.Fatalf("second digest since %s:\n%s", next.Since, next.Mail.Text)
	}
	// A ticket whose last mail is older than the period still counts
	// when it escalates in it. Without a digest on day 2, day 3's covers
	// days 1 and 2.
	f.now = day(2, 10*time.Hour) // #1 at tier 2 since day 0: its 2h target passed
	if rep := f.check(); rep.Escalations() != 1 {
		t.Fatalf("check on day 2: %+v", rep)
	}
	f.now = day(3, 8*time.Hour)
	late, _ := f.svc.Digest(true)
	if !late.Since.Equal(day(1, 0)) || !strings.Contains(late.Mail.Text, "Escalados:           1") || !strings.Contains(late.Mail.Text, "Nivel 3: 1") {
		t.Fatalf("digest after a later escalation, since %s:\n%s", late.Since, late.Mail.Text)
	}
}

// A database written before SLA clocks existed gets them on start: open
// tickets are filed and escalate like new ones.
func TestSLABackfill(t *testing.T) {
	f := threeTiers(t, nil)
	f.apply(msg("r1@client", "pedro@client.com", "Impresora", "No imprime."))
	tk := f.ticket(1)
	tk.SLA, tk.TierSince, tk.NextCheck = SLA{}, time.Time{}, time.Time{}
	err := f.store.db.Update(func(tx *bolt.Tx) error {
		if err := putTicket(tx, &tk); err != nil {
			return err
		}
		return tx.Bucket(bucketMeta).Put(keySLABackfill, []byte{1}) // as Open leaves it after upgrading schema 1
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := f.svc.backfillSLA(); err != nil {
		t.Fatal(err)
	}
	if tk := f.ticket(1); tk.NextCheck.IsZero() || !tk.SLA.FirstResponse.Running() {
		t.Fatalf("not backfilled: %+v", tk.SLA)
	}
}
