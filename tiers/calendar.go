package tiers

import (
	"errors"
	"fmt"
	"strings"
	"time"
)

// Clock measures service-level time: how much of a span counts, and when a
// given amount of counted time will have passed. A tier runs on the
// business Calendar or around the clock.
type Clock interface {
	// Add returns the instant at which d of counted time has passed after from.
	Add(from time.Time, d time.Duration) time.Time
	// Elapsed returns the counted time between from and to (0 if to ≤ from).
	Elapsed(from, to time.Time) time.Duration
}

// AlwaysOpen counts every second: a 24/7 tier.
type AlwaysOpen struct{}

// Add implements Clock.
func (AlwaysOpen) Add(from time.Time, d time.Duration) time.Time { return from.Add(d) }

// Elapsed implements Clock.
func (AlwaysOpen) Elapsed(from, to time.Time) time.Duration { return max(to.Sub(from), 0) }

// Span is one opening interval of a day, in minutes after local midnight:
// [Start, End). End may be 24*60 (midnight at the end of the day).
type Span struct{ Start, End int }

// Calendar is the desk's business calendar: weekly opening hours in a time
// zone, minus holidays. Opening times are wall-clock times, so a day on
// which the zone changes to or from summer time still opens at 08:00.
type Calendar struct {
	loc      *time.Location
	week     [7][]Span       // by time.Weekday
	holidays map[string]bool // "2006-01-02" in loc
}

// maxCalendarDays bounds the search for open time (a calendar with hours
// is open at least once a week, so this is never reached in practice; it
// keeps a pathological holiday list from looping for long).
const maxCalendarDays = 3 * 366

// NewCalendar validates and returns a calendar. week maps weekdays to
// opening hours written "08:00-12:00, 13:00-18:00" (missing or "" days are
// closed); holidays are dates "2006-01-02". Every problem is reported.
func NewCalendar(loc *time.Location, week map[time.Weekday]string, holidays []string) (*Calendar, error) {
	if loc == nil {
		loc = time.UTC
	}
	c := &Calendar{loc: loc, holidays: map[string]bool{}}
	var errs []error
	open := false
	for day := time.Sunday; day <= time.Saturday; day++ {
		spans, err := parseSpans(week[day])
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", strings.ToLower(day.String()), err))
			continue
		}
		c.week[day] = spans
		open = open || len(spans) > 0
	}
	if !open && len(errs) == 0 {
		errs = append(errs, errors.New("no opening hours on any day of the week"))
	}
	for _, h := range holidays {
		d, err := time.ParseInLocation(time.DateOnly, strings.TrimSpace(h), loc)
		if err != nil {
			errs = append(errs, fmt.Errorf("holidays: %q is not a date (YYYY-MM-DD)", h))
			continue
		}
		c.holidays[d.Format(time.DateOnly)] = true
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return c, nil
}

// parseSpans reads "08:00-12:00, 13:00-18:00": ordered, not overlapping.
func parseSpans(s string) ([]Span, error) {
	var spans []Span
	for part := range strings.SplitSeq(s, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		from, to, ok := strings.Cut(part, "-")
		if !ok {
			return nil, fmt.Errorf("%q is not a range like 08:00-18:00", part)
		}
		start, err1 := parseClock(from)
		end, err2 := parseClock(to)
		if err := errors.Join(err1, err2); err != nil {
			return nil, fmt.Errorf("%q: %w", part, err)
		}
		if end <= start {
			return nil, fmt.Errorf("%q ends before it starts (a range may not cross midnight)", part)
		}
		if n := len(spans); n > 0 && start < spans[n-1].End {
			return nil, fmt.Errorf("%q overlaps or precedes the range before it", part)
		}
		spans = append(spans, Span{start, end})
	}
	return spans, nil
}

func parseClock(s string) (int, error) {
	var h, m int
	if _, err := fmt.Sscanf(strings.TrimSpace(s), "%d:%d", &h, &m); err != nil || h < 0 || m < 0 || m > 59 || h > 24 || (h == 24 && m != 0) {
		return 0, fmt.Errorf("%q is not a time HH:MM", strings.TrimSpace(s))
	}
	return h*60 + m, nil
}

// intervals calls f with each opening interval of the local day that starts
// at midnight day, in order, until f returns false.
func (c *Calendar) intervals(day time.Time, f func(start, end time.Time) bool) bool {
	if c.holidays[day.Format(time.DateOnly)] {
		return true
	}
	y, m, d := day.Date()
	for _, s := range c.week[day.Weekday()] {
		// time.Date resolves wall-clock times in the zone, summer time included.
		start := time.Date(y, m, d, 0, s.Start, 0, 0, c.loc)
		end := time.Date(y, m, d, 0, s.End, 0, 0, c.loc)
		if !f(start, end) {
			return false
		}
	}
	return true
}

// days calls f with local midnights from the day of from onwards.
func (c *Calendar) days(from time.Time, f func(day time.Time) bool) {
	y, m, d := from.In(c.loc).Date()
	for i := range maxCalendarDays {
		if !f(time.Date(y, m, d+i, 0, 0, 0, 0, c.loc)) {
			return
		}
	}
}

// Add implements Clock: the instant when d of opening time has passed after
// from. With d ≤ 0 it returns from.
func (c *Calendar) Add(from time.Time, d time.Duration) time.Time {
	if d <= 0 {
		return from
	}
	result := time.Time{}
	c.days(from, func(day time.Time) bool {
		return c.intervals(day, func(start, end time.Time) bool {
			if !end.After(from) {
				return true
			}
			if start.Before(from) {
				start = from
			}
			avail := end.Sub(start)
			if d <= avail {
				result = start.Add(d)
				return false
			}
			d -= avail
			return true
		})
	})
	if result.IsZero() { // no opening within maxCalendarDays: never due
		return from.AddDate(0, 0, maxCalendarDays)
	}
	return result
}

// Elapsed implements Clock: the opening time between from and to.
func (c *Calendar) Elapsed(from, to time.Time) time.Duration {
	var total time.Duration
	if !to.After(from) {
		return 0
	}
	c.days(from, func(day time.Time) bool {
		if !day.Before(to) {
			return false
		}
		return c.intervals(day, func(start, end time.Time) bool {
			if start.Before(from) {
				start = from
			}
			if end.After(to) {
				end = to
			}
			if end.After(start) {
				total += end.Sub(start)
			}
			return true
		})
	})
	return total
}

// Open reports whether the desk is open at t.
func (c *Calendar) Open(t time.Time) bool {
	return c.Elapsed(t, t.Add(time.Second)) > 0
}
