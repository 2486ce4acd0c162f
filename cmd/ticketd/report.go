package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/ticketd/ticketd/tickets"
)

// ticketd report: the desk's figures over a period, grouped by one or two
// dimensions, as a table, CSV or JSON. The figures come from
// tickets.Store.Report (the aggregates), asked of the running daemon over
// its socket (adminreport.go) or of the database opened read-only; the
// formats are in report_format.go.

// reportDims are the groupings --by accepts, in the order help lists them.
var reportDims = tickets.Dims

// reportFormats are the values of --format.
var reportFormats = []string{"table", "csv", "json"}

// reportOptions are report's flags.
type reportOptions struct {
	from, to string // dates YYYY-MM-DD in the desk's time zone; "" for the default
	by       dimFlag
	format   string
	bom      bool   // CSV: start with a UTF-8 byte order mark (Excel)
	sep      string // CSV: the field separator, "," or ";"
}

// dimFlag collects --by: "--by tier,week" and "--by tier --by week" say
// the same.
type dimFlag []string

func (d *dimFlag) String() string { return strings.Join(*d, ",") }

func (d *dimFlag) Set(s string) error {
	for _, v := range strings.Split(s, ",") {
		if v = strings.TrimSpace(v); v != "" {
			*d = append(*d, strings.ToLower(v))
		}
	}
	return nil
}

// reportPeriod is a report's period: the days from and to (inclusive, in
// loc) and the instants [Start, End) they cover.
type reportPeriod struct {
	From, To   string // YYYY-MM-DD
	Start, End time.Time
}

// dateLayout is how --from, --to and the period are written.
const dateLayout = "2006-01-02"

// period turns --from and --to into instants in loc. Without either, the
// period is the last full week, Monday to Sunday, before the week of now;
// with --from only it runs to today; with --to only it is the week (seven
// days) that ends on --to.
func (o *reportOptions) period(now time.Time, loc *time.Location) (reportPeriod, error) {
	var from, to time.Time
	var err error
	if o.from != "" {
		if from, err = parseDay(o.from, loc); err != nil {
			return reportPeriod{}, fmt.Errorf("--from: %w", err)
		}
	}
	if o.to != "" {
		if to, err = parseDay(o.to, loc); err != nil {
			return reportPeriod{}, fmt.Errorf("--to: %w", err)
		}
	}
	today := day(now.In(loc))
	switch {
	case o.from == "" && o.to == "":
		// Monday of this week; the period is the week before it.
		monday := addDays(today, -((int(today.Weekday()) + 6) % 7))
		from, to = addDays(monday, -7), addDays(monday, -1)
	case o.from == "":
		from = addDays(to, -6)
	case o.to == "":
		to = today
	}
	if from.After(to) {
		return reportPeriod{}, fmt.Errorf("--from %s is after --to %s", from.Format(dateLayout), to.Format(dateLayout))
	}
	return reportPeriod{From: from.Format(dateLayout), To: to.Format(dateLayout), Start: from, End: addDays(to, 1)}, nil
}

// parseDay reads a YYYY-MM-DD date as the start of that day in loc.
func parseDay(s string, loc *time.Location) (time.Time, error) {
	t, err := time.Parse(dateLayout, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("%q is not a date (YYYY-MM-DD)", s)
	}
	return dayStart(t.Year(), t.Month(), t.Day(), loc), nil
}

// dayStart is the first instant of a day in loc: its midnight, or, where
// summer time begins at midnight (São Paulo until 2019, Santiago, Havana)
// and the day has none, the change of time. time.Date would answer with
// an instant of the day before.
func dayStart(y int, m time.Month, d int, loc *time.Location) time.Time {
	t := time.Date(y, m, d, 0, 0, 0, 0, loc)
	if want := time.Date(y, m, d, 12, 0, 0, 0, time.UTC); t.Day() != want.Day() {
		if _, end := t.ZoneBounds(); !end.IsZero() {
			return end
		}
	}
	return t
}

// day is the start of t's day in t's location.
func day(t time.Time) time.Time {
	return dayStart(t.Year(), t.Month(), t.Day(), t.Location())
}

// addDays moves a day's start by n calendar days: across a change to or
// from summer time a day has 23 or 25 hours, so not n*24h.
func addDays(t time.Time, n int) time.Time {
	// The calendar date of t's day: its start may be past midnight.
	return dayStart(t.Year(), t.Month(), t.Day()+n, t.Location())
}

// dims checks --by: known groupings, at most two, none twice.
func (o *reportOptions) dims() ([]tickets.Dim, error) {
	if len(o.by) > 2 {
		return nil, fmt.Errorf("--by: at most two groupings, got %d (%s)", len(o.by), strings.Join(o.by, ", "))
	}
	var out []tickets.Dim
	for _, v := range o.by {
		d := tickets.Dim(v)
		if !slices.Contains(reportDims, d) {
			return nil, fmt.Errorf("--by: %q is not one of %s", v, dimNames())
		}
		if slices.Contains(out, d) {
			return nil, fmt.Errorf("--by: %s given twice", v)
		}
		out = append(out, d)
	}
	return out, nil
}

func dimNames() string {
	names := make([]string, len(reportDims))
	for i, d := range reportDims {
		names[i] = string(d)
	}
	return strings.Join(names, ", ")
}

// check validates the options that need no clock: format, separator.
func (o *reportOptions) check() error {
	if !slices.Contains(reportFormats, o.format) {
		return fmt.Errorf("--format: %q is not one of %s", o.format, strings.Join(reportFormats, ", "))
	}
	if o.sep != "," && o.sep != ";" {
		return fmt.Errorf(`--sep: %q is not "," or ";"`, o.sep)
	}
	if o.format != "csv" && (o.bom || o.sep != ",") {
		return fmt.Errorf("--bom and --sep are for --format csv")
	}
	return nil
}

// query is the tickets.ReportQuery the options ask, and the period's days.
func (o *reportOptions) query(now time.Time, loc *time.Location) (tickets.ReportQuery, reportPeriod, error) {
	if err := o.check(); err != nil {
		return tickets.ReportQuery{}, reportPeriod{}, err
	}
	by, err := o.dims()
	if err != nil {
		return tickets.ReportQuery{}, reportPeriod{}, err
	}
	p, err := o.period(now, loc)
	if err != nil {
		return tickets.ReportQuery{}, reportPeriod{}, err
	}
	return tickets.ReportQuery{From: p.Start, To: p.End, By: by, Loc: loc}, p, nil
}

// reportCommand is report's entry in the command table.
func reportCommand() *command {
	return &command{
		name: "report", config: configRequired, smallHeap: true, readOnly: true,
		summary: "the desk's figures over a period, as a table, CSV or JSON",
		help: `Prints the desk's figures for the days --from to --to (inclusive, in the
desk's time zone; default: last week, Monday to Sunday), grouped --by one
or two of tier, agent, queue, type, category, priority, day, week, month
("--by tier,week" or "--by tier --by week"), with a total row: tickets
opened, resolved, reopened, escalated and still open at the end; answers
sent; first-response and resolution times (median, 90th percentile, mean;
business time where the tier counts business hours); SLA compliance per
target; satisfaction. Per-agent figures are for managers. For spreadsheets:
--format csv, with --bom for Excel and --sep ';' (decimal comma) where the
locale separates fields with semicolons (es, pt). Asks the running daemon
over its socket, or reads the database when no daemon runs.`,
		setup: func(fs *flag.FlagSet) runFunc {
			o := reportOptions{}
			fs.StringVar(&o.from, "from", "", "first `day` of the period, YYYY-MM-DD (default: Monday of last week)")
			fs.StringVar(&o.to, "to", "", "last `day` of the period, YYYY-MM-DD, inclusive (default: the Sunday after; with --from only, today)")
			fs.Var(&o.by, "by", "group by `DIMS`: one or two of "+dimNames()+", comma separated")
			fs.StringVar(&o.format, "format", "table", "output `format`: table, csv or json")
			fs.BoolVar(&o.bom, "bom", false, "CSV: start with a UTF-8 byte order mark (Excel)")
			fs.StringVar(&o.sep, "sep", ",", "CSV field `separator`: \",\" or \";\" (\";\" also writes decimal commas)")
			return func(_ context.Context, c *call) error {
				cfg, err := c.config()
				if err != nil {
					return err
				}
				q, p, err := o.query(time.Now(), cfg.Location)
				if err != nil {
					fmt.Fprintf(c.stderr, "ticketd report: %v\n", err)
					return errUsage
				}
				return runReport(cfg, o, q, p, c.stdout)
			}
		},
	}
}

// runReport asks the daemon or the database for q and writes it.
func runReport(cfg *Config, o reportOptions, q tickets.ReportQuery, p reportPeriod, w io.Writer) error {
	return withSource(cfg, false, func(src adminSource) error {
		rep, err := src.Report(q)
		if err != nil {
			return fmt.Errorf("report: %w", err)
		}
		return writeReport(w, cfg, o, p, rep)
	})
}
