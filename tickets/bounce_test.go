package tickets

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ticketd/ticketd/tiers"
)

func (f *fixture) events(id uint64) []Event {
	f.t.Helper()
	evs, err := f.store.Events(id)
	if err != nil {
		f.t.Fatal(err)
	}
	return evs
}

func bounceOf(id, origID string, rcpts ...BouncedRecipient) Inbound {
	m := msg(id, "mailer-daemon@mx.client.com", "Undelivered Mail Returned to Sender", "This is the mail system.")
	m.Kind, m.AutoSubmitted = KindBounce, true
	m.Bounce = &Bounce{OriginalMessageID: origID, Returned: true, Recipients: rcpts}
	return m
}

func kinds(mails []Mail) []string {
	var out []string
	for _, m := range mails {
		out = append(out, string(m.Kind)+":"+strings.Join(m.Recipients(), ","))
	}
	return out
}

func TestBounceLandsOnItsTicketAndStopsMail(t *testing.T) {
	f := newFixture(t)
	f.apply(msg("a1@client", "pedro@client.com", "No puedo imprimir", "La impresora no responde."))
	f.apply(msg("other@client", "rosa@client.com", "Otra cosa", "Otro problema."))
	var ack Mail
	for _, m := range f.drain() {
		if m.Kind == "ack" && m.Ticket == 1 {
			ack = m
		}
	}
	hard := BouncedRecipient{Email: "pedro@client.com", Action: "failed", Status: "5.1.1", Diagnostic: "550 5.1.1 user unknown"}
	res := f.apply(bounceOf("b1@mx", ack.MessageID, hard))
	if res[0].Ticket != 1 || res[0].Outcome != OutcomeAppended {
		t.Fatalf("bounce result %+v, want appended to ticket 1", res[0])
	}
	if tk := f.ticket(1); tk.Status != StatusNew {
		t.Errorf("a bounce changed the status to %s", tk.Status)
	}
	var failed []Event
	for _, e := range f.events(1) {
		if e.Kind == EventDeliveryFailed {
			failed = append(failed, e)
		}
	}
	if len(failed) != 1 || failed[0].MessageID != ack.MessageID || !slices.Equal(failed[0].Recipients, []string{"pedro@client.com"}) ||
		!strings.Contains(failed[0].Detail, "5.1.1") {
		t.Fatalf("delivery failures on ticket 1: %+v", failed)
	}
	mails := f.drain()
	if got := kinds(mails); !slices.Equal(got, []string{"agent_bounce:ana@example.com,luis@example.com"}) {
		t.Fatalf("after the bounce queued %v, want one notice to the tier's agents", got)
	}
	if !strings.Contains(mails[0].Text, "pedro@client.com: 5.1.1 550 5.1.1 user unknown") || mails[0].InReplyTo == "" {
		t.Errorf("bounce notice lacks the failure or its thread:\n%s", mails[0].Text)
	}
	u, err := f.store.Undeliverables()
	if err != nil || len(u) != 1 || u[0].Email != "pedro@client.com" || u[0].Ticket != 1 {
		t.Fatalf("undeliverable %+v, %v", u, err)
	}

	// The agent's answer is not mailed to the dead address, and that is
	// recorded on the ticket.
	agentMail := msg("ana1@example", "ana@example.com", "RE: [Soporte #1] No puedo imprimir", "Ya está arreglado.")
	f.apply(agentMail)
	if got := kinds(f.drain()); len(got) != 0 {
		t.Fatalf("mail to an undeliverable address was queued: %v", got)
	}
	evs := f.events(1)
	if last := evs[len(evs)-1]; last.Kind != EventDeliveryFailed || !strings.Contains(last.Detail, "reply not sent") {
		t.Fatalf("last event %+v, want the unsent reply recorded", last)
	}

	// A bounce of the bounce notice to agents tells nobody: no loop.
	notice := mails[0]
	f.apply(bounceOf("b2@mx", notice.MessageID, BouncedRecipient{Email: "luis@example.com", Action: "failed", Status: "5.2.1"}))
	if got := kinds(f.drain()); len(got) != 0 {
		t.Fatalf("a bounced bounce notice caused %v", got)
	}

	// Pedro writes again: the address is deliverable again.
	f.apply(msg("a2@client", "pedro@client.com", "Re: [Soporte #1] No puedo imprimir", "Sigo sin poder."))
	f.drain()
	f.apply(msg("ana2@example", "ana@example.com", "RE: [Soporte #1] No puedo imprimir", "Vamos para allá."))
	if got := kinds(f.drain()); !slices.Equal(got, []string{"reply:pedro@client.com"}) {
		t.Fatalf("after Pedro wrote again queued %v, want the reply to him", got)
	}
	if u, _ := f.store.Undeliverables(); len(u) != 0 {
		t.Fatalf("undeliverable after Pedro wrote: %+v (agents are never marked)", u)
	}
}

func TestBounceThatIsNotOursOrOnlyDelayed(t *testing.T) {
	f := newFixture(t)
	f.apply(msg("a1@client", "pedro@client.com", "Impresora", "No imprime."))
	ack := mailsTo(f.drain(), "ack", "pedro@client.com")[0]
	res := f.apply(bounceOf("b1@mx", "someone-else@client.com", BouncedRecipient{Email: "x@client.com", Action: "failed", Status: "5.1.1"}))
	if res[0].Outcome != OutcomeIgnored {
		t.Fatalf("bounce of a mail we never sent: %+v", res[0])
	}
	f.apply(bounceOf("b2@mx", ack.MessageID, BouncedRecipient{Email: "pedro@client.com", Action: "delayed", Status: "4.4.1"}))
	if got := kinds(f.drain()); len(got) != 0 {
		t.Fatalf("a delay warning caused %v", got)
	}
	if u, _ := f.store.Undeliverables(); len(u) != 0 {
		t.Fatalf("a delay marked %+v undeliverable", u)
	}
	evs := f.events(1)
	if last := evs[len(evs)-1]; last.Kind != EventDeliveryFailed || !strings.Contains(last.Detail, "delayed 4.4.1") {
		t.Fatalf("delay not recorded: %+v", last)
	}
}

func TestAcknowledgementsAreRateLimitedPerSender(t *testing.T) {
	f := newFixture(t)
	f.svc.opts.AckLimit = AckLimit{Max: 3, Window: time.Hour}
	ackCount := func() int {
		n := 0
		for _, m := range f.drain() {
			if m.Kind == "ack" {
				n++
			}
		}
		return n
	}
	// A robot that answers every mail with a new one, without any
	// automatic-mail marker.
	total := 0
	for i := range 10 {
		f.apply(msg(fmtID("robot", i), "robot@vendor.com", "Gracias por su mensaje", "Recibido."))
		total += ackCount()
		f.now = f.now.Add(time.Minute)
	}
	if total != 3 {
		t.Fatalf("robot got %d acknowledgements in 10 minutes, want 3", total)
	}
	// Someone else is not affected.
	f.apply(msg("human@client", "rosa@client.com", "Ayuda", "Hola."))
	if n := ackCount(); n != 1 {
		t.Fatalf("another sender got %d acknowledgements, want 1", n)
	}
	evs := f.events(10)
	if !slices.ContainsFunc(evs, func(e Event) bool { return strings.Contains(e.Detail, "acknowledgement suppressed") }) {
		t.Errorf("suppressed acknowledgement not recorded: %+v", evs)
	}
	// An hour after the first ones, the robot is acknowledged again.
	f.now = f.now.Add(time.Hour)
	f.apply(msg("robot-late@vendor", "robot@vendor.com", "Gracias", "Recibido."))
	if n := ackCount(); n != 1 {
		t.Fatalf("after the window the robot got %d acknowledgements, want 1", n)
	}
}

func fmtID(prefix string, i int) string {
	return prefix + "-" + string(rune('a'+i)) + "@vendor.com"
}

func TestImportCutOffCreatesTicketsSilently(t *testing.T) {
	f := newFixture(t)
	f.svc.opts.ImportBefore = f.now.Add(-24 * time.Hour)
	old := msg("old@client", "pedro@client.com", "Viejo", "Correo de hace un mes.")
	old.Date = f.now.AddDate(0, -1, 0)
	res := f.apply(old)
	if res[0].Outcome != OutcomeCreated {
		t.Fatalf("old mail: %+v", res[0])
	}
	oldReply := msg("old-ana@example", "ana@example.com", "RE: [Soporte #1] Viejo", "Respuesta vieja.")
	oldReply.Date = f.now.AddDate(0, -1, 1)
	f.apply(oldReply)
	if got := kinds(f.drain()); len(got) != 0 {
		t.Fatalf("imported mail caused %v", got)
	}
	if tk := f.ticket(1); tk.Status != StatusOpen || tk.Assignee != "ana@example.com" {
		t.Errorf("imported history not applied: %+v", tk)
	}
	fresh := msg("new@client", "pedro@client.com", "Nuevo", "Correo de hoy.")
	fresh.Date = f.now.Add(-time.Hour)
	f.apply(fresh)
	if got := kinds(f.drain()); len(got) != 2 {
		t.Fatalf("mail after the cut-off queued %v, want ack and agent notice", got)
	}
}

func TestOwnMailByMessageIDIsIgnored(t *testing.T) {
	f := newFixture(t)
	m := msg("ticketd.9.9.abc@example.com", "lista@example.com", "[Soporte #9] Aviso", "Reenvío.")
	m.Kind = KindOwn
	if res := f.apply(m); res[0].Outcome != OutcomeIgnored {
		t.Fatalf("own mail: %+v", res[0])
	}
	if got := f.outbox(); len(got) != 0 {
		t.Fatalf("own mail queued %v", kinds(got))
	}
}

// A bounce on a ticket that went to the vendor unassigned is told to the
// desk's agents of the tier below, who had it — never to the vendor: the
// notice is internal (it names the requester's dead address).
func TestBounceAtVendorTierTellsTheDeskNotTheVendor(t *testing.T) {
	f := newFixtureWith(t, []tiers.Tier{
		{Level: 1, Name: "Nivel 1", Agents: []string{"ana@example.com", "luis@example.com"}, FirstResponse: time.Hour, Resolution: 8 * time.Hour},
		{Level: 2, Name: "ACME", Agents: []string{"soporte@acme.com"}, FirstResponse: 4 * time.Hour, Resolution: 48 * time.Hour, Vendor: true},
	}, tiers.Options{}, nil)
	f.apply(msg("r1@client", "pedro@client.com", "Licencia caducada", "El programa dice licencia caducada."))
	var ack Mail
	for _, m := range f.drain() {
		if m.Kind == "ack" {
			ack = m
		}
	}
	f.now = f.now.Add(2 * time.Hour)
	f.check()
	if tk := f.ticket(1); tk.Tier != 2 || tk.Assignee != "" {
		t.Fatalf("tier %d assignee %q, want the vendor's tier, unassigned", tk.Tier, tk.Assignee)
	}
	f.drain()
	hard := BouncedRecipient{Email: "pedro@client.com", Action: "failed", Status: "5.1.1", Diagnostic: "550 5.1.1 user unknown"}
	f.apply(bounceOf("b1@mx", ack.MessageID, hard))
	if got := kinds(f.drain()); !slices.Equal(got, []string{"agent_bounce:ana@example.com,luis@example.com"}) {
		t.Fatalf("after the bounce queued %v, want one notice to the desk's agents of the tier below", got)
	}
}
