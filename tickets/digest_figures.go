package tickets

import (
	"cmp"
	"fmt"
	"strconv"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/ticketd/ticketd/templates"
	"github.com/ticketd/ticketd/templates/charts"
)

// The digest's figures come from the report aggregates (aggregate.go):
// a handful of reports over the period, computed together (reports: the
// records of a period read once for all), costing per group and day,
// not per ticket. Attribution is the report's: opened on the day opened,
// resolved on the day resolved, escalations at the tier left, and so on.

// SLA targets as the report names them.
const (
	targetFirstResponse = "first_response"
	targetResolution    = "resolution"
)

// digestFigures fills d with the figures of pr: totals and the previous
// period's, backlog per tier now, breakdowns by type, category and agent,
// and the numbers of the charts, which it gives draw (unless nil) as soon
// as each chart's are known.
func (s *Service) digestFigures(tx *bolt.Tx, d *templates.Digest, p DigestPeriod, pr digestSpan, now time.Time, draw *chartDrawer) error {
	if err := s.digestAges(tx, d, now, draw); err != nil {
		return err
	}
	loc := s.location()
	// The backlog is what is open now: open at the end of today, as far
	// as anything is known (a whole day, so the aggregates answer).
	y, m, dd := now.In(loc).Date()
	today, tomorrow := time.Date(y, m, dd, 0, 0, 0, 0, loc), time.Date(y, m, dd+1, 0, 0, 0, 0, loc)
	from, to := pr.chartDays(p, loc)
	// All in one go: the four over the period share each record read,
	// and one walk of the open spans serves all (reports).
	rs, err := reports(tx, []ReportQuery{
		{From: pr.From, To: pr.To, By: []Dim{DimQueue, DimTier}, Loc: loc},
		{From: pr.PrevFrom, To: pr.PrevTo, Loc: loc},
		{From: today, To: tomorrow, By: []Dim{DimQueue, DimTier}, Loc: loc},
		{From: pr.From, To: pr.To, By: []Dim{DimType}, Loc: loc},
		{From: pr.From, To: pr.To, By: []Dim{DimCategory}, Loc: loc},
		{From: pr.From, To: pr.To, By: []Dim{DimAgent}, Loc: loc},
		{From: from, To: to, By: []Dim{DimDay}, Loc: loc},
	})
	if err != nil {
		return fmt.Errorf("digest figures: %w", err)
	}
	cur, prev, open, byType, byCat, byAgent, byDay := rs[0], rs[1], rs[2], rs[3], rs[4], rs[5], rs[6]
	t := cur.Total
	d.New, d.Resolved, d.Escalated, d.Breaches = t.Opened, t.Resolved, t.Escalated, breaches(t)
	d.MedianFirstResponse, d.MedianResolution = medianText(t.FirstResponse), medianText(t.Resolution)
	d.Satisfaction = satisfactionText(t.CSAT)
	d.SLAFirstResponse, d.SLAResolution = slaText(t, targetFirstResponse), slaText(t, targetResolution)
	d.Previous = previous(prev.Total, t)

	s.digestBacklog(d, cur, open)
	var tiers []charts.TierSLA
	tiers, d.TierSLA = s.tierSLA(cur)
	draw.sla(tiers)

	d.ByType, d.ByCategory = s.kindRows(byType), categoryRows(byCat)
	d.Agents = agentRows(byAgent)

	var days []charts.Day
	days, d.Days = dayRows(byDay, from, to, loc)
	draw.volume(days)

	return nil
}

// digestAges fills d's backlog by age, now, and starts its chart. It needs
// none of the reports: read first, its chart is drawn beside them — the
// process's first chart, which pays the chart code's first-use costs
// (fonts turned into faces, glyphs rasterized, the image and PNG buffers
// the later charts reuse, ~10 ms at mail size) on a core the reports
// leave idle rather than after them.
func (s *Service) digestAges(tx *bolt.Tx, d *templates.Digest, now time.Time, draw *chartDrawer) error {
	ages, err := backlogByAge(tx, now)
	if err != nil {
		return fmt.Errorf("digest backlog by age: %w", err)
	}
	lang := string(s.deskLanguage(nil))
	var buckets []charts.Bucket
	for i, a := range ages {
		next := time.Duration(0)
		if i+1 < len(ages) {
			next = ages[i+1].MinAge
		}
		label := charts.AgeLabel(lang, a.MinAge, next)
		buckets = append(buckets, charts.Bucket{Label: label, N: a.N})
		d.Ages = append(d.Ages, templates.Count{Label: label, N: a.N})
	}
	draw.backlog(buckets)
	return nil
}

// breaches counts the period's SLA breaches, every target.
func breaches(f Figures) int {
	n := 0
	for _, s := range f.SLA {
		n += s.Breached
	}
	return n
}

func medianText(f DurationFigures) string {
	if f.N == 0 {
		return ""
	}
	return humanDuration(f.Median)
}

func satisfactionText(c CSATFigures) string {
	if c.Responses == 0 {
		return ""
	}
	return fmt.Sprintf("%.1f / 5 (%d)", c.Mean, c.Responses)
}

// slaOf returns f's figures of target (zero when none).
func slaOf(f Figures, target string) SLAFigures {
	for _, s := range f.SLA {
		if s.Target == target {
			return s
		}
	}
	return SLAFigures{Target: target}
}

// slaText writes a target's compliance: "92% (12/13)"; "" when no ticket
// was measured against it.
func slaText(f Figures, target string) string {
	s := slaOf(f, target)
	if s.Met+s.Breached == 0 {
		return ""
	}
	return fmt.Sprintf("%.0f%% (%d/%d)", percent(s.Met, s.Breached), s.Met, s.Met+s.Breached)
}

func percent(met, breached int) float64 {
	if met+breached == 0 {
		return 0
	}
	return float64(met) * 100 / float64(met+breached)
}

// previous is the previous period's figures beside the arrows that say
// how each moved to the current one's.
func previous(before, now Figures) *templates.Previous {
	p := &templates.Previous{
		New: before.Opened, Resolved: before.Resolved, Escalated: before.Escalated, Breaches: breaches(before),
		MedianFirstResponse: medianText(before.FirstResponse), MedianResolution: medianText(before.Resolution),
		Satisfaction:     satisfactionText(before.CSAT),
		SLAFirstResponse: slaText(before, targetFirstResponse), SLAResolution: slaText(before, targetResolution),
	}
	a := &p.Arrows
	a.New, a.Resolved = arrow(now.Opened, before.Opened), arrow(now.Resolved, before.Resolved)
	a.Escalated, a.Breaches = arrow(now.Escalated, before.Escalated), arrow(breaches(now), breaches(before))
	if now.FirstResponse.N > 0 && before.FirstResponse.N > 0 {
		a.FirstResponse = arrow(now.FirstResponse.Median, before.FirstResponse.Median)
	}
	if now.Resolution.N > 0 && before.Resolution.N > 0 {
		a.Resolution = arrow(now.Resolution.Median, before.Resolution.Median)
	}
	if now.CSAT.Responses > 0 && before.CSAT.Responses > 0 {
		// To the tenth shown: a move the reader cannot see is "=".
		a.Satisfaction = arrow(round1(now.CSAT.Mean), round1(before.CSAT.Mean))
	}
	for _, t := range []struct {
		arrow  *string
		target string
	}{{&a.SLAFirstResponse, targetFirstResponse}, {&a.SLAResolution, targetResolution}} {
		x, y := slaOf(now, t.target), slaOf(before, t.target)
		if x.Met+x.Breached > 0 && y.Met+y.Breached > 0 {
			*t.arrow = arrow(round0(percent(x.Met, x.Breached)), round0(percent(y.Met, y.Breached)))
		}
	}
	return p
}

// arrow says how now moved from before: "↑" up, "↓" down, "=" same.
func arrow[T cmp.Ordered](now, before T) string {
	switch cmp.Compare(now, before) {
	case 1:
		return "↑"
	case -1:
		return "↓"
	}
	return "="
}

func round1(f float64) int64 { return int64(f*10 + 0.5) }
func round0(f float64) int64 { return int64(f + 0.5) }

// digestBacklog fills the backlog rows (open tickets per queue and tier,
// from open) and the escalations per tier reached (from cur: a report
// counts an escalation at the tier it left).
func (s *Service) digestBacklog(d *templates.Digest, cur, open Report) {
	backlog, rowOf := s.backlogRows()
	// The rows of a group's queue, and its tier level.
	rowIndex := func(g []string) ([]int, int, bool) {
		level, err := strconv.Atoi(g[1])
		rows := rowOf[s.queueOf(&Ticket{Queue: g[0]})]
		return rows, level, err == nil && level >= 1 && level <= len(rows)
	}
	d.Open = open.Total.OpenAtEnd
	for _, r := range open.Rows {
		if rows, level, ok := rowIndex(r.Group); ok {
			backlog[rows[level-1]].Total += r.Figures.OpenAtEnd
		}
	}
	escalatedTo := make([]int, len(backlog))
	for _, r := range cur.Rows {
		if rows, level, ok := rowIndex(r.Group); ok && level < len(rows) {
			escalatedTo[rows[level]] += r.Figures.Escalated
		}
	}
	for i, n := range escalatedTo {
		if n > 0 {
			d.EscalatedByTier = append(d.EscalatedByTier, templates.Count{Label: backlog[i].Tier, N: n})
		}
	}
	most := 0
	for _, r := range backlog {
		most = max(most, r.Total)
	}
	for i := range backlog {
		if most > 0 {
			backlog[i].Bar = (backlog[i].Total*barWidth + most - 1) / most
		}
	}
	d.Backlog = backlog
}

// tierSLA sums each tier level's compliance over the queues: the SLA
// chart's bars and its numbers. Levels are named as the default queue
// names them; a level it lacks by its number.
func (s *Service) tierSLA(cur Report) ([]charts.TierSLA, []templates.TierSLARow) {
	type sums struct{ frMet, frBr, resMet, resBr int }
	ladder := s.defaultQueue().Policy.Tiers()
	levels := make([]sums, len(ladder))
	for _, r := range cur.Rows {
		level, err := strconv.Atoi(r.Group[1])
		if err != nil || level < 1 || level > 99 {
			continue
		}
		for len(levels) < level {
			levels = append(levels, sums{})
		}
		fr, res := slaOf(r.Figures, targetFirstResponse), slaOf(r.Figures, targetResolution)
		l := &levels[level-1]
		l.frMet, l.frBr, l.resMet, l.resBr = l.frMet+fr.Met, l.frBr+fr.Breached, l.resMet+res.Met, l.resBr+res.Breached
	}
	var bars []charts.TierSLA
	var rows []templates.TierSLARow
	for i, l := range levels {
		name := strconv.Itoa(i + 1)
		if i < len(ladder) {
			name = ladder[i].Name
		}
		bars = append(bars, charts.TierSLA{Tier: name, FirstResponse: percent(l.frMet, l.frBr), Resolution: percent(l.resMet, l.resBr)})
		text := func(met, br int) string {
			if met+br == 0 {
				return "-"
			}
			return fmt.Sprintf("%.0f%% (%d/%d)", percent(met, br), met, met+br)
		}
		rows = append(rows, templates.TierSLARow{Tier: name, FirstResponse: text(l.frMet, l.frBr), Resolution: text(l.resMet, l.resBr)})
	}
	return bars, rows
}

// agentRows are the per-agent figures; work no agent did ("" group:
// ticketd's own escalations, the requester's) is not an agent's.
func agentRows(r Report) []templates.AgentRow {
	var out []templates.AgentRow
	for _, row := range r.Rows {
		if row.Group[0] == "" {
			continue
		}
		f := row.Figures
		if f.Answers+f.Resolved+f.FirstResponse.N+f.CSAT.Responses == 0 {
			continue
		}
		out = append(out, templates.AgentRow{Agent: row.Group[0], Answers: f.Answers, Resolved: f.Resolved,
			MedianFirstResponse: medianText(f.FirstResponse), Satisfaction: satisfactionText(f.CSAT)})
	}
	return out
}

// dayRows are the volume chart's days, [from, to) in loc, with the days
// nothing happened on.
func dayRows(r Report, from, to time.Time, loc *time.Location) ([]charts.Day, []templates.DayRow) {
	byDay := map[string]Figures{}
	for _, row := range r.Rows {
		byDay[row.Group[0]] = row.Figures
	}
	var days []charts.Day
	var rows []templates.DayRow
	y, m, dd := from.In(loc).Date()
	for i := 0; ; i++ {
		day := time.Date(y, m, dd+i, 0, 0, 0, 0, loc) // not +24h: days around DST are 23 or 25 hours
		if !day.Before(to) {
			break
		}
		f := byDay[day.Format("2006-01-02")]
		days = append(days, charts.Day{Date: day, Opened: f.Opened, Resolved: f.Resolved})
		rows = append(rows, templates.DayRow{Day: day.Format("2006-01-02"), Opened: f.Opened, Resolved: f.Resolved})
	}
	return days, rows
}
