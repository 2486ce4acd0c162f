package tickets

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	bolt "go.etcd.io/bbolt"
)

// Reports: the desk's figures for a period, grouped by tier, agent,
// queue, type, category, priority and day/week/month.
//
// Every figure is a count of facts, and every fact is a function of one
// stored ticket (the marks the workflow records on it when things happen:
// aggregate_marks.go) or of one event. Each fact has an instant, a tier and
// an agent; queue, type, category and priority are the ticket's current
// ones (a ticket moved to another queue takes all its figures with it).
// Attribution:
//   - opened: the day the ticket was created, at the tier it opened at
//     (Ticket.OpenedTier), no agent.
//   - resolved: the day of its last resolution, with the tier and the
//     agent of that moment (Ticket.Resolved); a ticket counts while it is
//     resolved or closed after that resolution — a reopening takes it
//     out until it is resolved again. Closing without resolving (spam,
//     merge, the requester's "#solved") is not a resolution.
//     Resolution time: business time from opening to that resolution.
//   - reopened: the day of each reopening, at the tier of that moment.
//   - escalated: the day of each move up a tier (event), at the tier it
//     left, by the agent who asked ("" for an SLA breach).
//   - first response: the day of the first public answer, its tier and
//     agent; business time from opening (Ticket.Answered).
//   - answers: each agent's public answer relayed (event), its day, tier
//     and agent. Events copied by a merge count on the original only.
//   - SLA, per target: breached on the day of its first breach on any tier
//     (sticky: the countdowns restart per tier, the breach stays), at that
//     tier, no agent; met otherwise, on the day the target was reached
//     (first response, resolution) with its tier and agent. An answer or a
//     resolution after the tier's countdown ran out is a breach even when
//     no check saw it first.
//   - CSAT: the day rated, at the tier and agent of the resolution.
//   - open at end: open (new, open, pending) at To — for a row of a time
//     dimension, at the end of that row's period, when earlier. Its tier
//     is the ticket's current one; a ticket counts open from its creation
//     until it last left the open statuses (Ticket.DoneAt), so a reopened
//     and resolved-again ticket counts open in between.
//
// Business time is counted on the clock of each tier the ticket was at
// (business hours where the tier counts them), without the time it waited
// on the requester or on a problem, in whole seconds. Median and 90th
// percentile (nearest rank) come from log-scale histograms: the mean of
// the values in the rank's bucket, exact when they are equal and within
// 0.8 % otherwise; means are exact. Tickets closed as spam count
// nowhere. Tickets stored before these marks existed (OpenedTier 0) are
// read from their timestamps: wall-clock durations, tier 1, no agent.

// Dim is a grouping of the report.
type Dim string

// The dimensions a report groups by.
const (
	DimTier     Dim = "tier"
	DimAgent    Dim = "agent"
	DimQueue    Dim = "queue"
	DimType     Dim = "type"
	DimCategory Dim = "category"
	DimPriority Dim = "priority"
	DimDay      Dim = "day"
	DimWeek     Dim = "week"
	DimMonth    Dim = "month"
)

// Dims are the dimensions in the order the report's help lists them.
var Dims = []Dim{DimTier, DimAgent, DimQueue, DimType, DimCategory, DimPriority, DimDay, DimWeek, DimMonth}

func (d Dim) isTime() bool { return d == DimDay || d == DimWeek || d == DimMonth }

// ReportQuery is the period [From, To) (instants; the caller turns dates
// in the desk's time zone into instants), grouped By zero, one or two
// dims. Loc is the desk's time zone (day/week/month bucketing; weeks
// start Monday, ISO); nil is UTC.
type ReportQuery struct {
	From, To time.Time
	By       []Dim
	Loc      *time.Location
}

// DurationFigures summarise durations: business time where the tier
// counts business hours.
type DurationFigures struct {
	N                 int
	Median, P90, Mean time.Duration
}

// SLAFigures are the figures of one target: "first_response" or
// "resolution".
type SLAFigures struct {
	Target        string
	Met, Breached int
	Percent       float64 // Met/(Met+Breached)*100; 0 when none
}

// CSATFigures are the satisfaction ratings (1–5).
type CSATFigures struct {
	Responses    int
	Mean         float64
	SatisfiedPct float64 // ratings >= 4
}

// Figures are the figures of one group of a report, or of all of it.
type Figures struct {
	Opened, Resolved, Reopened, Escalated, OpenAtEnd int
	Answers                                          int // agents' public answers sent (per-agent figure)
	FirstResponse                                    DurationFigures
	Resolution                                       DurationFigures
	SLA                                              []SLAFigures
	CSAT                                             CSATFigures
}

// ReportRow is one group: one value per By dim ("" = none).
type ReportRow struct {
	Group   []string
	Figures Figures
}

// Report is the answer to a ReportQuery: rows sorted by Group (tiers
// numerically, periods in time order, "" last), and the whole period.
type Report struct {
	Query ReportQuery
	Rows  []ReportRow
	Total Figures
}

// AgeBucket counts the open tickets at least MinAge old (and younger than
// the next bucket's MinAge).
type AgeBucket struct {
	Label  string
	MinAge time.Duration
	N      int
}

// backlogAges are BacklogByAge's buckets.
var backlogAges = []AgeBucket{
	{Label: "< 1 day", MinAge: 0},
	{Label: "1-3 days", MinAge: 24 * time.Hour},
	{Label: "3-7 days", MinAge: 3 * 24 * time.Hour},
	{Label: "1-4 weeks", MinAge: 7 * 24 * time.Hour},
	{Label: "> 4 weeks", MinAge: 28 * 24 * time.Hour},
}

// Report computes the figures of q in one read transaction.
func (s *Store) Report(q ReportQuery) (Report, error) {
	var r Report
	err := s.view(func(tx *bolt.Tx) error {
		var err error
		r, err = report(tx, q)
		return err
	})
	return r, err
}

// BacklogByAge counts the tickets open now by age. A ticket's age counts
// from the start of the hour it was opened in (the counters keep hours).
func (s *Store) BacklogByAge(now time.Time) ([]AgeBucket, error) {
	var out []AgeBucket
	err := s.view(func(tx *bolt.Tx) error {
		var err error
		out, err = backlogByAge(tx, now)
		return err
	})
	return out, err
}

// check validates q and fills its defaults.
func (q *ReportQuery) check() error {
	if q.Loc == nil {
		q.Loc = time.UTC
	}
	if q.From.IsZero() || q.To.IsZero() || !q.From.Before(q.To) {
		return fmt.Errorf("report: the period must have a start before its end (from %s, to %s)", q.From, q.To)
	}
	if len(q.By) > 2 {
		return errors.New("report: group by at most two dimensions")
	}
	for i, d := range q.By {
		if !slices.Contains(Dims, d) {
			return fmt.Errorf("report: unknown dimension %q", d)
		}
		if slices.Contains(q.By[:i], d) {
			return fmt.Errorf("report: dimension %q twice", d)
		}
	}
	return nil
}

// periodOf is the label of the day, ISO week or month holding at.
func periodOf(d Dim, at time.Time, loc *time.Location) string {
	at = at.In(loc)
	switch d {
	case DimDay:
		return at.Format("2006-01-02")
	case DimWeek:
		y, w := at.ISOWeek()
		return fmt.Sprintf("%04d-W%02d", y, w)
	}
	return at.Format("2006-01")
}

// periodEnd is the end of the period of dim d holding the day at.
func periodEnd(d Dim, at time.Time, loc *time.Location) time.Time {
	y, m, dd := at.In(loc).Date()
	switch d {
	case DimDay:
		return time.Date(y, m, dd+1, 0, 0, 0, 0, loc)
	case DimWeek:
		wd := (int(at.In(loc).Weekday()) + 6) % 7 // Monday 0
		return time.Date(y, m, dd-wd+7, 0, 0, 0, 0, loc)
	}
	return time.Date(y, m+1, 1, 0, 0, 0, 0, loc)
}

// compareGroups orders rows: tiers numerically, others as strings (which
// orders the periods in time), "" last.
func compareGroups(by []Dim, a, b []string) int {
	for i, d := range by {
		x, y := a[i], b[i]
		if x == y {
			continue
		}
		if x == "" || y == "" {
			if x == "" {
				return 1
			}
			return -1
		}
		if d == DimTier {
			xi, _ := strconv.Atoi(x)
			yi, _ := strconv.Atoi(y)
			if xi != yi {
				return xi - yi
			}
		}
		return strings.Compare(x, y)
	}
	return 0
}

// report computes q's figures inside tx (reports).
func report(tx *bolt.Tx, q ReportQuery) (Report, error) {
	rs, err := reports(tx, []ReportQuery{q})
	if err != nil {
		return Report{}, err
	}
	return rs[0], nil
}

// reports computes the figures of each of qs inside tx: from the stored
// aggregates, at a cost that follows the days (months) and groups of the
// periods, sharing their reads; by reading every ticket for those they
// cannot answer exactly (reportsAgg says when).
func reports(tx *bolt.Tx, qs []ReportQuery) ([]Report, error) {
	rs, ok, err := reportsAgg(tx, qs)
	if err != nil {
		return nil, err
	}
	for i, q := range qs {
		if !ok[i] {
			if rs[i], err = reportScan(tx, q); err != nil {
				return nil, err
			}
		}
	}
	return rs, nil
}

// backlogByAge counts the tickets open at now by age inside tx.
func backlogByAge(tx *bolt.Tx, now time.Time) ([]AgeBucket, error) {
	out, ok, err := backlogAgg(tx, now)
	if err != nil || ok {
		return out, err
	}
	return backlogScan(tx, now)
}
