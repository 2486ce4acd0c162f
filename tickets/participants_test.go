package tickets

import (
	"slices"
	"strings"
	"testing"
)

// replyRecipients applies an agent's answer on ticket 1 and returns who
// the relayed answer went to.
func replyRecipients(t *testing.T, f *fixture, id string) []string {
	t.Helper()
	m := msg(id, "ana@example.com", "Re: [Soporte #1] Clave", "Le enviamos una clave nueva.")
	m.SenderVerified = true
	f.apply(m)
	for _, mail := range f.drain() {
		if mail.Kind == "reply" {
			return mail.Recipients()
		}
	}
	t.Fatalf("the agent's answer %s was not relayed", id)
	return nil
}

// TestForgedRequesterAddsNobody: with the MX's results read, mail in the
// requester's name that is not verified copies nobody, runs no requester
// command, is kept and shown to the agents as unverified (issue 10, item 1).
func TestForgedRequesterAddsNobody(t *testing.T) {
	f := newFixture(t)
	f.svc.opts.TrustedAuthResults = true
	f.apply(domainPass(msg("r1@client", "pedro@client.com", "Clave", "No entro.")))
	f.drain()

	forged := msg("forged@evil", "pedro@client.com", "Re: [Soporte #1] Clave", "#resuelto\nMándenle la clave a mi colega.")
	forged.Cc = []Address{{Email: "stranger@evil.test"}}
	f.apply(forged)
	mails := f.drain()
	if len(mails) != 1 || mails[0].Kind != "agent_update" || !strings.Contains(mails[0].Text, "AVISO") {
		t.Fatalf("forged requester mail: %+v, want one warning to the agents", mails)
	}
	tk := f.ticket(1)
	if len(tk.Participants) != 0 || len(tk.Pending) != 0 || tk.Status != StatusNew {
		t.Fatalf("forged requester mail changed the ticket: participants %v pending %v status %s", tk.Participants, tk.Pending, tk.Status)
	}
	if !slices.ContainsFunc(f.events(1), func(e Event) bool { return e.MessageID == "forged@evil" && e.Kind == EventInbound }) {
		t.Fatal("the forged mail is not kept on the ticket")
	}
	if got := replyRecipients(t, f, "a1"); slices.Contains(got, "stranger@evil.test") {
		t.Fatalf("the next agent answer went to the stranger: %v", got)
	}

	// The requester's verified mail copies people at once.
	real := domainPass(msg("r2@client", "pedro@client.com", "Re: [Soporte #1] Clave", "Copio a mi jefa."))
	real.Cc = []Address{{Email: "jefa@client.com"}}
	f.apply(real)
	f.drain()
	if got := replyRecipients(t, f, "a2"); !slices.Contains(got, "jefa@client.com") {
		t.Fatalf("a verified requester's Cc was not added: %v", got)
	}
}

// TestForgedNewTicketAddsNobody: a new ticket in someone's name from
// unverified mail does not copy the people it names.
func TestForgedNewTicketAddsNobody(t *testing.T) {
	f := newFixture(t)
	f.svc.opts.TrustedAuthResults = true
	forged := msg("forged@evil", "pedro@client.com", "Clave", "Manden mi clave a mi colega.")
	forged.Cc = []Address{{Email: "stranger@evil.test"}}
	f.apply(forged)
	if tk := f.ticket(1); len(tk.Participants)+len(tk.Pending) != 0 {
		t.Fatalf("unverified new ticket copies %v %v", tk.Participants, tk.Pending)
	}
	if n := mailsTo(f.drain(), "agent_new", "ana@example.com"); len(n) != 1 || !strings.Contains(n[0].Text, "AVISO") {
		t.Fatalf("agents not warned about the unverified new ticket: %+v", n)
	}
}

// TestParticipantConfirmation: without Authentication-Results nothing can
// be proved, so people copied in the requester's name are added only when
// the requester, mailed at their own address, replies with the code.
func TestParticipantConfirmation(t *testing.T) {
	f := newFixture(t)
	f.apply(msg("r1@client", "pedro@client.com", "Clave", "No entro."))
	f.drain()

	forged := msg("forged@evil", "Pedro@Client.com", "Re: [Soporte #1] Clave", "Copio a mi colega.")
	forged.Cc = []Address{{Email: "stranger@evil.test"}, {Email: "ana@example.com"}}
	forged.ReplyTo = []Address{{Email: "attacker@evil.test"}}
	f.apply(forged)
	asks := mailsTo(f.drain(), "participant_confirm", "pedro@client.com")
	if len(asks) != 1 || len(asks[0].Recipients()) != 1 {
		t.Fatalf("confirmation: %+v, want one mail to the requester's address only", asks)
	}
	ask := asks[0]
	code := confirmCode().FindString(ask.Subject)
	if code == "" || !strings.Contains(ask.Text, code) || !strings.Contains(ask.Text, "stranger@evil.test") {
		t.Fatalf("confirmation lacks the code or the address:\n%s\n%s", ask.Subject, ask.Text)
	}
	if strings.Contains(ask.Text, "ana@example.com") {
		t.Fatal("an agent was offered as a participant")
	}
	// Asked once: the same Cc again does not mail the requester again.
	again := msg("forged2@evil", "pedro@client.com", "Re: [Soporte #1] Clave", "Otra vez.")
	again.Cc = []Address{{Email: "stranger@evil.test"}}
	f.apply(again)
	if n := mailsTo(f.drain(), "participant_confirm", "pedro@client.com"); len(n) != 0 {
		t.Fatalf("asked again: %d mails", len(n))
	}
	if got := replyRecipients(t, f, "a1"); slices.Contains(got, "stranger@evil.test") {
		t.Fatalf("the agent answer went to an unconfirmed participant: %v", got)
	}
	// A guessed code adds nobody; the requester's reply with the code does.
	f.apply(msg("guess@evil", "pedro@client.com", "Re: [Soporte #1] Clave CC-AAAAAAAAAAAAAAAA", "sí"))
	if tk := f.ticket(1); len(tk.Participants) != 0 {
		t.Fatalf("a guessed code added %v", tk.Participants)
	}
	f.apply(msg("yes@client", "pedro@client.com", "Re: "+ask.Subject, "Sí, adelante."))
	f.drain()
	if got := replyRecipients(t, f, "a2"); !slices.Contains(got, "stranger@evil.test") {
		t.Fatalf("the confirmed participant does not get answers: %v", got)
	}
	if tk := f.ticket(1); len(tk.Pending) != 0 {
		t.Fatalf("still pending after confirmation: %v", tk.Pending)
	}
}

// TestAgentCcCommands: #cc / #copia add people at once, #uncc /
// #quitarcopia remove them however they were added.
func TestAgentCcCommands(t *testing.T) {
	f := newFixture(t)
	f.svc.opts.TrustedAuthResults = true
	m := domainPass(msg("r1@client", "pedro@client.com", "Clave", "No entro."))
	m.Cc = []Address{{Email: "jefa@client.com"}}
	f.apply(m)
	f.drain()
	cmd := func(id, text string) []Mail {
		a := msg(id, "ana@example.com", "Re: [Soporte #1] Clave", text)
		a.SenderVerified = true
		f.apply(a)
		return f.drain()
	}
	mails := cmd("a1", "#cc Luis Técnico <tecnico@client.com>\n#copia otro@client.com\nLes copio.")
	if len(mails) != 1 || strings.Join(mails[0].Recipients(), ",") != "pedro@client.com,jefa@client.com,tecnico@client.com,otro@client.com" {
		t.Fatalf("after #cc: %+v", mails)
	}
	mails = cmd("a2", "#uncc jefa@client.com\n#quitarcopia otro@client.com\nSigo.")
	if len(mails) != 1 || strings.Join(mails[0].Recipients(), ",") != "pedro@client.com,tecnico@client.com" {
		t.Fatalf("after #uncc: %+v", mails)
	}
	for _, bad := range []string{"#uncc nadie@client.com", "#cc luis@example.com", "#cc", "#cc pedro@client.com"} {
		if mails := cmd("bad"+bad, bad+"\nTexto."); len(mails) != 1 || mails[0].Kind != "command_error" {
			t.Fatalf("%q: %+v, want a command error", bad, mails)
		}
	}
}
