package tickets

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ticketd/ticketd/templates"
)

// twoConversations opens #1 (pedro) and #2 (maria) about the same thing,
// a minute apart, then each writes again, #2 first; the mail is drained.
func twoConversations(t *testing.T, f *fixture) {
	t.Helper()
	f.apply(msg("n1@c", "pedro@client.com", "La VPN no conecta", "Desde casa no entra."))
	f.now = f.now.Add(time.Minute)
	f.apply(msg("m1@c", "maria@client.com", "VPN caída", "Tampoco me conecta."))
	f.now = f.now.Add(time.Minute)
	f.apply(msg("m2@c", "maria@client.com", "Re: [Soporte #2] VPN caída", "Uso Windows 11."))
	f.now = f.now.Add(time.Minute)
	f.apply(msg("n2@c", "pedro@client.com", "Re: [Soporte #1] La VPN no conecta", "Uso macOS."))
	f.now = f.now.Add(time.Minute)
	f.drain()
}

func TestMergeMovesTheConversationInTimeOrder(t *testing.T) {
	f := workflowDesk(t, nil)
	twoConversations(t, f)
	before := f.ticket(2)
	f.apply(msg("g1@e", "ana@example.com", "Re: [Soporte #2] VPN caída", "#fusionar 1"))

	m, n := f.ticket(2), f.ticket(1)
	if m.Status != StatusClosed || m.MergedInto != 1 {
		t.Fatalf("merged ticket: %s, merged into %d", m.Status, m.MergedInto)
	}
	if len(n.Participants) != 1 || n.Participants[0].Email != "maria@client.com" || n.Status == StatusClosed {
		t.Fatalf("survivor: participants %+v, %s", n.Participants, n.Status)
	}
	// The survivor's timeline has both conversations, in time order.
	var inbound []string
	last := time.Time{}
	for _, e := range f.events(1) {
		if e.Time.Before(last) {
			t.Fatalf("timeline out of order at %+v", e)
		}
		last = e.Time
		if e.Kind == EventInbound {
			inbound = append(inbound, fmt.Sprintf("%s/%d", e.MessageID, e.MergedFrom))
		}
	}
	if want := []string{"n1@c/0", "m1@c/2", "m2@c/2", "n2@c/0", "g1@e/2"}; !slices.Equal(inbound, want) {
		t.Fatalf("survivor's messages %v, want %v", inbound, want)
	}
	// The history a new tier would get tells both.
	if h := f.history(1, false); !strings.Contains(h, "Uso Windows 11.") || !strings.Contains(h, "Uso macOS.") {
		t.Errorf("history lacks the merged conversation:\n%s", h)
	}
	// Maria is told once, in her own thread, with the new token.
	mails := f.drain()
	told := mailsTo(mails, templates.Merged, "maria@client.com")
	if len(told) != 1 || told[0].Ticket != 2 || !strings.HasPrefix(told[0].Subject, "Re: [Soporte #1]") ||
		told[0].InReplyTo != before.LastPublicMessageID || !slices.Contains(told[0].References, before.RootMessageID) {
		t.Fatalf("merge notice %v: %+v", kinds(mails), told)
	}
	if strings.Contains(told[0].Text, "La VPN no conecta") || strings.Contains(told[0].Text, "pedro") {
		t.Errorf("the notice shows the survivor's subject or requester:\n%s", told[0].Text)
	}
	if len(mailsTo(mails, templates.Merged, "pedro@client.com")) != 0 {
		t.Errorf("the survivor's requester was told: %v", kinds(mails))
	}
}

func TestMailToAMergedTicketLandsOnTheSurvivor(t *testing.T) {
	f := workflowDesk(t, nil)
	twoConversations(t, f)
	f.apply(msg("g1@e", "ana@example.com", "Re: [Soporte #2] VPN caída", "#merge 1"))
	notice := mailsTo(f.drain(), templates.Merged, "maria@client.com")[0]
	oldAck := ""
	for _, e := range f.events(2) {
		if e.Kind == EventOutbound && e.Template == templates.Ack {
			oldAck = e.MessageID
		}
	}
	byToken := msg("t1@c", "maria@client.com", "Re: [Soporte #2] VPN caída", "Por token.")
	byHeader := msg("h1@c", "maria@client.com", "Re: VPN caída", "Por cabecera.")
	byHeader.InReplyTo = []string{oldAck}
	byRef := msg("b1@c", "maria@client.com", "VPN", "Por la línea ref.")
	byRef.FullText = "Por la línea ref.\n\n> -- \n> ref:" + oldAck + "\n"
	byNotice := msg("r1@c", "maria@client.com", notice.Subject, "Respondo al aviso.")
	byNotice.InReplyTo = []string{notice.MessageID}
	for _, m := range []Inbound{byToken, byHeader, byRef, byNotice} {
		r := f.apply(m)[0]
		if r.Ticket != 1 || r.Outcome != OutcomeAppended {
			t.Errorf("%q went to %+v, want appended to #1", m.Text, r)
		}
		mails := f.drain()
		if len(mailsTo(mails, templates.AgentUpdate, "ana@example.com")) != 1 {
			t.Errorf("%q: agents of #1 not told: %v", m.Text, kinds(mails))
		}
	}
	if tk := f.ticket(2); tk.Status != StatusClosed {
		t.Errorf("the merged ticket reopened: %s", tk.Status)
	}
	// An agent's answer on #1 reaches both requesters.
	f.apply(msg("a1@e", "ana@example.com", "Re: [Soporte #1] x", "Reinstalen el cliente VPN."))
	mails := f.drain()
	if r := mailsTo(mails, templates.Reply, "maria@client.com"); len(r) != 1 || mailsTo(mails, templates.Reply, "pedro@client.com") == nil {
		t.Errorf("answer on the survivor: %v", kinds(mails))
	}
}

func TestForgedMailToAMergedTicketFollowsTheSurvivorsRules(t *testing.T) {
	f := workflowDesk(t, nil)
	twoConversations(t, f)
	f.apply(msg("g1@e", "ana@example.com", "Re: [Soporte #2] VPN caída", "#merge 1"))
	f.drain()
	// A stranger naming the merged ticket opens a new ticket linked to the
	// survivor, as one naming the survivor would.
	r := f.apply(msg("x1@evil", "mallory@evil.com", "Re: [Soporte #2] VPN caída", "Mándenme la configuración."))[0]
	if r.Outcome != OutcomeCreated || r.Ticket == 1 || r.Ticket == 2 {
		t.Fatalf("stranger's mail: %+v", r)
	}
	if tk := f.ticket(r.Ticket); !slices.Equal(tk.Links, []uint64{1}) {
		t.Errorf("stranger's ticket links %v, want [1]", tk.Links)
	}
	// A forged agent From on the merged ticket: unverified on the survivor.
	f.svc.opts.RequireVerifiedAgents = true
	before := f.ticket(1)
	r = f.apply(msg("x2@evil", "ana@example.com", "Re: [Soporte #2] VPN caída", "#cerrar\n#fusionar 3\nSu clave es 1234."))[0]
	tk := f.ticket(1)
	if r.Ticket != 1 || tk.Status != before.Status || tk.MergedInto != 0 {
		t.Fatalf("forged agent mail: %+v, survivor %s merged %d", r, tk.Status, tk.MergedInto)
	}
	for _, m := range f.drain() {
		if slices.Contains(m.Recipients(), "maria@client.com") || slices.Contains(m.Recipients(), "pedro@client.com") {
			t.Fatalf("forged mail reached a requester: %+v", m)
		}
	}
}

func TestMergeRefusals(t *testing.T) {
	f := workflowDesk(t, nil)
	twoConversations(t, f)                                                    // #1, #2
	f.apply(msg("n3@c", "rosa@client.com", "Impresora", "No imprime."))       // #3
	f.apply(msg("n4@c", "luz@client.com", "Teclado", "No escribe."))          // #4
	f.apply(msg("n5@c", "eva@client.com", "Pantalla", "Se ve negra."))        // #5
	f.apply(msg("c4@e", "ana@example.com", "Re: [Soporte #4] x", "#cerrar"))  // #4 closed
	f.apply(msg("g5@e", "ana@example.com", "Re: [Soporte #5] x", "#merge 1")) // #5 merged into #1
	link(f, 3, 2)                                                             // #2 is a problem
	f.drain()
	cases := []struct {
		on   uint64
		text string
		want string
	}{
		{1, "#merge 1", "no puede fusionarse consigo mismo"},
		{1, "#merge 4", "el ticket #4 está cerrado"},
		{1, "#merge 5", "el ticket #5 está cerrado"},
		{1, "#merge 404", "no existe el ticket #404"},
		{1, "#merge soon", "necesita un número de ticket"},
		{2, "#merge 1", "es un problema con 1 incidencia"},
	}
	for i, c := range cases {
		before := f.ticket(c.on)
		f.apply(msg(fmt.Sprintf("bad%d@e", i), "ana@example.com", fmt.Sprintf("Re: [Soporte #%d] x", c.on), c.text))
		after := f.ticket(c.on)
		if after.Status != before.Status || after.MergedInto != 0 {
			t.Errorf("%q changed #%d: %+v", c.text, c.on, after)
		}
		mails := f.drain()
		if len(mails) != 1 || mails[0].Kind != templates.CommandError || !strings.Contains(mails[0].Text, c.want) {
			t.Errorf("%q: %v, want a command error saying %q", c.text, mails, c.want)
		}
	}
	// An agent writing on the merged ticket works on the survivor: a
	// second merge of #5 is a merge of #1.
	f.apply(msg("g6@e", "ana@example.com", "Re: [Soporte #5] x", "#merge 1"))
	if m := f.drain(); len(m) != 1 || !strings.Contains(m[0].Text, "consigo mismo") {
		t.Errorf("#merge on a merged ticket: %v", m)
	}
}

func TestMergingAnIncidentUnlinksIt(t *testing.T) {
	f := workflowDesk(t, nil)
	outage(t, f, 2) // #1 problem, #2 and #3
	link(f, 2, 1)
	link(f, 3, 1)
	f.apply(msg("g@e", "ana@example.com", "Re: [Soporte #3] x", "#merge 2"))
	if got := mustIncidents(t, f, 1); !slices.Equal(got, []uint64{2}) || f.ticket(3).Problem != 0 {
		t.Fatalf("after merging #3 into #2: incidents %v, #3 → %d", got, f.ticket(3).Problem)
	}
	// Resolving the problem answers #3's requester on #2, where they
	// now are a participant: once.
	f.drain()
	f.apply(msg("r@e", "ana@example.com", "Re: [Soporte #1] x", "#resolve\nListo."))
	mails := f.drain()
	if n := len(mailsTo(mails, templates.ProblemResolved, "user1@client.com")); n != 1 {
		t.Fatalf("#3's requester got %d answers: %v", n, kinds(mails))
	}
}

func TestMergeAcrossQueuesIsRefused(t *testing.T) {
	f := newQueuesFixture(t, nil)
	f.apply(msg("s1@c", "pedro@client.com", "VPN", "No conecta.")) // #1, default queue
	v := msg("v1@c", "maria@client.com", "Precios", "¿Cuánto cuesta?")
	v.To = []Address{{Email: "ventas@ventas.example"}}
	f.apply(v) // #2, ventas
	f.drain()
	f.apply(msg("g1@e", "ana@example.com", "Re: [Soporte #1] x", "#fusionar 2"))
	if tk := f.ticket(1); tk.MergedInto != 0 || tk.Status == StatusClosed {
		t.Fatalf("merged across queues: %+v", tk)
	}
	m := f.drain()
	if len(m) != 1 || m[0].Kind != templates.CommandError || !strings.Contains(m[0].Text, "el ticket #2 está en otra cola") {
		t.Fatalf("refusal: %v", m)
	}
	// After #cola moves it, the same merge runs.
	f.apply(msg("q1@e", "vera@ventas.example", "Re: [Ventas #2] x", "#queue soporte"))
	f.drain()
	f.apply(msg("g2@e", "ana@example.com", "Re: [Soporte #1] x", "#fusionar 2"))
	if tk := f.ticket(1); tk.MergedInto != 2 {
		t.Fatalf("same queue, not merged: %+v\n%v", tk, kinds(f.drain()))
	}
}
