package tickets

import (
	"fmt"
	"time"
)

// DigestPeriod is what a managers' digest summarises.
type DigestPeriod string

// The digest periods ([digest] period).
const (
	// DigestDaily covers the time since the previous digest (the last 24
	// hours before the first), whenever the schedule runs it.
	DigestDaily DigestPeriod = "daily"
	// DigestWeekly covers the last full ISO week (Monday to Sunday) in
	// the desk's time zone; DigestMonthly the last full calendar month.
	// Each is sent once: later runs of the schedule in the same week or
	// month find it sent and do nothing.
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
	from := now.Add(-24 * time.Hour)
	if !last.IsZero() && last.Before(now) {
		from = last
	}
	return digestSpan{From: from, To: now, PrevFrom: from.Add(-now.Sub(from)), PrevTo: from}
}

// sent reports whether a weekly or monthly digest of pr went out already:
// the previous one was queued after pr ended. A daily digest is never
// "sent": each covers the time since the last.
func (pr digestSpan) sent(p DigestPeriod, last time.Time) bool {
	return p != DigestDaily && !last.IsZero() && !last.Before(pr.To)
}

// labels formats the period for the mail: minutes for a daily digest,
// the first and the last day (To is exclusive) for a week or a month.
func (pr digestSpan) labels(p DigestPeriod, loc *time.Location) (from, to, prevFrom, prevTo string) {
	if p == DigestDaily {
		f := func(t time.Time) string { return t.In(loc).Format("2006-01-02 15:04") }
		return f(pr.From), f(pr.To), f(pr.PrevFrom), f(pr.PrevTo)
	}
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
		weekAgo := time.Date(y, m, d-6, 0, 0, 0, 0, loc)
		if weekAgo.Before(from) {
			from = weekAgo
		}
	}
	return from, to
}
