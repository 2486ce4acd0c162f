package tickets

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/ticketd/ticketd/tiers"
)

// TestAggregatesMatchRebuildAfterRandomOperations drives the real
// workflow through 10,000 random operations — new mail, replies, agents'
// answers and commands (resolve, pending, escalate, tier, type, category,
// priority, queue, merge, problem, close, reopen, spam), ratings, clock
// advances with SLA checks — then checks that the aggregates kept along
// the way are byte for byte what a rebuild makes (months too, and they
// are the sums of the days), and that reports from them equal the
// scan's and, over whole months, those read from the days only.
func TestAggregatesMatchRebuildAfterRandomOperations(t *testing.T) {
	ops := 10000
	if testing.Short() {
		ops = 2000
	}
	const seed = 15
	t.Logf("seed %d, %d operations", seed, ops)
	rng := rand.New(rand.NewPCG(seed, seed))
	cal, err := tiers.NewCalendar(time.UTC, map[time.Weekday]string{
		time.Monday: "08:00-18:00", time.Tuesday: "08:00-18:00", time.Wednesday: "08:00-18:00",
		time.Thursday: "08:00-18:00", time.Friday: "08:00-18:00",
	}, nil)
	if err != nil {
		t.Fatal(err)
	}
	ventas, err := tiers.NewPolicy([]tiers.Tier{
		{Level: 1, Name: "Sales 1", Agents: []string{"vera@ventas.example"}, FirstResponse: time.Hour, Resolution: 8 * time.Hour},
		{Level: 2, Name: "Sales 2", Agents: []string{"victor@ventas.example"}, FirstResponse: 2 * time.Hour, Resolution: 24 * time.Hour},
	}, tiers.Options{})
	if err != nil {
		t.Fatal(err)
	}
	f := newFixtureWith(t, []tiers.Tier{
		{Level: 1, Name: "N1", Agents: []string{"ana@example.com", "luis@example.com"}, FirstResponse: time.Hour, Resolution: 8 * time.Hour, BusinessHours: true},
		{Level: 2, Name: "N2", Agents: []string{"marta@example.com"}, FirstResponse: 2 * time.Hour, Resolution: 24 * time.Hour},
		{Level: 3, Name: "N3", Agents: []string{"jorge@example.com"}, FirstResponse: 4 * time.Hour, Resolution: 48 * time.Hour},
	}, tiers.Options{Calendar: cal, WarnAt: 0.75, Keywords: map[tiers.Priority][]string{tiers.PriorityUrgent: {"urgente"}}}, func(o *Options) {
		o.CSAT = true
		o.PendingReminder, o.PendingResolve, o.AutoClose = 4*time.Hour, 48*time.Hour, 72*time.Hour
		o.Intake.Categories = []Category{{Name: "correo", Keywords: []string{"correo"}}, {Name: "vpn", Keywords: []string{"vpn"}, Tier: 2}}
		o.Queues = []Queue{{Name: "ventas", Desk: NewAddress("Ventas", "ventas@ventas.example"), Tag: "Ventas", Language: "en", Policy: ventas}}
	})
	f.store.db.NoSync = true // thousands of commits; durability is not under test
	agents := map[string][]string{"": {"ana@example.com", "luis@example.com", "marta@example.com", "jorge@example.com"}, "ventas": {"vera@ventas.example", "victor@ventas.example"}}
	subjects := []string{"No llega el correo", "VPN caída", "Impresora atascada", "urgente: sin acceso", "Pregunta", "correo y vpn urgente"}
	commands := []string{"#resolve\nListo.", "#resolve\nHecho.", "#resolve\nSolucionado.", "#resolve", "#pending\n¿Puede probar?", "#escalate\nPara nivel siguiente.", "#tier 1",
		"#type request", "#type incident", "#category correo", "#category vpn", "#priority high", "#priority low", "#close",
		"#open", "#merge %d", "#problem %d", "#spam", "#notspam", "#queue ventas", "Respuesta sin comando.", "Otra respuesta."}
	apply := func(m Inbound) {
		t.Helper()
		if _, err := f.svc.Apply(context.Background(), []Inbound{m}); err != nil {
			var me *MessageError
			if !errors.As(err, &me) {
				t.Fatalf("apply %s: %v", m.MessageID, err)
			}
		}
	}
	var n uint64 // tickets opened so far (at most)
	pick := func() (Ticket, bool) {
		if n == 0 {
			return Ticket{}, false
		}
		tk, err := f.store.Ticket(1 + rng.Uint64N(n))
		return tk, err == nil
	}
	tag := func(tk *Ticket) string {
		if tk.Queue == "ventas" {
			return "Ventas"
		}
		return "Soporte"
	}
	for i := range ops {
		id := fmt.Sprintf("m%d@x", i)
		switch r := rng.IntN(100); {
		case r < 15:
			m := msg(id, fmt.Sprintf("user%d@client.com", rng.IntN(40)), subjects[rng.IntN(len(subjects))], "Ayuda, por favor.")
			if rng.IntN(8) == 0 {
				m.To = []Address{{Email: "ventas@ventas.example"}}
			}
			apply(m)
			n++
		case r < 27:
			if tk, ok := pick(); ok {
				apply(msg(id, tk.Requester.Email, fmt.Sprintf("Re: [%s #%d] x", tag(&tk), tk.ID), "Sigue fallando."))
			}
		case r < 35:
			if tk, ok := pick(); ok {
				apply(msg(id, tk.Requester.Email, fmt.Sprintf("Re: [%s #%d] x", tag(&tk), tk.ID), fmt.Sprint(1+rng.IntN(5))))
			}
		case r < 85:
			if tk, ok := pick(); ok {
				as := agents[tk.Queue]
				text := commands[rng.IntN(len(commands))]
				if strings.Contains(text, "%d") {
					text = fmt.Sprintf(text, 1+rng.Uint64N(n))
				}
				apply(msg(id, as[rng.IntN(len(as))], fmt.Sprintf("Re: [%s #%d] x", tag(&tk), tk.ID), text))
			}
		default:
			f.now = f.now.Add(time.Duration(1+rng.IntN(90)) * time.Minute)
			f.check()
		}
		if (i+1)%2500 == 0 {
			checkAggregatesRebuild(t, f.store)
		}
	}
	checkAggregatesRebuild(t, f.store)
	checkStatsCounters(t, f.store)
	if r, err := f.store.Report(ReportQuery{From: time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC), To: f.now.AddDate(0, 0, 2).Truncate(24 * time.Hour)}); err == nil {
		t.Logf("figures: %+v", r.Total)
	}
	compareWithScan(t, f.store, time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC), f.now.AddDate(0, 0, 2).Truncate(24*time.Hour))
	y, m, _ := f.now.Date()
	compareMonthsWithDays(t, f.store, time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC), time.Date(y, m, 1, 0, 0, 0, 0, time.UTC))
}

// compareWithScan checks that the aggregates answer like the scan, for
// every dimension, pairs of them, and parts of the period.
func compareWithScan(t *testing.T, s *Store, from, to time.Time) {
	t.Helper()
	queries := []ReportQuery{{From: from, To: to}}
	for _, d := range Dims {
		queries = append(queries, ReportQuery{From: from, To: to, By: []Dim{d}})
	}
	mid := from.AddDate(0, 0, int(to.Sub(from).Hours()/48))
	queries = append(queries,
		ReportQuery{From: from, To: to, By: []Dim{DimTier, DimDay}},
		ReportQuery{From: from, To: to, By: []Dim{DimAgent, DimWeek}},
		ReportQuery{From: mid, To: to, By: []Dim{DimQueue, DimCategory}},
		ReportQuery{From: from, To: mid, By: []Dim{DimMonth, DimType}},
		ReportQuery{From: mid, To: mid.AddDate(0, 0, 7), By: []Dim{DimPriority, DimDay}},
	)
	counted := 0
	for _, q := range queries {
		q.Loc = time.UTC
		var agg, scan Report
		err := s.view(func(tx *bolt.Tx) error {
			var ok bool
			var err error
			if agg, ok, err = reportAgg(tx, q); err != nil || !ok {
				return fmt.Errorf("aggregates: ok %v, %v", ok, err)
			}
			scan, err = reportScan(tx, q)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		if a, s := fmt.Sprintf("%+v", agg), fmt.Sprintf("%+v", scan); a != s {
			t.Fatalf("by %v from %s to %s: aggregates\n%s\nscan\n%s", q.By, q.From, q.To, a, s)
		}
		counted += agg.Total.Opened
	}
	if counted == 0 {
		t.Fatal("the reports counted nothing")
	}
	now := to
	agg, err := s.BacklogByAge(now)
	if err != nil {
		t.Fatal(err)
	}
	var scan []AgeBucket
	if err := s.view(func(tx *bolt.Tx) (err error) { scan, err = backlogScan(tx, now); return err }); err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(agg) != fmt.Sprint(scan) {
		t.Fatalf("backlog: aggregates %v, scan %v", agg, scan)
	}
}
