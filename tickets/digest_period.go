package tickets

import (
	"fmt"
	"time"
)

// DigestPeriod is what a managers' digest summarises.
type DigestPeriod string

// The digest periods ([digest] period).
const (
	// DigestDaily covers the full days (in the desk's time zone) since
	// the previous digest, up to today's midnight: yesterday for a digest
	// every morning, Friday to Sunday for Monday's after a weekday
	// schedule; the day before for the first. Whole days, like weeks and
	// months, so the figures come from the day aggregates.
	DigestDaily DigestPeriod = "daily"
	// DigestWeekly covers the last full ISO week (Monday to Sunday) in
	// the desk's time zone; DigestMonthly the last full calendar month.
	// Each period is sent once: later runs of the schedule before the
	// next period ends find it sent and do nothing.
	DigestWeekly  DigestPeriod = "weekly"
	DigestMonthly DigestPeriod = "monthly"
)

// DigestPeriods are the valid periods.
var DigestPeriods = []DigestPeriod{DigestDaily, DigestWeekly, DigestMonthly}

// ParseDigestPeriod reads a [digest] period value; "" is daily.
func ParseDigestPeriod(s string) (DigestPeriod, error) {
	if s == "" {
		return DigestDaily, nil
	}
	for _, p := range DigestPeriods {
		if string(p) == s {
			return p, nil
		}
	}
	return "", fmt.Errorf("unknown digest period %q (daily, weekly or monthly)", s)
}

// digestSpan is the span a digest covers, [From, To), and the one before it,
// of the same length (daily) or the calendar week or month before.
type digestSpan struct {
	From, To         time.Time
	PrevFrom, PrevTo time.Time
}

// digestPeriod is the period a digest built at now covers, in loc. last
// is when the previous digest was queued (zero: none).
func digestPeriod(p DigestPeriod, now, last time.Time, loc *time.Location) digestSpan {
	local := now.In(loc)
	y, m, d := local.Date()
	switch p {
	case DigestWeekly:
		monday := d - (int(local.Weekday())+6)%7
		to := time.Date(y, m, monday, 0, 0, 0, 0, loc)
		from := time.Date(y, m, monday-7, 0, 0, 0, 0, loc)
		return digestSpan{From: from, To: to, PrevFrom: time.Date(y, m, monday-14, 0, 0, 0, 0, loc), PrevTo: from}
	case DigestMonthly:
		to := time.Date(y, m, 1, 0, 0, 0, 0, loc)
		from := time.Date(y, m-1, 1, 0, 0, 0, 0, loc)
		return digestSpan{From: from, To: to, PrevFrom: time.Date(y, m-2, 1, 0, 0, 0, 0, loc), PrevTo: from}
	}
	to := time.Date(y, m, d, 0, 0, 0, 0, loc)
	from := time.Date(y, m, d-1, 0, 0, 0, 0, loc)
	if !last.IsZero() {
		// The previous digest covered up to the start of the day it was
		// sent: this one goes on from there.
		ly, lm, ld := last.In(loc).Date()
		if start := time.Date(ly, lm, ld, 0, 0, 0, 0, loc); start.Before(from) {
			from = start
		}
	}
	days := 0
	for time.Date(y, m, d-days, 0, 0, 0, 0, loc).After(from) {
		days++
	}
	return digestSpan{From: from, To: to, PrevFrom: time.Date(y, m, d-2*days, 0, 0, 0, 0, loc), PrevTo: from}
}

// sent reports whether the digest of pr went out already: the previous
// one was queued after pr ended (a second run of the schedule the same
// day, week or month).
func (pr digestSpan) sent(last time.Time) bool {
	return !last.IsZero() && !last.Before(pr.To)
}

// labels formats the period for the mail: its first and its last day
// (To is exclusive); one day says the day alone.
func (pr digestSpan) labels(loc *time.Location) (from, to, prevFrom, prevTo string) {
	day := func(t time.Time) string { return t.In(loc).Format("2006-01-02") }
	last := func(t time.Time) string { return t.In(loc).AddDate(0, 0, -1).Format("2006-01-02") }
	return day(pr.From), last(pr.To), day(pr.PrevFrom), last(pr.PrevTo)
}

// chartDays is the span of the volume chart: the period's days, and for
// a daily digest the week up to its end, so one day's bars have a trend
// beside them.
func (pr digestSpan) chartDays(p DigestPeriod, loc *time.Location) (from, to time.Time) {
	from, to = pr.From, pr.To
	if p == DigestDaily {
		y, m, d := to.In(loc).Date()
		weekAgo := time.Date(y, m, d-7, 0, 0, 0, 0, loc)
		if weekAgo.Before(from) {
			from = weekAgo
		}
	}
	return from, to
}
