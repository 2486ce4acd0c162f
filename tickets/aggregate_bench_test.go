package tickets

import (
	"fmt"
	"log/slog"
	"math/rand/v2"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/ticketd/ticketd/tiers"
)

// syntheticHistory writes n tickets opened over the year before end, with
// five events each (one an agent's answer, some escalations), straight
// into the buckets, then builds the aggregates as the migration does and
// returns how long that took.
func syntheticHistory(b testing.TB, s *Store, n int, end time.Time) time.Duration {
	b.Helper()
	rng := rand.New(rand.NewPCG(1, 2))
	agents := []string{"ana@example.com", "luis@example.com", "marta@example.com", "jorge@example.com", "vera@example.com"}
	queues := []string{"", "", "", "ventas"}
	cats := []string{"", "correo", "vpn", "impresoras"}
	s.db.NoSync = true
	defer func() { s.db.NoSync = false }()
	const batch = 5000
	for lo := 0; lo < n; lo += batch {
		err := s.db.Update(func(tx *bolt.Tx) error {
			tb, eb := tx.Bucket(bucketTickets), tx.Bucket(bucketEvents)
			for i := lo; i < min(lo+batch, n); i++ {
				id := uint64(i + 1)
				created := end.Add(-365 * 24 * time.Hour).Add(time.Duration(float64(i) / float64(n) * float64(365*24*time.Hour)))
				agent := agents[rng.IntN(len(agents))]
				tier := 1 + rng.IntN(3)
				t := Ticket{ID: id, Subject: "Synthetic", Status: StatusOpen, Queue: queues[rng.IntN(len(queues))], Tier: tier,
					Requester: Address{Email: fmt.Sprintf("u%d@client.test", i%5000)}, Created: created, Updated: created,
					Priority: tiers.PriorityNormal, Type: tiers.Types[rng.IntN(2)], Category: cats[rng.IntN(len(cats))],
					OpenedTier: 1, TierSince: created}
				answered := created.Add(time.Duration(rng.IntN(4*3600)) * time.Second)
				t.FirstResponse = answered
				t.Answered = Mark{At: answered, Tier: 1, Agent: agent, Work: answered.Sub(created)}
				if rng.IntN(10) < 8 && answered.Add(48*time.Hour).Before(end) {
					res := answered.Add(time.Duration(rng.IntN(48*3600)) * time.Second)
					t.Status, t.ResolvedAt, t.DoneAt = StatusResolved, res, res
					t.Resolved = Mark{At: res, Tier: tier, Agent: agent, Work: res.Sub(created)}
					if rng.IntN(3) == 0 {
						t.Rating, t.Rated = 1+rng.IntN(5), Mark{At: res.Add(time.Hour), Tier: tier, Agent: agent}
					}
				}
				if rng.IntN(10) == 0 {
					t.FirstResponseBreach = Mark{At: created.Add(time.Hour), Tier: 1}
				}
				if err := tb.Put(u64(id), encodeTicket(&t)); err != nil {
					return err
				}
				events := []Event{
					{Kind: EventCreated, Time: created, Actor: t.Requester.Email},
					{Kind: EventOutbound, Time: created, Recipients: []string{t.Requester.Email}},
					{Kind: EventAnswer, Time: answered, Actor: agent, FromTier: 1, Text: "Pruebe de nuevo, por favor."},
					{Kind: EventInbound, Time: answered.Add(time.Hour), Actor: t.Requester.Email, Text: "Gracias."},
				}
				if tier > 1 {
					events = append(events, Event{Kind: EventEscalated, Time: created.Add(2 * time.Hour), FromTier: 1, ToTier: tier})
				} else {
					events = append(events, Event{Kind: EventStatus, Time: t.ResolvedAt, From: StatusOpen, To: StatusResolved})
				}
				for _, e := range events {
					seq, _ := eb.NextSequence()
					e.Seq, e.Ticket = seq, id
					if err := putEvent(eb, &e); err != nil {
						return err
					}
				}
			}
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
	}
	start, wall := cpuTime(), time.Now()
	// As the migration runs: started, then a chunk of tickets per
	// transaction.
	if err := s.db.Update(func(tx *bolt.Tx) error { return startRebuild(tx, time.UTC) }); err != nil {
		b.Fatal(err)
	}
	if err := finishRebuild(s.db, slog.New(slog.DiscardHandler)); err != nil {
		b.Fatal(err)
	}
	b.Logf("aggregates of %d tickets built (the migration) in %s CPU, %s wall", n, (cpuTime() - start).Round(time.Millisecond), time.Since(wall).Round(time.Millisecond))
	return cpuTime() - start
}

// loopCPU runs f b.N times and reports its CPU time per run.
func loopCPU(b *testing.B, f func() error) {
	start := cpuTime()
	for b.Loop() {
		if err := f(); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64((cpuTime()-start).Microseconds())/float64(b.N), "cpu-µs/op")
}

// BenchmarkReportMonth: one month by tier, on 100,000 tickets over a year
// (-bench ReportMonth); the log line says how long building the
// aggregates (the migration) took.
func BenchmarkReportMonth(b *testing.B) {
	s, err := Open(b.TempDir(), time.Second)
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	end := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	syntheticHistory(b, s, 100000, end)
	q := ReportQuery{From: time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC), To: time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC), By: []Dim{DimTier}, Loc: time.UTC}
	b.Run("aggregates", func(b *testing.B) {
		loopCPU(b, func() error {
			r, err := s.Report(q)
			if err == nil && r.Total.Opened == 0 {
				err = fmt.Errorf("nothing counted: %+v", r.Total)
			}
			return err
		})
	})
	b.Run("aggregates-by-agent-day", func(b *testing.B) {
		q := q
		q.By = []Dim{DimAgent, DimDay}
		loopCPU(b, func() error { _, err := s.Report(q); return err })
	})
	b.Run("scan", func(b *testing.B) {
		loopCPU(b, func() error {
			return s.view(func(tx *bolt.Tx) error { _, err := reportScan(tx, q); return err })
		})
	})
	b.Run("backlog", func(b *testing.B) {
		loopCPU(b, func() error { _, err := s.BacklogByAge(end); return err })
	})
}
