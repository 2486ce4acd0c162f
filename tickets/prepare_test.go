package tickets_test

import (
	"regexp"
	"testing"

	"github.com/ticketd/ticketd/tickets"
)

// refLine is the reference line every mail ends with: its own Message-ID,
// random, so never the same in two stores.
var refLine = regexp.MustCompile(`(?m)^ref:.*$`)

// TestPrepareChangesNothing: the corpus of the load test (new tickets in
// Spanish and English, requesters' follow-ups, agents' answers with
// sign-offs) applied after Service.Prepare, as mailin does, gives the
// tickets and the mails it gives unprepared.
func TestPrepareChangesNothing(t *testing.T) {
	var stores [2]*tickets.Store
	for i := range stores {
		svc, store, msgs := corpusDesk(t, 600)
		if i == 1 {
			for j := range msgs {
				svc.Prepare(&msgs[j])
			}
		}
		for start := 0; start < len(msgs); start += 200 {
			if _, err := svc.Apply(t.Context(), msgs[start:min(start+200, len(msgs))]); err != nil {
				t.Fatal(err)
			}
		}
		stores[i] = store
	}
	ts := [2][]tickets.Ticket{}
	mails := [2][]tickets.Mail{}
	for i, s := range stores {
		var err error
		if ts[i], err = s.Tickets(); err != nil {
			t.Fatal(err)
		}
		if mails[i], err = s.Outbox(); err != nil {
			t.Fatal(err)
		}
	}
	if len(ts[0]) != len(ts[1]) || len(mails[0]) != len(mails[1]) {
		t.Fatalf("unprepared: %d tickets, %d mails; prepared: %d tickets, %d mails", len(ts[0]), len(mails[0]), len(ts[1]), len(mails[1]))
	}
	for i := range ts[0] {
		a, b := ts[0][i], ts[1][i]
		if a.Subject != b.Subject || a.Language != b.Language || a.Status != b.Status || a.Assignee != b.Assignee || a.Requester != b.Requester {
			t.Errorf("ticket %d: unprepared %q %s %s %s, prepared %q %s %s %s", a.ID, a.Subject, a.Language, a.Status, a.Assignee, b.Subject, b.Language, b.Status, b.Assignee)
		}
	}
	for i := range mails[0] {
		a, b := mails[0][i], mails[1][i]
		if a.Kind != b.Kind || a.Subject != b.Subject || refLine.ReplaceAllString(a.Text, "") != refLine.ReplaceAllString(b.Text, "") {
			t.Errorf("mail %d: unprepared %s %q, prepared %s %q", a.ID, a.Kind, a.Subject, b.Kind, b.Subject)
		}
	}
}

// TestPrepareOfAnotherText: a message changed after Prepare (its text and
// subject) is applied by what it says now, never by the memo.
func TestPrepareOfAnotherText(t *testing.T) {
	svc, store, _ := corpusDesk(t, 0)
	m := tickets.Inbound{MessageID: "changed@example.net", From: tickets.NewAddress("Ann", "ann@example.net"),
		Subject: "The printer on the second floor does not print",
		Text:    "Hello, the printer on the second floor has not printed anything since this morning. Could you please have a look at it? Thank you very much."}
	svc.Prepare(&m)
	m.Subject = "La impresora del segundo piso no imprime"
	m.Text = "Hola, la impresora del segundo piso no ha impreso nada desde esta mañana. ¿Podrían revisarla, por favor? Muchas gracias."
	res, err := svc.Apply(t.Context(), []tickets.Inbound{m})
	if err != nil {
		t.Fatal(err)
	}
	tk, err := store.Ticket(res[0].Ticket)
	if err != nil {
		t.Fatal(err)
	}
	if tk.Language != "es" || tk.Subject != m.Subject {
		t.Errorf("ticket in %q, subject %q; want es, %q", tk.Language, tk.Subject, m.Subject)
	}
}
