package tickets

import (
	"fmt"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/ticketd/ticketd/tiers"
)

// newBenchFixture is a fixture with tickets 1..n opened by messages
// "open-<i>".
func newBenchFixture(b *testing.B, n int) *fixture {
	b.Helper()
	f := newFixtureWith(b, []tiers.Tier{
		{Level: 1, Name: "Nivel 1", Agents: []string{"ana@example.com", "luis@example.com"}, FirstResponse: time.Hour, Resolution: 8 * time.Hour},
	}, tiers.Options{}, nil)
	for start := 0; start < n; start += 100 {
		var batch []Inbound
		for i := start; i < min(start+100, n); i++ {
			batch = append(batch, msg(fmt.Sprint("open-", i), fmt.Sprintf("u%d@cliente.test", i), "No puedo imprimir", "Buenos días, no imprime."))
		}
		if _, err := f.svc.Apply(b.Context(), batch); err != nil {
			b.Fatal(err)
		}
	}
	return f
}

// BenchmarkThreading finds the ticket of a reply by In-Reply-To among
// 10,000 tickets (and by subject token), inside a read transaction.
func BenchmarkThreading(b *testing.B) {
	f := newBenchFixture(b, 10_000)
	for _, tc := range []struct {
		name string
		m    func(i int) Inbound
	}{
		{"in-reply-to", func(i int) Inbound {
			m := msg("x", "u@cliente.test", "Re: No puedo imprimir", "sigue igual")
			m.InReplyTo = []string{fmt.Sprint("open-", i%10_000)}
			m.References = []string{"unknown@elsewhere", fmt.Sprint("open-", i%10_000)}
			return m
		}},
		{"token", func(i int) Inbound {
			return msg("x", "u@cliente.test", fmt.Sprintf("Re: [Soporte #%d] No puedo imprimir", 1+i%10_000), "sigue igual")
		}},
	} {
		b.Run(tc.name, func(b *testing.B) {
			b.ReportAllocs()
			err := f.store.db.View(func(tx *bolt.Tx) error {
				a := applier{s: f.svc, tx: tx, now: f.now}
				for i := 0; b.Loop(); i++ {
					m := tc.m(i)
					if _, found, err := a.findTicket(&m, nil, 0); err != nil || !found {
						return fmt.Errorf("message %d: found %v, %v", i, found, err)
					}
				}
				return nil
			})
			if err != nil {
				b.Fatal(err)
			}
		})
	}
}

// BenchmarkApply applies messages in batches of 50 (as mailin does) to a
// store on this disk, commit and fsync included: new tickets (each
// queues an acknowledgement and the agents' notice) and requesters'
// replies to existing tickets. The time is per message.
func BenchmarkApply(b *testing.B) {
	for _, kind := range []string{"new", "reply"} {
		b.Run(kind, func(b *testing.B) {
			f := newBenchFixture(b, 1000)
			b.ReportAllocs()
			batch := make([]Inbound, 0, 50)
			flush := func() {
				if _, err := f.svc.Apply(b.Context(), batch); err != nil {
					b.Fatal(err)
				}
				batch = batch[:0]
			}
			for i := 0; b.Loop(); i++ {
				id := fmt.Sprintf("%s-%d-%d", kind, b.N, i)
				m := msg(id, fmt.Sprintf("n%d@cliente.test", i), "La VPN se desconecta", "Buenos días, la VPN se cae cada cinco minutos.")
				if kind == "reply" {
					m.From = NewAddress("", fmt.Sprintf("u%d@cliente.test", i%1000))
					m.Subject = "Re: No puedo imprimir"
					m.InReplyTo = []string{fmt.Sprint("open-", i%1000)}
				}
				if batch = append(batch, m); len(batch) == cap(batch) {
					flush()
				}
			}
			if len(batch) > 0 {
				flush()
			}
		})
	}
}
