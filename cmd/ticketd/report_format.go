package main

import (
	"bufio"
	"encoding/csv"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/ticketd/ticketd/internal/textfields"
	"github.com/ticketd/ticketd/tickets"
)

// The report's three formats. Every format has the same columns: the
// groups, then the counts, the first-response and resolution times, SLA
// compliance per target, and satisfaction; the last row is the total.
//
// The table is for people: times as "3h05m", percentages with one
// decimal, "-" where there is nothing to measure. CSV is for
// spreadsheets: times in hours with two decimals, empty cells where there
// is nothing to measure, and with --sep ';' a decimal comma, as the
// locales that separate fields with ';' (es, pt, de, fr) read numbers.
// JSON is for scripts: times in seconds, every count behind each figure.

// noneValue names an empty group value: no agent, no category.
const noneValue = "(none)"

// writeReport writes rep in the format o asks.
func writeReport(out io.Writer, cfg *Config, o reportOptions, p reportPeriod, rep tickets.Report) error {
	w := bufio.NewWriter(out)
	if len(rep.Query.By) == 0 {
		rep.Rows = nil // one group, the whole desk: the total says it
	}
	var err error
	switch o.format {
	case "json":
		err = printJSON(w, reportJSON(cfg, p, rep))
	case "csv":
		err = writeReportCSV(w, cfg, o, rep)
	default:
		err = writeReportTable(w, cfg, p, rep)
	}
	if err != nil {
		return err
	}
	return w.Flush()
}

// groupValue is how a group's value is written: the queue's configured
// name (the default queue is stored as ""), noneValue for none.
func groupValue(cfg *Config, d tickets.Dim, v string) string {
	if d == tickets.DimQueue {
		return cfg.queueName(v)
	}
	if v == "" {
		return noneValue
	}
	return v
}

// groupCells are a row's group columns as the table and CSV write them
// (groupValue), in a slice with room for the row's other columns.
func groupCells(cfg *Config, by []tickets.Dim, group []string, width int) []string {
	row := make([]string, 0, width)
	for i, d := range by {
		v := ""
		if i < len(group) {
			v = group[i]
		}
		row = append(row, groupValue(cfg, d, v))
	}
	return row
}

// slaTargets are the SLA targets the report has figures for: first
// response and resolution first, any other after them by name.
func slaTargets(rep tickets.Report) []string {
	var ts []string
	add := func(f *tickets.Figures) {
		for _, s := range f.SLA {
			if !slices.Contains(ts, s.Target) {
				ts = append(ts, s.Target)
			}
		}
	}
	add(&rep.Total)
	for i := range rep.Rows {
		add(&rep.Rows[i].Figures)
	}
	rank := func(t string) int {
		switch t {
		case "first_response":
			return 0
		case "resolution":
			return 1
		}
		return 2
	}
	slices.SortFunc(ts, func(a, b string) int {
		if r := rank(a) - rank(b); r != 0 {
			return r
		}
		return strings.Compare(a, b)
	})
	return ts
}

// slaOf is f's figures for target (zero when it has none).
func slaOf(f *tickets.Figures, target string) tickets.SLAFigures {
	for _, s := range f.SLA {
		if s.Target == target {
			return s
		}
	}
	return tickets.SLAFigures{Target: target}
}

// targetLabel shortens an SLA target for the table's heading.
func targetLabel(t string) string {
	switch t {
	case "first_response":
		return "FR"
	case "resolution":
		return "RES"
	}
	return strings.ToUpper(t)
}

// writeReportTable writes the table: group columns left-aligned, figures
// right-aligned, the total under a rule, and a legend.
func writeReportTable(w io.Writer, cfg *Config, p reportPeriod, rep tickets.Report) error {
	by := rep.Query.By
	targets := slaTargets(rep)
	head := make([]string, 0, len(by)+20)
	for _, d := range by {
		head = append(head, strings.ToUpper(string(d)))
	}
	left := len(by)
	if left == 0 {
		head, left = append(head, ""), 1 // the column that says TOTAL
	}
	head = append(head, "OPENED", "RESOLVED", "REOPENED", "ESCALATED", "OPEN AT END", "ANSWERS",
		"FR MEDIAN", "FR P90", "FR MEAN", "RES MEDIAN", "RES P90", "RES MEAN")
	for _, t := range targets {
		head = append(head, "SLA "+targetLabel(t))
	}
	head = append(head, "CSAT", "CSAT MEAN", "SATISFIED")
	cells := func(f *tickets.Figures) []string {
		row := []string{itoa(f.Opened), itoa(f.Resolved), itoa(f.Reopened), itoa(f.Escalated), itoa(f.OpenAtEnd), itoa(f.Answers)}
		for _, d := range []tickets.DurationFigures{f.FirstResponse, f.Resolution} {
			if d.N == 0 {
				row = append(row, "-", "-", "-")
				continue
			}
			row = append(row, tableDuration(d.Median), tableDuration(d.P90), tableDuration(d.Mean))
		}
		for _, t := range targets {
			row = append(row, tablePercent(slaOf(f, t)))
		}
		row = append(row, itoa(f.CSAT.Responses))
		if f.CSAT.Responses == 0 {
			return append(row, "-", "-")
		}
		return append(row, strconv.FormatFloat(f.CSAT.Mean, 'f', 2, 64), strconv.FormatFloat(f.CSAT.SatisfiedPct, 'f', 1, 64)+"%")
	}
	var rows [][]string
	for _, r := range rep.Rows {
		row := groupCells(cfg, by, r.Group, len(head))
		for i := range row {
			row[i] = tableCell(row[i])
		}
		rows = append(rows, append(row, cells(&r.Figures)...))
	}
	total := make([]string, left, len(head))
	total[0] = "TOTAL"
	fmt.Fprintf(w, "%s to %s (%s)\n\n", p.From, p.To, cfg.Location)
	writeAligned(w, head, rows, total, cells(&rep.Total), left)
	fmt.Fprint(w, "\nFR: first response, RES: resolution (business time where the tier counts business hours).\n"+
		"SLA: % of the targets met that came due in the period; CSAT: ratings (1-5), SATISFIED: % rated 4 or 5.\n")
	return nil
}

// writeAligned writes head, rows and the total row (group cells, then
// figures) in columns: the first left columns left-aligned, the others
// right-aligned, two spaces apart, with a rule above the total.
func writeAligned(w io.Writer, head []string, rows [][]string, totalGroup, totalFigures []string, left int) {
	total := append(slices.Clone(totalGroup), totalFigures...)
	widths := make([]int, len(head))
	for _, r := range append(append([][]string{head}, rows...), total) {
		for i, c := range r {
			widths[i] = max(widths[i], utf8.RuneCountInString(c))
		}
	}
	line := func(r []string) {
		var b strings.Builder
		for i, c := range r {
			pad := strings.Repeat(" ", widths[i]-utf8.RuneCountInString(c))
			if i > 0 {
				b.WriteString("  ")
			}
			if i < left {
				b.WriteString(c + pad)
			} else {
				b.WriteString(pad + c)
			}
		}
		fmt.Fprintln(w, strings.TrimRight(b.String(), " "))
	}
	line(head)
	for _, r := range rows {
		line(r)
	}
	rule := 0
	for _, n := range widths {
		rule += n + 2
	}
	fmt.Fprintln(w, strings.Repeat("-", rule-2))
	line(total)
}

// tableCell keeps a group value on one line of the table.
func tableCell(s string) string {
	return truncate(textfields.Join(s), 40)
}

func itoa(n int) string { return strconv.Itoa(n) }

// tableDuration writes a time for the table: "45s", "12m", "3h05m",
// "2d04h".
func tableDuration(d time.Duration) string {
	switch d = d.Round(time.Minute); {
	case d < time.Minute:
		return "0m"
	case d < time.Hour:
		return fmt.Sprintf("%dm", d/time.Minute)
	case d < 24*time.Hour:
		return fmt.Sprintf("%dh%02dm", d/time.Hour, d%time.Hour/time.Minute)
	}
	d = d.Round(time.Hour)
	return fmt.Sprintf("%dd%02dh", d/(24*time.Hour), d%(24*time.Hour)/time.Hour)
}

// tablePercent writes an SLA's compliance, "-" when no target came due.
func tablePercent(s tickets.SLAFigures) string {
	if s.Met+s.Breached == 0 {
		return "-"
	}
	return strconv.FormatFloat(s.Percent, 'f', 1, 64) + "%"
}

// writeReportCSV writes the report as CSV (RFC 4180: CRLF line ends,
// fields with the separator, quotes or line breaks quoted).
func writeReportCSV(w io.Writer, cfg *Config, o reportOptions, rep tickets.Report) error {
	if o.bom {
		if _, err := io.WriteString(w, "\uFEFF"); err != nil {
			return err
		}
	}
	cw := csv.NewWriter(w)
	cw.Comma, cw.UseCRLF = rune(o.sep[0]), true
	num := func(v float64, prec int) string {
		s := strconv.FormatFloat(v, 'f', prec, 64)
		if o.sep == ";" {
			s = strings.Replace(s, ".", ",", 1)
		}
		return s
	}
	by := rep.Query.By
	targets := slaTargets(rep)
	head := make([]string, 0, len(by)+30)
	for _, d := range by {
		head = append(head, string(d))
	}
	head = append(head, "opened", "resolved", "reopened", "escalated", "open_at_end", "answers")
	for _, n := range []string{"first_response", "resolution"} {
		head = append(head, n+"_n", n+"_median_h", n+"_p90_h", n+"_mean_h")
	}
	for _, t := range targets {
		head = append(head, "sla_"+t+"_met", "sla_"+t+"_breached", "sla_"+t+"_pct")
	}
	head = append(head, "csat_responses", "csat_mean", "csat_satisfied_pct")
	cells := func(f *tickets.Figures) []string {
		row := []string{itoa(f.Opened), itoa(f.Resolved), itoa(f.Reopened), itoa(f.Escalated), itoa(f.OpenAtEnd), itoa(f.Answers)}
		for _, d := range []tickets.DurationFigures{f.FirstResponse, f.Resolution} {
			if d.N == 0 {
				row = append(row, "0", "", "", "")
				continue
			}
			row = append(row, itoa(d.N), num(d.Median.Hours(), 2), num(d.P90.Hours(), 2), num(d.Mean.Hours(), 2))
		}
		for _, t := range targets {
			s := slaOf(f, t)
			pct := ""
			if s.Met+s.Breached > 0 {
				pct = num(s.Percent, 1)
			}
			row = append(row, itoa(s.Met), itoa(s.Breached), pct)
		}
		row = append(row, itoa(f.CSAT.Responses))
		if f.CSAT.Responses == 0 {
			return append(row, "", "")
		}
		return append(row, num(f.CSAT.Mean, 2), num(f.CSAT.SatisfiedPct, 1))
	}
	if err := cw.Write(head); err != nil {
		return err
	}
	for _, r := range rep.Rows {
		row := groupCells(cfg, by, r.Group, len(head))
		if err := cw.Write(append(row, cells(&r.Figures)...)); err != nil {
			return err
		}
	}
	total := make([]string, len(by))
	if len(by) > 0 {
		total[0] = "total"
	}
	if err := cw.Write(append(total, cells(&rep.Total)...)); err != nil {
		return err
	}
	cw.Flush()
	return cw.Error()
}

// The JSON shape of a report.
type (
	jsonReport struct {
		From     string      `json:"from"` // YYYY-MM-DD, inclusive
		To       string      `json:"to"`   // YYYY-MM-DD, inclusive
		Timezone string      `json:"timezone"`
		By       []string    `json:"by"`
		Rows     []jsonRow   `json:"rows"`
		Total    jsonFigures `json:"total"`
	}
	jsonRow struct {
		Group   map[string]string `json:"group"` // dim → value
		Figures jsonFigures       `json:"figures"`
	}
	jsonFigures struct {
		Opened        int          `json:"opened"`
		Resolved      int          `json:"resolved"`
		Reopened      int          `json:"reopened"`
		Escalated     int          `json:"escalated"`
		OpenAtEnd     int          `json:"open_at_end"`
		Answers       int          `json:"answers"`
		FirstResponse jsonDuration `json:"first_response"`
		Resolution    jsonDuration `json:"resolution"`
		SLA           []jsonSLA    `json:"sla"`
		CSAT          jsonCSAT     `json:"csat"`
	}
	jsonDuration struct {
		N             int   `json:"n"`
		MedianSeconds int64 `json:"median_seconds"`
		P90Seconds    int64 `json:"p90_seconds"`
		MeanSeconds   int64 `json:"mean_seconds"`
	}
	jsonSLA struct {
		Target   string  `json:"target"`
		Met      int     `json:"met"`
		Breached int     `json:"breached"`
		Percent  float64 `json:"percent"`
	}
	jsonCSAT struct {
		Responses    int     `json:"responses"`
		Mean         float64 `json:"mean"`
		SatisfiedPct float64 `json:"satisfied_pct"`
	}
)

func reportJSON(cfg *Config, p reportPeriod, rep tickets.Report) jsonReport {
	targets := slaTargets(rep)
	out := jsonReport{From: p.From, To: p.To, Timezone: cfg.Location.String(), By: []string{}, Rows: []jsonRow{},
		Total: figuresJSON(&rep.Total, targets)}
	for _, d := range rep.Query.By {
		out.By = append(out.By, string(d))
	}
	for _, r := range rep.Rows {
		g := map[string]string{}
		for i, d := range rep.Query.By {
			v := ""
			if i < len(r.Group) {
				v = r.Group[i]
			}
			if d == tickets.DimQueue {
				v = cfg.queueName(v)
			}
			g[string(d)] = v
		}
		out.Rows = append(out.Rows, jsonRow{Group: g, Figures: figuresJSON(&r.Figures, targets)})
	}
	return out
}

func figuresJSON(f *tickets.Figures, targets []string) jsonFigures {
	dur := func(d tickets.DurationFigures) jsonDuration {
		s := func(t time.Duration) int64 { return int64(t.Round(time.Second) / time.Second) }
		return jsonDuration{N: d.N, MedianSeconds: s(d.Median), P90Seconds: s(d.P90), MeanSeconds: s(d.Mean)}
	}
	out := jsonFigures{Opened: f.Opened, Resolved: f.Resolved, Reopened: f.Reopened, Escalated: f.Escalated, OpenAtEnd: f.OpenAtEnd,
		Answers: f.Answers, FirstResponse: dur(f.FirstResponse), Resolution: dur(f.Resolution), SLA: []jsonSLA{},
		CSAT: jsonCSAT{Responses: f.CSAT.Responses, Mean: f.CSAT.Mean, SatisfiedPct: f.CSAT.SatisfiedPct}}
	for _, t := range targets {
		s := slaOf(f, t)
		out.SLA = append(out.SLA, jsonSLA{Target: t, Met: s.Met, Breached: s.Breached, Percent: s.Percent})
	}
	return out
}
