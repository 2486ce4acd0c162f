package tickets

import (
	"slices"
	"testing"
)

// TestMarkSentSettlesRecipients: a transaction accepted for some of a
// mail's recipients settles those (durably, in Mail.Done) and keeps the
// mail due for the others; the one that settles the last takes it out of
// the outbox and says so.
func TestMarkSentSettlesRecipients(t *testing.T) {
	f := newFixture(t)
	f.apply(msg("s1", "pedro@cliente.test", "Impresora", "no imprime"))
	var m Mail
	for _, o := range f.outbox() {
		if len(o.Recipients()) >= 2 {
			m = o
		}
	}
	if m.ID == 0 {
		t.Fatal("no mail with two recipients queued")
	}
	rcpts := m.Recipients()
	first := Delivery{ID: m.ID, Time: f.now, Accepted: rcpts[:1], Mail: &m}
	if done, err := f.store.MarkSent([]Delivery{first}); err != nil || len(done) != 0 {
		t.Fatalf("MarkSent(first) = %v, %v; want the mail still pending", done, err)
	}
	due, err := f.store.DueMail(f.now, 100)
	if err != nil {
		t.Fatal(err)
	}
	i := slices.IndexFunc(due, func(d Mail) bool { return d.ID == m.ID })
	if i < 0 || !slices.Equal(due[i].Pending(), rcpts[1:]) {
		t.Fatalf("after the first transaction: due %v", due)
	}
	rest := Delivery{ID: m.ID, Time: f.now, Accepted: rcpts[1:]}
	if done, err := f.store.MarkSent([]Delivery{rest}); err != nil || !slices.Equal(done, []uint64{m.ID}) {
		t.Fatalf("MarkSent(rest) = %v, %v; want the mail done", done, err)
	}
	events, err := f.store.Events(m.Ticket)
	if err != nil {
		t.Fatal(err)
	}
	var delivered []string
	for _, e := range events {
		if e.Kind == EventDelivered && e.Outbox == m.ID {
			delivered = append(delivered, e.Recipients...)
		}
	}
	if !slices.Equal(delivered, rcpts) {
		t.Fatalf("delivery events name %v, want %v", delivered, rcpts)
	}
	if done, err := f.store.MarkSent([]Delivery{first}); err != nil || len(done) != 0 {
		t.Fatalf("MarkSent of a mail gone = %v, %v; want it skipped", done, err)
	}
}
