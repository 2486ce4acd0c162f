package tickets

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/ticketd/ticketd/templates"
	"github.com/ticketd/ticketd/tiers"
)

// FuzzThreading applies messages with arbitrary subjects, references and
// kinds to one store: Apply never panics, fails only with a
// *MessageError, and every result names a ticket that exists.
func FuzzThreading(f *testing.F) {
	store, err := Open(f.TempDir(), time.Second)
	if err != nil {
		f.Fatal(err)
	}
	defer store.Close()
	policy, err := tiers.NewPolicy([]tiers.Tier{{Level: 1, Name: "N1", Agents: []string{"ana@example.com"}, FirstResponse: time.Hour, Resolution: time.Hour}}, tiers.Options{})
	if err != nil {
		f.Fatal(err)
	}
	tmpl, err := templates.New("")
	if err != nil {
		f.Fatal(err)
	}
	now := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	svc, err := NewService(store, Options{Desk: NewAddress("Mesa", "soporte@example.com"), Tag: "Soporte", Language: "es",
		Policy: policy, Templates: tmpl, Now: func() time.Time { return now }})
	if err != nil {
		f.Fatal(err)
	}
	signed, _ := signedMessageID(svc.secret, 1, 1, "example.com")
	f.Add("m1@client", "pedro@client.com", "No imprime", "", "", byte(0))
	f.Add("m2@client", "pedro@client.com", "Re: [Soporte #1] No imprime", "m1@client", "", byte(0))
	f.Add("m3@client", "ana@example.com", "RE: [ soporte#1 ]", "", signed, byte(0))
	f.Add("m4@client", "x@client.com", "Re: algo", signed, "ticketd.1.2.abc.0123456789abcdef@example.com", byte(2))
	f.Add("m5@mx", "mailer-daemon@mx.example", "Undelivered", "", signed, byte(3))
	f.Fuzz(func(t *testing.T, id, from, subject, inReplyTo, ref string, kind byte) {
		m := Inbound{MessageID: id, From: NewAddress("", from), Subject: subject, Text: "texto", ContentHash: "h"}
		if inReplyTo != "" {
			m.InReplyTo = []string{inReplyTo}
		}
		if ref != "" {
			m.References = strings.Split(ref, " ")
		}
		switch kind % 4 {
		case 1:
			m.Kind, m.AutoSubmitted = KindAutoReply, true
		case 2:
			m.Kind = KindOwn
		case 3:
			m.Kind, m.AutoSubmitted = KindBounce, true
			m.Bounce = &Bounce{OriginalMessageID: ref, Recipients: []BouncedRecipient{{Email: from, Action: "failed", Status: "5.1.1"}}}
		}
		res, err := svc.Apply(context.Background(), []Inbound{m})
		if err != nil {
			var me *MessageError
			if !errors.As(err, &me) {
				t.Fatalf("Apply: %v", err)
			}
			return
		}
		if r := res[0]; r.Outcome == OutcomeCreated || r.Outcome == OutcomeAppended {
			if _, err := store.Ticket(r.Ticket); err != nil {
				t.Fatalf("result %+v names a missing ticket: %v", r, err)
			}
		}
		if n, ok := verifyMessageID(svc.secret, ref, "example.com"); ok && ref != signed && n != 0 {
			t.Fatalf("a fuzzed id %q verified", ref)
		}
	})
}
