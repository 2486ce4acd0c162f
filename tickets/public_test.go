package tickets

import (
	"strings"
	"testing"

	bolt "go.etcd.io/bbolt"
)

// TestPublicConversationOfOlderTickets: a ticket answered before answers
// were recorded as such (no EventAnswer) still shows its agents' answers
// in the public history, from the agent's mail without its command
// lines; command-only mails and notes stay out.
func TestPublicConversationOfOlderTickets(t *testing.T) {
	f := workflowDesk(t, nil)
	f.apply(msg("r1@c", "pedro@client.com", "VPN", "No conecta."))
	err := f.store.db.Update(func(tx *bolt.Tx) error {
		for _, e := range []Event{
			{Kind: EventInbound, Actor: "ana@example.com", Detail: "agent", Text: "#prioridad alta\nHola Pedro, reinstale el cliente. ana@example.com"},
			{Kind: EventOutbound, Detail: "reply", Recipients: []string{"pedro@client.com"}},
			{Kind: EventInbound, Actor: "ana@example.com", Detail: "agent", Text: "#nivel 2"},
			{Kind: EventInbound, Actor: "luis@example.com", Detail: "note", Text: "#nota clave en el post-it"},
		} {
			e.Ticket, e.Time = 1, f.now
			if err := addEvent(tx, e); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	public := f.history(1, true)
	if !strings.Contains(public, "No conecta.") || !strings.Contains(public, "Hola Pedro, reinstale el cliente.") {
		t.Errorf("public history lacks the conversation:\n%s", public)
	}
	for _, bad := range []string{"#prioridad", "#nivel", "post-it", "ana@example.com", "luis@example.com"} {
		if strings.Contains(public, bad) {
			t.Errorf("public history carries %q:\n%s", bad, public)
		}
	}
	tk := f.ticket(1)
	f.reading(func(a *applier) error {
		if last, _ := a.lastPublicAnswer(&tk); last != "Hola Pedro, reinstale el cliente." {
			t.Errorf("last public answer %q", last)
		}
		return nil
	})
}
