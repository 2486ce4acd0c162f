package tickets

import (
	"fmt"
	"testing"
	"time"

	"github.com/ticketd/ticketd/tiers"
)

// BenchmarkRoute routes a new mail over a desk of 10 queues of 5
// addresses each, in the worst case: 100 Cc addresses and 16
// Delivered-To of which none is a queue's (the mailbox decides); and a
// subject token matched against the 10 tags.
func BenchmarkRoute(b *testing.B) {
	p, err := tiers.NewPolicy([]tiers.Tier{{Level: 1, Name: "1", Agents: []string{"a@x.example"}, FirstResponse: time.Hour, Resolution: time.Hour}}, tiers.Options{})
	if err != nil {
		b.Fatal(err)
	}
	f := newFixtureWith(b, []tiers.Tier{{Level: 1, Name: "1", Agents: []string{"ana@example.com"}, FirstResponse: time.Hour, Resolution: time.Hour}},
		tiers.Options{}, func(o *Options) {
			for i := range 9 {
				q := Queue{Name: fmt.Sprint("q", i), Desk: NewAddress("", fmt.Sprintf("q%d@example.com", i)), Tag: fmt.Sprint("Q", i), Policy: p, Mailbox: fmt.Sprint("Box", i)}
				for j := range 4 {
					q.Aliases = append(q.Aliases, fmt.Sprintf("q%d-%d@example.com", i, j))
				}
				o.Queues = append(o.Queues, q)
			}
		})
	m := msg("x", "u@cliente.test", "Re: [Q8 #42] x", "x")
	m.To = []Address{{Email: "list@cliente.test"}}
	for i := range 100 {
		m.Cc = append(m.Cc, Address{Email: fmt.Sprintf("c%d@cliente.test", i)})
	}
	for i := range 16 {
		m.DeliveredTo = append(m.DeliveredTo, fmt.Sprintf("d%d@cliente.test", i))
	}
	m.Mailbox = "Box8"
	b.Run("route", func(b *testing.B) {
		for b.Loop() {
			if q := f.svc.route(&m); q.Name != "q8" {
				b.Fatal(q.Name)
			}
		}
	})
	b.Run("token", func(b *testing.B) {
		for b.Loop() {
			if n, ok := f.svc.token.find(m.Subject); !ok || n != 42 {
				b.Fatal(n)
			}
		}
	})
}
