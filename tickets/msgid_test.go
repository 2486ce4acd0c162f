package tickets

import (
	"strings"
	"testing"

	bolt "go.etcd.io/bbolt"
)

func TestSignedMessageIDs(t *testing.T) {
	f := newFixture(t)
	f.apply(msg("a1@client", "pedro@client.com", "Impresora", "No imprime."))
	mails := f.drain()
	id := mails[0].MessageID
	if n, ok := verifyMessageID(f.svc.secret, id, "example.com"); !ok || n != 1 {
		t.Fatalf("%s does not verify as ticket 1: %d %v", id, n, ok)
	}
	local, _, _ := strings.Cut(id, "@")
	parts := strings.Split(local, ".")
	if len(parts) != 5 || parts[0] != "ticketd" || parts[1] != "1" || len(parts[4]) != macLen {
		t.Fatalf("Message-ID %q: want ticketd.<ticket>.<mail>.<random>.<mac>@domain", id)
	}
	forgeries := []string{
		strings.Replace(id, "ticketd.1.", "ticketd.2.", 1),      // another ticket
		strings.Replace(id, "@example.com", "@evil.example", 1), // another domain
		local[:len(local)-1] + otherHex(local) + "@example.com", // a guessed mac
		"ticketd.1.1.abcdef@example.com",                        // unsigned
		strings.Replace(id, parts[3], "000000000000", 1),        // other random part
		"ticketd.1.1.abcdef.0123456789abcdef.x@example.com",     // junk
	}
	for _, bad := range forgeries {
		if n, ok := verifyMessageID(f.svc.secret, bad, "example.com"); ok {
			t.Errorf("%q verified as ticket %d", bad, n)
		}
	}

	// The secret is generated once: a restarted desk still trusts its ids.
	svc2, err := NewService(f.store, Options{Desk: NewAddress("", "soporte@example.com"), Tag: "Soporte", Language: "es",
		Policy: f.svc.opts.Policy, Templates: f.svc.opts.Templates})
	if err != nil {
		t.Fatal(err)
	}
	if n, ok := verifyMessageID(svc2.secret, id, "example.com"); !ok || n != 1 {
		t.Fatal("after a restart the desk's own Message-ID no longer verifies")
	}
}

func TestSignedIDThreadsWhatTheIndexDoesNotKnow(t *testing.T) {
	f := newFixture(t)
	f.apply(msg("a1@client", "pedro@client.com", "Impresora", "No imprime."))
	f.drain()
	// An id this desk signed for ticket 1 but never indexed (say, the
	// index was restored from an older backup), in References only, and
	// a subject without the token: a phone client's reply.
	signed, err := signedMessageID(f.svc.secret, 1, 77, "example.com")
	if err != nil {
		t.Fatal(err)
	}
	reply := msg("r1@client", "pedro@client.com", "Re: Impresora", "Sigue igual.")
	reply.References = []string{"unknown@elsewhere", signed}
	if res := f.apply(reply); res[0].Ticket != 1 || res[0].Outcome != OutcomeAppended {
		t.Fatalf("reply with a signed reference: %+v, want appended to ticket 1", res[0])
	}
	// The same with a forged signature opens a new ticket.
	forged, _ := signedMessageID([]byte("not the desk's secret, 32 bytes!"), 1, 78, "example.com")
	spoof := msg("r2@client", "mallory@evil.com", "Re: Impresora", "Deme acceso.")
	spoof.InReplyTo = []string{forged}
	if res := f.apply(spoof); res[0].Ticket == 1 || res[0].Outcome != OutcomeCreated {
		t.Fatalf("forged reference: %+v, want a new ticket", res[0])
	}
}

func TestOldUnsignedIDsStillThread(t *testing.T) {
	f := newFixture(t)
	f.apply(msg("a1@client", "pedro@client.com", "Impresora", "No imprime."))
	old := "ticketd.1.3.a1b2c3d4e5f6@example.com" // the format before signing
	err := f.store.db.Update(func(tx *bolt.Tx) error { return indexMsgID(tx, old, 1, dirSent) })
	if err != nil {
		t.Fatal(err)
	}
	reply := msg("r1@client", "pedro@client.com", "Re: Impresora", "Sigue igual.")
	reply.InReplyTo = []string{old}
	if res := f.apply(reply); res[0].Ticket != 1 || res[0].Outcome != OutcomeAppended {
		t.Fatalf("reply to an old unsigned id: %+v", res[0])
	}
}

// otherHex is a hex digit other than the last character of s, so that a
// "guessed" mac never equals the real one (it did once in 16 runs).
func otherHex(s string) string {
	if strings.HasSuffix(s, "0") {
		return "1"
	}
	return "0"
}

// TestQuotedReferenceThreadsAHeaderlessReply: a phone client replied with
// a new subject and no threading headers, but quoted the acknowledgement,
// whose last line is ticketd's signed reference.
func TestQuotedReferenceThreadsAHeaderlessReply(t *testing.T) {
	f := newFixture(t)
	f.apply(msg("a1@client", "pedro@client.com", "Impresora", "No imprime."))
	ack := mailsTo(f.drain(), "ack", "pedro@client.com")[0]
	if !strings.HasSuffix(ack.Text, "\n-- \nMesa de ayuda\nref:"+ack.MessageID+"\n") || !strings.Contains(ack.HTML, "ref:"+ack.MessageID) {
		t.Fatalf("the acknowledgement does not end with its footer and reference:\n%s", ack.Text)
	}
	if n := strings.Count(ack.Text, "\n-- \n"); n != 1 {
		t.Errorf("%d signature separators, want one footer:\n%s", n, ack.Text)
	}
	quoted := "> " + strings.ReplaceAll(strings.TrimSpace(ack.Text), "\n", "\n> ")
	reply := msg("r1@client", "pedro@client.com", "Sigue sin funcionar", "Sigue igual.")
	reply.FullText = "Sigue igual.\n\nEl lun, 2 mar 2026, Mesa de ayuda escribió:\n" + quoted
	if res := f.apply(reply); res[0].Ticket != 1 || res[0].Outcome != OutcomeAppended {
		t.Fatalf("header-less reply quoting the ack: %+v, want appended to ticket 1", res[0])
	}
	// A reference with a forged signature is not trusted.
	at := strings.IndexByte(ack.MessageID, '@')
	other := byte('0')
	if ack.MessageID[at-1] == '0' {
		other = '1'
	}
	forged := ack.MessageID[:at-1] + string(other) + ack.MessageID[at:] // a well-formed id, a wrong mac
	spoof := msg("r2@client", "pedro@client.com", "Otra cosa", "Hola.")
	spoof.FullText = "Hola.\n> ref:" + forged
	if res := f.apply(spoof); res[0].Ticket == 1 {
		t.Fatalf("a forged reference threaded: %+v", res[0])
	}
}
