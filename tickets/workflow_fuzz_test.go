package tickets

import (
	"context"
	"errors"
	"strconv"
	"testing"
	"time"
)

// FuzzAgentAndRequesterText feeds arbitrary text to the command parser,
// the rating and self-service readers and the knowledge base, through
// Apply and the SLA check: nothing panics, Apply fails only with a
// *MessageError, and the check never fails.
//
//	go test -run '^$' -fuzz FuzzAgentAndRequesterText -fuzztime 60s ./tickets
func FuzzAgentAndRequesterText(f *testing.F) {
	for _, seed := range []struct{ agent, requester string }{
		{"#resolver\nListo.", "4 muy bien"},
		{"#kb\nReinicie el router.", "#resuelto 1"},
		{"#nota interna\n#asignar yo", "Valoración 5"},
		{"#escalar falta técnico\n#prioridad urgente", "5/5"},
		{"#nivel 9\n#enviar", "#solved 99"},
		{"#pendiente\n#", "\x00#resuelto"},
	} {
		f.Add(seed.agent, seed.requester, uint8(1))
	}
	fx := workflowDesk(f, nil)
	n := 0
	f.Fuzz(func(t *testing.T, agentText, requesterText string, hours uint8) {
		n++
		id := func(s string) string { return s + "-" + strconv.Itoa(n) + "@fuzz" }
		apply := func(m Inbound) {
			if _, err := fx.svc.Apply(context.Background(), []Inbound{m}); err != nil {
				var me *MessageError
				if !errors.As(err, &me) {
					t.Fatalf("Apply: %v", err)
				}
			}
		}
		res, err := fx.svc.Apply(context.Background(), []Inbound{msg(id("r"), "pedro@client.com", requesterText, requesterText)})
		if err != nil || len(res) != 1 {
			return
		}
		token := "Re: [Soporte #" + strconv.FormatUint(res[0].Ticket, 10) + "] x"
		apply(msg(id("a"), "ana@example.com", token, agentText))
		apply(msg(id("p"), "pedro@client.com", token, requesterText))
		fx.now = fx.now.Add(time.Duration(hours) * time.Hour)
		if _, err := fx.svc.CheckSLA(context.Background()); err != nil {
			t.Fatalf("CheckSLA: %v", err)
		}
		if _, err := fx.store.SearchArticles(agentText+" "+requesterText, 3); err != nil {
			t.Fatalf("search: %v", err)
		}
	})
}
