package tickets

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ticketd/ticketd/templates"
	"github.com/ticketd/ticketd/tiers"
)

// deskWith is the default desk's tiers with options changed by edit.
func deskWith(t *testing.T, edit func(*Options)) *fixture {
	return newFixtureWith(t, []tiers.Tier{
		{Level: 1, Name: "Nivel 1", Agents: []string{"ana@example.com", "luis@example.com"}, FirstResponse: time.Hour, Resolution: 8 * time.Hour},
	}, tiers.Options{}, edit)
}

// TestSpamOpensNothing: mail the server marked as spam opens no ticket,
// queues no mail and files nothing; a second delivery is spam again.
func TestSpamOpensNothing(t *testing.T) {
	f := verifiedDesk(t)
	for _, reason := range []SpamReason{SpamFlag, SpamScore, SpamDMARC} {
		m := msg("spam-"+string(reason)+"@evil", "winner@lottery.test", "You won", "Claim your prize.")
		m.Spam = reason
		res := f.apply(m)
		if res[0].Outcome != OutcomeSpam || res[0].Spam != reason || res[0].Ticket != 0 {
			t.Fatalf("%s: result %+v, want spam", reason, res[0])
		}
		again := f.apply(m)
		if again[0].Outcome != OutcomeSpam || again[0].Spam != "" {
			t.Fatalf("%s: second delivery %+v, want spam (not counted again)", reason, again[0])
		}
	}
	if st, err := f.store.Stats(); err != nil || st.Tickets != 0 {
		t.Fatalf("tickets %d (%v), want none", st.Tickets, err)
	}
	if mails := f.outbox(); len(mails) != 0 {
		t.Fatalf("spam queued mail: %v", kinds(mails))
	}
}

// TestSpamOnATicketChangesNothing: spam threaded onto a ticket (its
// token, a reply to its mail) neither reopens it nor is relayed.
func TestSpamOnATicketChangesNothing(t *testing.T) {
	f := verifiedDesk(t)
	f.apply(domainPass(msg("r1@client", "pedro@client.com", "Clave", "No entro.")))
	f.apply(agentMail("a1", "#resolver\nListo."))
	f.drain()
	before, evBefore := f.ticket(1), len(f.events(1))

	for i, m := range []Inbound{
		msg("s1@evil", "pedro@client.com", "Re: [Soporte #1] Clave", "Buy now."),
		msg("s2@evil", "ana@example.com", "Re: [Soporte #1] Clave", "#abrir\nBuy now."),
	} {
		m.Spam = SpamFlag
		m.AuthLogin = "ana@example.com"
		if res := f.apply(m); res[0].Outcome != OutcomeSpam {
			t.Fatalf("mail %d: %+v", i, res[0])
		}
	}
	after := f.ticket(1)
	if after.Status != StatusResolved || after.Status != before.Status || !after.Updated.Equal(before.Updated) || len(f.events(1)) != evBefore {
		t.Fatalf("spam changed the ticket: status %s, %d events (was %d)", after.Status, len(f.events(1)), evBefore)
	}
	if mails := f.outbox(); len(mails) != 0 {
		t.Fatalf("spam on a ticket queued mail: %v", kinds(mails))
	}
}

// TestBlockList: the configured addresses and @domains are spam, case
// and all; other senders, and agents even on a blocked domain, are not.
func TestBlockList(t *testing.T) {
	f := deskWith(t, func(o *Options) { o.Spam.Block = []string{"Pest@Client.com", "@Spam.Example."} })
	cases := []struct {
		from string
		spam bool
	}{
		{"pest@client.com", true},
		{"PEST@client.com", true},
		{"anyone@spam.example", true},
		{"anyone@sub.spam.example", false}, // a domain entry is that domain only
		{"pedro@client.com", false},
		{"ana@example.com", false},
	}
	for i, c := range cases {
		res := f.apply(msg("b"+string(rune('a'+i))+"@x", c.from, "Hola", "Texto."))
		if got := res[0].Outcome == OutcomeSpam && res[0].Spam == SpamBlocked; got != c.spam {
			t.Errorf("%s: %+v, spam want %v", c.from, res[0], c.spam)
		}
	}
	g := deskWith(t, func(o *Options) { o.Spam.Block = []string{"@example.com"} })
	g.apply(msg("r1@client", "pedro@client.com", "Clave", "No entro."))
	if res := g.apply(msg("a1@x", "ana@example.com", "Re: [Soporte #1] Clave", "Respuesta.")); res[0].Outcome != OutcomeAppended {
		t.Fatalf("an agent on a blocked domain: %+v, want applied", res[0])
	}
}

// TestSpamCommand: #spam closes the ticket as spam, tells nobody (no
// answer, no satisfaction question, no notice) and stops its clocks;
// with BlockOnCommand the requester's next mail is spam.
func TestSpamCommand(t *testing.T) {
	for _, block := range []bool{false, true} {
		f := verifiedDesk(t)
		f.svc.opts.Spam.BlockOnCommand = block
		f.apply(domainPass(msg("r1@client", "seller@cheap.test", "Oferta", "Compre ya.")))
		f.drain()
		f.apply(agentMail("a1", "#correo_basura\nEsto no se le envía."))
		mails := f.drain()
		tk := f.ticket(1)
		if tk.Status != StatusClosed || tk.CloseReason != CloseSpam {
			t.Fatalf("block %v: status %s reason %q", block, tk.Status, tk.CloseReason)
		}
		for _, m := range mails {
			if slices.Contains(m.Recipients(), "seller@cheap.test") {
				t.Fatalf("block %v: the spammer was mailed: %v", block, kinds(mails))
			}
		}
		if tk.Assignee != "" || !tk.FirstResponse.IsZero() || !tk.NextCheck.IsZero() {
			t.Fatalf("block %v: assignee %q, first response %v, next SLA check %v", block, tk.Assignee, tk.FirstResponse, tk.NextCheck)
		}
		f.now = f.now.Add(30 * 24 * time.Hour)
		if _, err := f.svc.CheckSLA(context.Background()); err != nil {
			t.Fatal(err)
		}
		if mails := f.drain(); len(mails) != 0 {
			t.Fatalf("block %v: the SLA check mailed about a spam ticket: %v", block, kinds(mails))
		}
		res := f.apply(domainPass(msg("r2@client", "seller@cheap.test", "Otra oferta", "Compre.")))
		if blocked := res[0].Outcome == OutcomeSpam && res[0].Spam == SpamBlocked; blocked != block {
			t.Fatalf("block %v: next mail %+v", block, res[0])
		}
		list, err := f.store.BlockedSenders()
		if err != nil {
			t.Fatal(err)
		}
		if e, ok := list["seller@cheap.test"]; ok != block || (ok && (e.Ticket != 1 || e.By != "ana@example.com")) {
			t.Fatalf("block %v: blocked senders %v", block, list)
		}
	}
}

// TestSpamCommandRefusals: #spam on an agent's own ticket is refused and
// changes nothing; a requester or a forged agent writing #spam changes
// nothing either.
func TestSpamCommandRefusals(t *testing.T) {
	f := verifiedDesk(t)
	f.svc.opts.Spam.BlockOnCommand = true
	own := msg("r1@x", "luis@example.com", "Mi portátil", "No arranca.")
	own.AuthLogin = "luis@example.com"
	f.apply(own)
	f.drain()
	f.apply(agentMail("a1", "#spam"))
	if mails := f.drain(); len(mails) != 1 || mails[0].Kind != "command_error" || !strings.Contains(mails[0].Text, "es un agente o un proveedor") {
		t.Fatalf("#spam on an agent's ticket: %v (the refusal is told in the desk's Spanish)", kinds(mails))
	}
	if tk := f.ticket(1); tk.Status == StatusClosed || tk.CloseReason != "" {
		t.Fatalf("refused #spam changed the ticket: %s %q", tk.Status, tk.CloseReason)
	}
	f.apply(agentMail("a1b", "#quitarcc nadie@client.com"))
	if mails := f.drain(); len(mails) != 1 || mails[0].Kind != "command_error" || !strings.Contains(mails[0].Text, "nadie@client.com no está en copia") {
		t.Fatalf("#quitarcc of someone not copied: %v (the refusal is told in the desk's Spanish)", kinds(mails))
	}

	f.apply(domainPass(msg("r2@client", "pedro@client.com", "Clave", "No entro.")))
	f.drain()
	f.apply(domainPass(msg("r3@client", "pedro@client.com", "Re: [Soporte #2] Clave", "#spam\n#correo_basura")))
	f.apply(msg("forged@evil", "ana@example.com", "Re: [Soporte #2] Clave", "#spam"))
	f.drain()
	if tk := f.ticket(2); tk.Status == StatusClosed || tk.CloseReason != "" {
		t.Fatalf("a requester's or a forged #spam changed the ticket: %s %q", tk.Status, tk.CloseReason)
	}
	if list, _ := f.store.BlockedSenders(); len(list) != 0 {
		t.Fatalf("blocked %v", list)
	}
}

// TestSpamLeftOutOfTheDigest: a ticket closed as spam counts in no
// figure of the managers' digest.
func TestSpamLeftOutOfTheDigest(t *testing.T) {
	f := verifiedDesk(t)
	f.apply(domainPass(msg("r1@client", "pedro@client.com", "Clave", "No entro.")))
	f.apply(domainPass(msg("r2@client", "seller@cheap.test", "Oferta", "Compre ya.")))
	f.apply(agentMail("a1", "Hola."))
	spam := agentMail("a2", "#spam")
	spam.Subject = "Re: [Soporte #2] Oferta"
	f.apply(spam)
	f.drain()
	var d *templates.Digest
	f.reading(func(a *applier) (err error) {
		pr := digestSpan{From: f.now.Add(-time.Hour), To: f.now.Add(time.Second), PrevFrom: f.now.Add(-2 * time.Hour), PrevTo: f.now.Add(-time.Hour)}
		d, _, err = a.s.digestData(a.tx, DigestDaily, pr, f.now, false)
		return err
	})
	if d.New != 1 || d.Open != 1 {
		t.Fatalf("digest counts %d new and %d open tickets, want 1 each (the spam left out)", d.New, d.Open)
	}
}

// TestNotSpamUndoesSpam: #noesspam opens a ticket closed as spam again
// and unblocks its requester; on any other ticket it is refused.
func TestNotSpamUndoesSpam(t *testing.T) {
	f := verifiedDesk(t)
	f.svc.opts.Spam.BlockOnCommand = true
	f.apply(domainPass(msg("r1@client", "pedro@client.com", "Clave", "No entro.")))
	f.apply(agentMail("a1", "#notspam"))
	if mails := f.drain(); len(mails) < 1 || mails[len(mails)-1].Kind != "command_error" {
		t.Fatalf("#notspam on a ticket not closed as spam: %v", kinds(mails))
	}
	f.apply(agentMail("a2", "#spam"))
	if res := f.apply(domainPass(msg("r2@client", "pedro@client.com", "Re: [Soporte #1] Clave", "¿Hola?"))); res[0].Outcome != OutcomeSpam {
		t.Fatalf("blocked requester: %+v", res[0])
	}
	f.drain()
	f.apply(agentMail("a3", "#noesspam\nDisculpe, su mensaje se marcó por error."))
	mails := f.drain()
	tk := f.ticket(1)
	if tk.Status != StatusOpen || tk.CloseReason != "" || tk.NextCheck.IsZero() {
		t.Fatalf("after #noesspam: status %s reason %q next check %v", tk.Status, tk.CloseReason, tk.NextCheck)
	}
	if len(mailsTo(mails, "reply", "pedro@client.com")) != 1 {
		t.Fatalf("the answer with #noesspam was not relayed: %v", kinds(mails))
	}
	if list, _ := f.store.BlockedSenders(); len(list) != 0 {
		t.Fatalf("still blocked: %v", list)
	}
	if res := f.apply(domainPass(msg("r3@client", "pedro@client.com", "Re: [Soporte #1] Clave", "Gracias."))); res[0].Outcome != OutcomeAppended {
		t.Fatalf("the unblocked requester's mail: %+v", res[0])
	}
}
