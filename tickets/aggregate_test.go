package tickets

import (
	"fmt"
	"math"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/ticketd/ticketd/tiers"
)

// reportFixture builds, through the real workflow, a desk whose figures
// were worked out by hand (comments give the arithmetic). Tier 1 counts
// business hours (Mon–Fri 08:00–18:00 UTC), tier 2 runs 24/7.
func reportFixture(t *testing.T) *fixture {
	t.Helper()
	cal, err := tiers.NewCalendar(time.UTC, map[time.Weekday]string{
		time.Monday: "08:00-18:00", time.Tuesday: "08:00-18:00", time.Wednesday: "08:00-18:00",
		time.Thursday: "08:00-18:00", time.Friday: "08:00-18:00",
	}, nil)
	if err != nil {
		t.Fatal(err)
	}
	f := newFixtureWith(t, []tiers.Tier{
		{Level: 1, Name: "N1", Agents: []string{"ana@example.com", "luis@example.com"}, FirstResponse: time.Hour, Resolution: 8 * time.Hour, BusinessHours: true},
		{Level: 2, Name: "N2", Agents: []string{"marta@example.com"}, FirstResponse: 2 * time.Hour, Resolution: 24 * time.Hour},
	}, tiers.Options{Calendar: cal, Keywords: map[tiers.Priority][]string{tiers.PriorityUrgent: {"urgente"}}},
		func(o *Options) { o.CSAT = true })
	day := func(d, h, m int) time.Time { return time.Date(2026, 3, d, h, m, 0, 0, time.UTC) }
	at := func(when time.Time, id, from, subject, text string) {
		t.Helper()
		f.now = when
		f.apply(msg(id, from, subject, text))
	}
	// #1 Monday 09:00, pedro. Ana answers at 09:30 (first response 30m,
	// met), asks at 10:00 and waits (pending), pedro answers at 14:00,
	// ana resolves at 15:00: resolution 1h + 1h = 2h (met). Rated 5 on
	// Tuesday. Ana: 3 answers.
	at(day(2, 9, 0), "p1@c", "pedro@client.com", "Impresora", "No imprime.")
	at(day(2, 9, 30), "a1@e", "ana@example.com", "Re: [Soporte #1] x", "Pruebe reiniciarla.")
	at(day(2, 10, 0), "a2@e", "ana@example.com", "Re: [Soporte #1] x", "#pending\n¿Sigue fallando?")
	at(day(2, 14, 0), "p2@c", "pedro@client.com", "Re: [Soporte #1] x", "Sigue igual.")
	at(day(2, 15, 0), "a3@e", "ana@example.com", "Re: [Soporte #1] x", "#resolve\nCambiamos el tóner.")
	// #2 Monday 17:30, rosa. Tier 1's hour runs out Tuesday 08:30 (30m +
	// 30m of business time): breach, escalated to tier 2 by the check.
	// Marta answers 09:00 (first response 1h + 30m = 1h30m: breached),
	// resolves 12:00 (1h + 3h30m), rosa rates 2 on Wednesday 09:00, then
	// reopens at 10:00; marta resolves again 11:00: resolution 1h + 3h30m
	// + 1h = 5h30m (met); the new question gets a 4 at 12:00.
	at(day(2, 17, 30), "r1@c", "rosa@client.com", "Correo", "No llega el correo.")
	f.now = day(3, 8, 30)
	if rep := f.check(); rep.Escalations() != 1 {
		t.Fatalf("check at Tuesday 08:30: %+v", rep)
	}
	at(day(3, 9, 0), "m1@e", "marta@example.com", "Re: [Soporte #2] x", "Revisamos el buzón.")
	// #3 Tuesday 10:00, juan, urgent. Luis escalates at 10:40 with an
	// answer (tier 1's: first response 40m, met); marta makes it a request.
	at(day(3, 10, 0), "j1@c", "juan@client.com", "Acceso VPN urgente", "No entro.")
	at(day(3, 10, 40), "l1@e", "luis@example.com", "Re: [Soporte #3] x", "#escalate\nLo pasamos a nivel 2.")
	at(day(3, 11, 0), "m3@e", "marta@example.com", "Re: [Soporte #3] x", "#type request")
	// #1's rating, Tuesday.
	at(day(3, 11, 30), "p3@c", "pedro@client.com", "Re: [Soporte #1] x", "5")
	at(day(3, 12, 0), "m2@e", "marta@example.com", "Re: [Soporte #2] x", "#resolve\nListo.")
	// #4 spam: counts nowhere.
	at(day(3, 12, 30), "s1@c", "spam@client.com", "Gana dinero", "Haga clic.")
	at(day(3, 12, 40), "a4@e", "ana@example.com", "Re: [Soporte #4] x", "#spam")
	at(day(4, 9, 0), "r2@c", "rosa@client.com", "Re: [Soporte #2] x", "2")
	at(day(4, 10, 0), "r3@c", "rosa@client.com", "Re: [Soporte #2] x", "Volvió a fallar.")
	at(day(4, 11, 0), "m4@e", "marta@example.com", "Re: [Soporte #2] x", "#resolve\nAhora sí.")
	at(day(4, 12, 0), "r4@c", "rosa@client.com", "Re: [Soporte #2] x", "4")
	f.now = day(5, 0, 0)
	return f
}

// want is a row's expected figures: the counts, then the durations as
// "n median p90 mean" in minutes, SLA "met/breached" per target, CSAT
// "responses mean satisfied%".
type want struct {
	opened, resolved, reopened, escalated, openAtEnd, answers int
	fr, res                                                   string
	slaFR, slaRes                                             string
	csat                                                      string
}

func (w want) check(t *testing.T, what string, f Figures) {
	t.Helper()
	got := fmt.Sprintf("opened %d resolved %d reopened %d escalated %d open %d answers %d",
		f.Opened, f.Resolved, f.Reopened, f.Escalated, f.OpenAtEnd, f.Answers)
	exp := fmt.Sprintf("opened %d resolved %d reopened %d escalated %d open %d answers %d",
		w.opened, w.resolved, w.reopened, w.escalated, w.openAtEnd, w.answers)
	if got != exp {
		t.Errorf("%s: %s, want %s", what, got, exp)
	}
	durs := func(name, spec string, d DurationFigures) {
		var n int
		var med, p90, mean float64
		if spec != "" {
			fmt.Sscanf(spec, "%d %g %g %g", &n, &med, &p90, &mean)
		}
		// Median and p90 come from histograms (≤ 0.4 % off); means are exact.
		near := func(got time.Duration, min float64) bool {
			return math.Abs(got.Minutes()-min) <= min*0.004+1e-9
		}
		if d.N != n || !near(d.Median, med) || !near(d.P90, p90) || d.Mean != time.Duration(mean*float64(time.Minute)) {
			t.Errorf("%s %s: %+v, want %s", what, name, d, spec)
		}
	}
	durs("first response", w.fr, f.FirstResponse)
	durs("resolution", w.res, f.Resolution)
	sla := func(i int, spec string) {
		s := f.SLA[i]
		exp := "0/0"
		if spec != "" {
			exp = spec
		}
		got := fmt.Sprintf("%d/%d", s.Met, s.Breached)
		pct := 0.0
		if s.Met+s.Breached > 0 {
			pct = float64(s.Met) / float64(s.Met+s.Breached) * 100
		}
		if got != exp || s.Percent != pct {
			t.Errorf("%s SLA %s: %s (%.2f%%), want %s", what, s.Target, got, s.Percent, exp)
		}
	}
	if len(f.SLA) != 2 || f.SLA[0].Target != "first_response" || f.SLA[1].Target != "resolution" {
		t.Fatalf("%s: SLA targets %+v", what, f.SLA)
	}
	sla(0, w.slaFR)
	sla(1, w.slaRes)
	csat := "0 0 0"
	if w.csat != "" {
		csat = w.csat
	}
	if got := fmt.Sprintf("%d %g %g", f.CSAT.Responses, f.CSAT.Mean, f.CSAT.SatisfiedPct); got != csat {
		t.Errorf("%s CSAT: %s, want %s", what, got, csat)
	}
}

// reportCases are the fixture's queries and their hand-computed rows.
var reportCases = []struct {
	by    []Dim
	total want
	rows  map[string]want // by the group's values joined with "|"
}{
	{by: nil, total: want{opened: 3, resolved: 2, reopened: 1, escalated: 2, openAtEnd: 1, answers: 7,
		fr: "3 40 90 53.333333333333336", res: "2 120 330 225", slaFR: "2/1", slaRes: "2/0", csat: "2 4.5 100"}},
	{by: []Dim{DimTier}, rows: map[string]want{
		"1": {opened: 3, resolved: 1, escalated: 2, answers: 4, fr: "2 30 40 35", res: "1 120 120 120", slaFR: "2/1", slaRes: "1/0", csat: "1 5 100"},
		"2": {resolved: 1, reopened: 1, openAtEnd: 1, answers: 3, fr: "1 90 90 90", res: "1 330 330 330", slaRes: "1/0", csat: "1 4 100"},
	}},
	{by: []Dim{DimAgent}, rows: map[string]want{
		"":                  {opened: 3, reopened: 1, escalated: 1, openAtEnd: 1, slaFR: "0/1"},
		"ana@example.com":   {resolved: 1, answers: 3, fr: "1 30 30 30", res: "1 120 120 120", slaFR: "1/0", slaRes: "1/0", csat: "1 5 100"},
		"luis@example.com":  {escalated: 1, answers: 1, fr: "1 40 40 40", slaFR: "1/0"},
		"marta@example.com": {resolved: 1, answers: 3, fr: "1 90 90 90", res: "1 330 330 330", slaRes: "1/0", csat: "1 4 100"},
	}},
	{by: []Dim{DimDay}, rows: map[string]want{
		"2026-03-02": {opened: 2, resolved: 1, answers: 3, openAtEnd: 1, fr: "1 30 30 30", res: "1 120 120 120", slaFR: "1/0", slaRes: "1/0"},
		"2026-03-03": {opened: 1, escalated: 2, answers: 3, openAtEnd: 2, fr: "2 40 90 65", slaFR: "1/1", csat: "1 5 100"},
		"2026-03-04": {resolved: 1, reopened: 1, answers: 1, openAtEnd: 1, res: "1 330 330 330", slaRes: "1/0", csat: "1 4 100"},
	}},
	{by: []Dim{DimWeek}, rows: map[string]want{
		"2026-W10": {opened: 3, resolved: 2, reopened: 1, escalated: 2, openAtEnd: 1, answers: 7,
			fr: "3 40 90 53.333333333333336", res: "2 120 330 225", slaFR: "2/1", slaRes: "2/0", csat: "2 4.5 100"},
	}},
	{by: []Dim{DimType, DimPriority}, rows: map[string]want{
		"incident|normal": {opened: 2, resolved: 2, reopened: 1, escalated: 1, answers: 6, fr: "2 30 90 60", res: "2 120 330 225",
			slaFR: "1/1", slaRes: "2/0", csat: "2 4.5 100"},
		"request|urgent": {opened: 1, escalated: 1, answers: 1, openAtEnd: 1, fr: "1 40 40 40", slaFR: "1/0"},
	}},
	{by: []Dim{DimTier, DimDay}, rows: map[string]want{
		"1|2026-03-02": {opened: 2, resolved: 1, answers: 3, fr: "1 30 30 30", res: "1 120 120 120", slaFR: "1/0", slaRes: "1/0"},
		"1|2026-03-03": {opened: 1, escalated: 2, answers: 1, fr: "1 40 40 40", slaFR: "1/1", csat: "1 5 100"},
		"2|2026-03-02": {openAtEnd: 1},
		"2|2026-03-03": {answers: 2, openAtEnd: 2, fr: "1 90 90 90"},
		"2|2026-03-04": {resolved: 1, reopened: 1, answers: 1, openAtEnd: 1, res: "1 330 330 330", slaRes: "1/0", csat: "1 4 100"},
	}},
}

// checkReportFixture runs reportCases on the fixture with report.
func checkReportFixture(t *testing.T, f *fixture, report func(ReportQuery) (Report, error)) {
	t.Helper()
	from, to := time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC), time.Date(2026, 3, 5, 0, 0, 0, 0, time.UTC)
	for _, c := range reportCases {
		r, err := report(ReportQuery{From: from, To: to, By: c.by, Loc: time.UTC})
		if err != nil {
			t.Fatal(err)
		}
		if c.by == nil {
			c.total.check(t, "total", r.Total)
			continue
		}
		seen := map[string]bool{}
		var order []string
		for _, row := range r.Rows {
			key := row.Group[0]
			if len(row.Group) == 2 {
				key += "|" + row.Group[1]
			}
			order = append(order, key)
			w, ok := c.rows[key]
			if !ok {
				t.Errorf("by %v: unexpected row %q: %+v", c.by, key, row.Figures)
				continue
			}
			seen[key] = true
			w.check(t, fmt.Sprintf("by %v %q", c.by, key), row.Figures)
		}
		for key := range c.rows {
			if !seen[key] {
				t.Errorf("by %v: no row %q (rows %q)", c.by, key, order)
			}
		}
		for i := 1; i < len(r.Rows); i++ {
			if compareGroups(c.by, r.Rows[i-1].Group, r.Rows[i].Group) >= 0 {
				t.Errorf("by %v: rows out of order: %q", c.by, order)
			}
		}
	}
}

func TestReportFiguresScan(t *testing.T) {
	f := reportFixture(t)
	checkReportFixture(t, f, func(q ReportQuery) (Report, error) {
		var r Report
		err := f.store.db.View(func(tx *bolt.Tx) (err error) { r, err = reportScan(tx, q); return err })
		return r, err
	})
}

// TestReportFigures checks the stored aggregates' answers (which must
// not fall back to the scan), the backlog, and that the aggregates are
// what a rebuild makes.
func TestReportFigures(t *testing.T) {
	f := reportFixture(t)
	checkReportFixture(t, f, func(q ReportQuery) (Report, error) {
		var r Report
		err := f.store.db.View(func(tx *bolt.Tx) error {
			var ok bool
			var err error
			if r, ok, err = reportAgg(tx, q); err == nil && !ok {
				t.Fatalf("query %+v fell back to the scan", q)
			}
			return err
		})
		return r, err
	})
	checkAggregatesRebuild(t, f.store)
	ages, err := f.store.BacklogByAge(f.now)
	if err != nil {
		t.Fatal(err)
	}
	// Only #3 is open, opened Tuesday 10:00: 38 hours old.
	got := ""
	for _, a := range ages {
		got += fmt.Sprintf("%s:%d ", a.Label, a.N)
	}
	if got != "< 1 day:0 1-3 days:1 3-7 days:0 1-4 weeks:0 > 4 weeks:0 " {
		t.Errorf("backlog by age: %s", got)
	}
}

func TestReportQueryChecked(t *testing.T) {
	f := newFixture(t)
	from := time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC)
	for _, q := range []ReportQuery{
		{From: from, To: from},
		{From: from, To: from.Add(time.Hour), By: []Dim{"colour"}},
		{From: from, To: from.Add(time.Hour), By: []Dim{DimDay, DimDay}},
		{From: from, To: from.Add(time.Hour), By: []Dim{DimDay, DimTier, DimAgent}},
	} {
		if _, err := f.store.Report(q); err == nil {
			t.Errorf("query %+v accepted", q)
		}
	}
}
