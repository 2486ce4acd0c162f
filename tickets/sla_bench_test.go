package tickets

import (
	"context"
	"fmt"
	"os"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/ticketd/ticketd/tiers"
)

// BenchmarkCheckSLA measures one escalation check over a database of open
// tickets of which 100 are due (each escalates: history, three rendered
// mails, the due index refiled, one commit with fsync). The cost must
// follow the due tickets, not the open ones: compare open=10000 with
// open=100000 (and open=1000000 with TICKETD_BENCH_1M=1).
//
//	go test -run '^$' -bench CheckSLA -benchmem ./tickets
func BenchmarkCheckSLA(b *testing.B) {
	sizes := []int{10_000, 100_000}
	if os.Getenv("TICKETD_BENCH_1M") != "" {
		sizes = append(sizes, 1_000_000)
	}
	for _, open := range sizes {
		b.Run(fmt.Sprintf("open=%d/due=100", open), func(b *testing.B) {
			f := benchDesk(b)
			f.fill(b, open, 1000*time.Hour) // never due during the benchmark
			b.ReportAllocs()
			b.ResetTimer()
			for range b.N {
				b.StopTimer()
				f.fill(b, 100, time.Minute) // due: their first response target passed
				f.now = f.now.Add(2 * time.Minute)
				b.StartTimer()
				rep, err := f.svc.CheckSLA(context.Background())
				if err != nil {
					b.Fatal(err)
				}
				if rep.Escalations() != 100 || rep.More {
					b.Fatalf("check escalated %d (more %v), want exactly the 100 due", rep.Escalations(), rep.More)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/100, "ns/due-ticket")
		})
	}
}

type benchFixture struct {
	*fixture
	next uint64
}

func benchDesk(b *testing.B) *benchFixture {
	f := newFixtureWith(b, []tiers.Tier{
		{Level: 1, Name: "Nivel 1", Agents: []string{"ana@example.com"}, FirstResponse: time.Hour, Resolution: 8 * time.Hour},
		{Level: 2, Name: "Nivel 2", Agents: []string{"marta@example.com"}, FirstResponse: 10_000 * time.Hour, Resolution: 10_000 * time.Hour},
	}, tiers.Options{}, func(o *Options) { o.NotifyRequesterOnEscalation = true })
	return &benchFixture{fixture: f}
}

// fill adds n open tickets at tier 1, each with the requester's first
// mail on its timeline, whose first-response target is target from now.
func (f *benchFixture) fill(b *testing.B, n int, target time.Duration) {
	const perTx = 10_000
	for done := 0; done < n; done += perTx {
		err := f.store.db.Update(func(tx *bolt.Tx) error {
			a := applier{s: f.svc, tx: tx, now: f.now}
			for i := done; i < min(n, done+perTx); i++ {
				f.next++
				t := Ticket{ID: f.next, Subject: fmt.Sprintf("Solicitud %d", f.next), Status: StatusNew, Priority: tiers.PriorityNormal,
					Requester: NewAddress("Usuario", fmt.Sprintf("user%d@cliente.example", f.next)), Created: f.now, Updated: f.now,
					RootMessageID: fmt.Sprintf("m%d@cliente.example", f.next)}
				t.LastPublicMessageID = t.RootMessageID
				t.Tier, t.TierSince = 1, f.now
				t.SLA.FirstResponse.Start(f.now, target, tiers.AlwaysOpen{}, 0)
				t.SLA.Resolution.Start(f.now, 1000*time.Hour, tiers.AlwaysOpen{}, 0)
				if err := addEvent(tx, Event{Ticket: t.ID, Time: f.now, Kind: EventInbound, Actor: t.Requester.Email,
					MessageID: t.RootMessageID, Text: "La impresora del piso 3 no imprime desde esta mañana. ¿Pueden revisarla?"}); err != nil {
					return err
				}
				if err := a.save(&t); err != nil {
					return err
				}
			}
			if err := tx.Bucket(bucketTickets).SetSequence(f.next); err != nil {
				return err
			}
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
	}
}
