//go:build unix

package tickets

import (
	"fmt"
	"os"
	"strconv"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/ticketd/ticketd/tiers"
)

// BenchmarkDigest measures building the managers' digest (figures, lists,
// charts, rendering; a dry run, so nothing is stored or queued) over a
// store of many tickets spread over 180 days, most closed, the last
// fortnight's partly open, some escalated:
//
//	go test -run '^$' -bench 'Digest' -benchtime 20x ./tickets
//	DIGEST_BENCH_TICKETS=1000000 go test -run '^$' -bench 'Digest/weekly' -benchtime 10x -timeout 60m ./tickets
//
// figures is the read transaction alone (digestData: reports, lists);
// charts adds drawing the three PNGs.
func BenchmarkDigest(b *testing.B) {
	n := 100_000
	if s := os.Getenv("DIGEST_BENCH_TICKETS"); s != "" {
		var err error
		if n, err = strconv.Atoi(s); err != nil {
			b.Fatal(err)
		}
	}
	f := digestBenchDesk(b, n)
	for _, p := range []DigestPeriod{DigestDaily, DigestWeekly, DigestMonthly} {
		b.Run(fmt.Sprintf("%s/figures/%d", p, n), func(b *testing.B) {
			f.svc.opts.DigestPeriod = p
			loc := f.svc.location()
			c0 := cpuTime()
			for range b.N {
				err := f.store.db.View(func(tx *bolt.Tx) error {
					last, _ := lastDigest(tx)
					_, _, err := f.svc.digestData(tx, p, digestPeriod(p, f.now, last, loc), f.now, false)
					return err
				})
				if err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64((cpuTime()-c0).Microseconds())/1000/float64(b.N), "cpu-ms/op")
		})
		b.Run(fmt.Sprintf("%s/whole/%d", p, n), func(b *testing.B) {
			f.svc.opts.DigestPeriod = p
			c0 := cpuTime()
			for range b.N {
				res, err := f.svc.Digest(true)
				if err != nil || len(res.Images) != 3 {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64((cpuTime()-c0).Microseconds())/1000/float64(b.N), "cpu-ms/op")
		})
	}
}

// digestBenchDesk builds a desk in Bogotá whose store has n tickets opened
// evenly over the 180 days before its clock (Monday 2026-06-01 08:00).
// Tickets older than 14 days are closed after a resolution; of the last
// fortnight's, one in three is still open (half of those answered), one in
// twenty escalated to tier 2. Written in large transactions through
// putTicket/addEvent, so the aggregates are kept as the workflow keeps
// them.
func digestBenchDesk(b *testing.B, n int) *fixture {
	b.Helper()
	bogota, err := time.LoadLocation("America/Bogota")
	if err != nil {
		b.Fatal(err)
	}
	f := newFixtureWith(b, []tiers.Tier{
		{Level: 1, Name: "Nivel 1", Agents: []string{"ana@example.com", "luis@example.com", "eva@example.com"}, FirstResponse: time.Hour, Resolution: 8 * time.Hour},
		{Level: 2, Name: "Nivel 2", Agents: []string{"marta@example.com"}, FirstResponse: 2 * time.Hour, Resolution: 24 * time.Hour},
	}, tiers.Options{}, func(o *Options) {
		o.Location = bogota
		o.Managers = []string{"jefa@example.com"}
	})
	end := time.Date(2026, 6, 1, 8, 0, 0, 0, bogota)
	start := end.Add(-180 * 24 * time.Hour)
	step := end.Sub(start) / time.Duration(n)
	agents := []string{"ana@example.com", "luis@example.com", "eva@example.com"}
	const perTx = 20_000
	for done := 0; done < n; done += perTx {
		err := f.store.db.Update(func(tx *bolt.Tx) error {
			for i := done; i < min(n, done+perTx); i++ {
				id := uint64(i + 1)
				created := start.Add(time.Duration(i) * step)
				agent := agents[i%len(agents)]
				a := applier{s: f.svc, tx: tx, now: created}
				t := Ticket{ID: id, Subject: fmt.Sprintf("Solicitud %d", id), Status: StatusNew, Priority: tiers.PriorityNormal,
					Requester: NewAddress("", fmt.Sprintf("user%d@cliente.example", i%5000)), Created: created, Updated: created,
					RootMessageID: fmt.Sprintf("m%d@cliente.example", id), Tier: 1}
				a.enterTier(&t, 1)
				if err := addEvent(tx, Event{Ticket: id, Time: created, Kind: EventCreated, Actor: t.Requester.Email}); err != nil {
					return err
				}
				if err := a.save(&t); err != nil {
					return err
				}
				recent := end.Sub(created) < 14*24*time.Hour
				if i%20 == 0 {
					a.now = created.Add(90 * time.Minute)
					if err := a.escalate(&t, breachReason("first_response", time.Hour, 1), ""); err != nil {
						return err
					}
				}
				if recent && i%3 == 0 && i%2 == 0 {
					continue // open, unanswered
				}
				a.now = created.Add(time.Duration(10+i%50) * time.Minute)
				a.markAnswered(&t, agent, t.Tier)
				a.responded(&t)
				t.FirstResponse, t.Status, t.Assignee = a.now, StatusOpen, agent
				if err := addEvent(tx, Event{Ticket: id, Time: a.now, Kind: EventAnswer, Actor: agent}); err != nil {
					return err
				}
				if recent && i%3 == 0 {
					if err := a.save(&t); err != nil {
						return err
					}
					continue // open, answered
				}
				a.now = created.Add(time.Duration(2+i%6) * time.Hour)
				if err := a.setStatus(&t, StatusResolved, agent, StatusOpen); err != nil {
					return err
				}
				if !recent {
					a.now = t.ResolvedAt.Add(72 * time.Hour)
					if err := a.setStatus(&t, StatusClosed, "", StatusResolved); err != nil {
						return err
					}
				}
				if err := a.save(&t); err != nil {
					return err
				}
			}
			return tx.Bucket(bucketTickets).SetSequence(uint64(min(n, done+perTx)))
		})
		if err != nil {
			b.Fatal(err)
		}
	}
	f.now = end
	return f
}
