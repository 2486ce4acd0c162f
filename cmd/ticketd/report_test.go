package main

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/ticketd/ticketd/tickets"
)

// reportConfig is the configuration the format tests write with: a desk
// in Bogotá whose default queue is "soporte".
func reportConfig(t *testing.T) *Config {
	t.Helper()
	loc, err := time.LoadLocation("America/Bogota")
	if err != nil {
		t.Fatal(err)
	}
	cfg := &Config{}
	cfg.Location, cfg.QueueName = loc, "soporte"
	return cfg
}

// sampleReport is a hand-built report by tier and category with every
// kind of figure, and category names a CSV must quote.
func sampleReport(loc *time.Location) tickets.Report {
	from := time.Date(2026, 11, 23, 0, 0, 0, 0, loc)
	fig := func(opened int, fr time.Duration, met, breached int) tickets.Figures {
		pct := 0.0
		if met+breached > 0 {
			pct = float64(met) / float64(met+breached) * 100
		}
		return tickets.Figures{Opened: opened, Resolved: opened - 1, Reopened: 1, Escalated: 2, OpenAtEnd: 3, Answers: 7,
			FirstResponse: tickets.DurationFigures{N: opened, Median: fr, P90: 3 * fr, Mean: 2 * fr},
			Resolution:    tickets.DurationFigures{N: opened - 1, Median: 26 * time.Hour, P90: 50 * time.Hour, Mean: 30*time.Hour + 30*time.Minute},
			SLA: []tickets.SLAFigures{{Target: "resolution", Met: met, Breached: breached, Percent: pct},
				{Target: "first_response", Met: met + 1, Breached: 0, Percent: 100}},
			CSAT: tickets.CSATFigures{Responses: 4, Mean: 4.25, SatisfiedPct: 75}}
	}
	return tickets.Report{
		Query: tickets.ReportQuery{From: from, To: from.AddDate(0, 0, 7), By: []tickets.Dim{tickets.DimTier, tickets.DimCategory}, Loc: loc},
		Rows: []tickets.ReportRow{
			{Group: []string{"1", "Redes; \"VPN\"\nremoto"}, Figures: fig(12, 90*time.Minute, 9, 3)},
			{Group: []string{"1", ""}, Figures: tickets.Figures{Opened: 1, OpenAtEnd: 1}},
			{Group: []string{"2", "Impresión"}, Figures: fig(3, 20*time.Minute, 2, 0)},
		},
		Total: fig(16, 75*time.Minute, 11, 3),
	}
}

func samplePeriod() reportPeriod { return reportPeriod{From: "2026-11-23", To: "2026-11-29"} }

func render(t *testing.T, cfg *Config, o reportOptions, rep tickets.Report) string {
	t.Helper()
	var b bytes.Buffer
	if err := writeReport(&b, cfg, o, samplePeriod(), rep); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

func TestReportTableAligned(t *testing.T) {
	cfg := reportConfig(t)
	out := render(t, cfg, reportOptions{format: "table", sep: ","}, sampleReport(cfg.Location))
	lines := strings.Split(out, "\n")
	if lines[0] != "2026-11-23 to 2026-11-29 (America/Bogota)" {
		t.Errorf("first line %q", lines[0])
	}
	table := lines[2:8] // head, 3 rows, rule, total
	width := utf8.RuneCountInString(table[0])
	for _, l := range table {
		if utf8.RuneCountInString(l) != width {
			t.Errorf("line of %d runes, head has %d:\n%s", utf8.RuneCountInString(l), width, strings.Join(table, "\n"))
		}
	}
	// Figures are right-aligned: each heading ends where its column does.
	head := table[0]
	end := func(line, cell string, from int) int {
		i := strings.Index(line[from:], cell)
		if i < 0 {
			t.Fatalf("%q not in %q", cell, line)
		}
		return utf8.RuneCountInString(line[:from+i+len(cell)])
	}
	if a, b := end(head, "OPENED", 0), end(table[1], "12", len("1  Redes; \"VPN\" remoto")); a != b {
		t.Errorf("OPENED ends at %d, its 12 at %d:\n%s", a, b, strings.Join(table, "\n"))
	}
	for _, want := range []string{
		"TIER   CATEGORY", "\n1      Redes; \"VPN\" remoto   ", // the newline of a name stays out of the table
		"\n1      (none)   ", "\n2      Impresión   ", "\nTOTAL   ",
		"1h30m", "4h30m", "1d02h", "1d07h", "2d02h", // median, p90 of first response; resolution in days
		"75.0%", "100.0%", "4.25", "-",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("table lacks %q:\n%s", want, out)
		}
	}
	if i, j := strings.Index(head, "SLA FR"), strings.Index(head, "SLA RES"); i < 0 || j < i {
		t.Errorf("SLA columns not first response then resolution: %q", head)
	}
	if !strings.HasPrefix(table[4], "-----") || !strings.HasPrefix(table[5], "TOTAL") {
		t.Errorf("no rule and total:\n%s", strings.Join(table, "\n"))
	}
}

func TestReportCSV(t *testing.T) {
	cfg := reportConfig(t)
	rep := sampleReport(cfg.Location)
	for _, tc := range []struct {
		sep         string
		bom         bool
		median, pct string
	}{
		{",", false, "1.50", "75.0"},
		{";", true, "1,50", "75,0"},
	} {
		out := render(t, cfg, reportOptions{format: "csv", sep: tc.sep, bom: tc.bom}, rep)
		if got := strings.HasPrefix(out, "\uFEFF"); got != tc.bom {
			t.Errorf("sep %q: BOM %v, want %v", tc.sep, got, tc.bom)
		}
		if strings.Count(out, "\r\n") != 6 || strings.Count(out, "\n") != 6 {
			t.Errorf("sep %q: line ends are not all CRLF (5 records, one quoted line break):\n%q", tc.sep, out)
		}
		r := csv.NewReader(strings.NewReader(strings.TrimPrefix(out, "\uFEFF")))
		r.Comma = rune(tc.sep[0])
		recs, err := r.ReadAll()
		if err != nil {
			t.Fatalf("sep %q: CSV does not read back: %v\n%s", tc.sep, err, out)
		}
		if len(recs) != 5 {
			t.Fatalf("sep %q: %d records, want head, 3 rows, total", tc.sep, len(recs))
		}
		col := map[string]int{}
		for i, h := range recs[0] {
			col[h] = i
		}
		for _, h := range []string{"tier", "category", "opened", "first_response_median_h", "sla_first_response_pct", "sla_resolution_pct", "csat_satisfied_pct"} {
			if _, ok := col[h]; !ok {
				t.Fatalf("sep %q: no column %s in %v", tc.sep, h, recs[0])
			}
		}
		row := recs[1]
		if row[col["category"]] != "Redes; \"VPN\"\nremoto" || row[col["tier"]] != "1" || row[col["opened"]] != "12" {
			t.Errorf("sep %q: first row %q", tc.sep, row)
		}
		if row[col["first_response_median_h"]] != tc.median || row[col["sla_resolution_pct"]] != tc.pct {
			t.Errorf("sep %q: median %q pct %q, want %q %q", tc.sep, row[col["first_response_median_h"]], row[col["sla_resolution_pct"]], tc.median, tc.pct)
		}
		if none := recs[2]; none[col["category"]] != noneValue || none[col["first_response_median_h"]] != "" || none[col["sla_resolution_pct"]] != "" {
			t.Errorf("sep %q: a row with nothing measured: %q", tc.sep, none)
		}
		if total := recs[4]; total[0] != "total" || total[col["opened"]] != "16" {
			t.Errorf("sep %q: total %q", tc.sep, total)
		}
	}
}

func TestReportJSON(t *testing.T) {
	cfg := reportConfig(t)
	rep := sampleReport(cfg.Location)
	rep.Query.By = []tickets.Dim{tickets.DimQueue, tickets.DimCategory}
	rep.Rows[0].Group[0] = "" // the default queue is stored as ""
	out := render(t, cfg, reportOptions{format: "json", sep: ","}, rep)
	var v struct {
		From, To, Timezone string
		By                 []string
		Rows               []struct {
			Group   map[string]string
			Figures struct {
				Opened        int
				FirstResponse struct {
					N             int
					MedianSeconds int64 `json:"median_seconds"`
				} `json:"first_response"`
				SLA []struct {
					Target        string
					Met, Breached int
					Percent       float64
				}
				CSAT struct {
					Responses    int
					SatisfiedPct float64 `json:"satisfied_pct"`
				}
			}
		}
		Total struct{ Opened int }
	}
	if err := json.Unmarshal([]byte(out), &v); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if v.From != "2026-11-23" || v.To != "2026-11-29" || v.Timezone != "America/Bogota" || strings.Join(v.By, ",") != "queue,category" {
		t.Errorf("head: %+v", v)
	}
	r := v.Rows[0]
	if len(v.Rows) != 3 || r.Group["queue"] != "soporte" || r.Group["category"] != "Redes; \"VPN\"\nremoto" || r.Figures.Opened != 12 ||
		r.Figures.FirstResponse.MedianSeconds != 5400 || r.Figures.FirstResponse.N != 12 {
		t.Errorf("first row: %+v", r)
	}
	if s := r.Figures.SLA; len(s) != 2 || s[0].Target != "first_response" || s[1].Target != "resolution" || s[1].Met != 9 || s[1].Breached != 3 || s[1].Percent != 75 {
		t.Errorf("sla: %+v", s)
	}
	if r.Figures.CSAT.Responses != 4 || r.Figures.CSAT.SatisfiedPct != 75 || v.Total.Opened != 16 {
		t.Errorf("csat %+v total %+v", r.Figures.CSAT, v.Total)
	}
}

func TestReportPeriod(t *testing.T) {
	zone := func(name string) *time.Location {
		loc, err := time.LoadLocation(name)
		if err != nil {
			t.Fatal(err)
		}
		return loc
	}
	bogota, madrid, saoPaulo := zone("America/Bogota"), zone("Europe/Madrid"), zone("America/Sao_Paulo")
	for _, tc := range []struct {
		name     string
		now      time.Time
		loc      *time.Location
		from, to string
		wantFrom string
		wantTo   string
		hours    float64 // End - Start
	}{
		{"wednesday: last week", time.Date(2026, 12, 2, 10, 0, 0, 0, bogota), bogota, "", "", "2026-11-23", "2026-11-29", 7 * 24},
		{"monday early: the week before", time.Date(2026, 11, 30, 0, 10, 0, 0, bogota), bogota, "", "", "2026-11-23", "2026-11-29", 7 * 24},
		// Sunday 23:30 in Bogotá is already Monday in UTC: the desk's day counts.
		{"sunday night", time.Date(2026, 12, 7, 4, 30, 0, 0, time.UTC), bogota, "", "", "2026-11-23", "2026-11-29", 7 * 24},
		{"the week summer time starts", time.Date(2026, 4, 1, 12, 0, 0, 0, madrid), madrid, "", "", "2026-03-23", "2026-03-29", 7*24 - 1},
		{"the week summer time ends", time.Date(2026, 10, 28, 12, 0, 0, 0, madrid), madrid, "", "", "2026-10-19", "2026-10-25", 7*24 + 1},
		// In São Paulo (2018) summer time began at midnight: the day began at 01:00.
		{"a day without midnight", time.Date(2018, 12, 1, 0, 0, 0, 0, saoPaulo), saoPaulo, "2018-11-04", "2018-11-04", "2018-11-04", "2018-11-04", 23},
		{"from only: to today", time.Date(2026, 12, 2, 10, 0, 0, 0, bogota), bogota, "2026-11-01", "", "2026-11-01", "2026-12-02", 32 * 24},
		{"to only: the week ending then", time.Date(2026, 12, 2, 10, 0, 0, 0, bogota), bogota, "", "2026-11-15", "2026-11-09", "2026-11-15", 7 * 24},
	} {
		t.Run(tc.name, func(t *testing.T) {
			o := reportOptions{from: tc.from, to: tc.to}
			p, err := o.period(tc.now, tc.loc)
			if err != nil {
				t.Fatal(err)
			}
			if p.From != tc.wantFrom || p.To != tc.wantTo || p.End.Sub(p.Start).Hours() != tc.hours {
				t.Fatalf("period %s – %s, %s – %s (%v h); want %s – %s, %v h", p.From, p.To, p.Start, p.End, p.End.Sub(p.Start).Hours(),
					tc.wantFrom, tc.wantTo, tc.hours)
			}
			if s := p.Start.In(tc.loc); s.Format(dateLayout) != tc.wantFrom || (s.Hour() != 0 && tc.name != "a day without midnight") {
				t.Errorf("start %s is not the start of %s", s, tc.wantFrom)
			}
		})
	}
}

func TestReportBadOptions(t *testing.T) {
	now := time.Date(2026, 12, 2, 10, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		o    reportOptions
		want string
	}{
		{reportOptions{from: "2026-13-01"}, `--from: "2026-13-01" is not a date (YYYY-MM-DD)`},
		{reportOptions{to: "yesterday"}, `--to: "yesterday" is not a date`},
		{reportOptions{from: "2026-12-05", to: "2026-12-01"}, "--from 2026-12-05 is after --to 2026-12-01"},
		{reportOptions{by: dimFlag{"tiers"}}, `--by: "tiers" is not one of tier, agent, queue, type, category, priority, day, week, month`},
		{reportOptions{by: dimFlag{"tier", "week", "queue"}}, "--by: at most two groupings, got 3 (tier, week, queue)"},
		{reportOptions{by: dimFlag{"week", "week"}}, "--by: week given twice"},
		{reportOptions{format: "xlsx"}, `--format: "xlsx" is not one of table, csv, json`},
		{reportOptions{format: "csv", sep: "\t"}, `--sep: "\t" is not "," or ";"`},
		{reportOptions{format: "table", bom: true}, "--bom and --sep are for --format csv"},
	} {
		if tc.o.format == "" {
			tc.o.format = "table"
		}
		if tc.o.sep == "" {
			tc.o.sep = ","
		}
		_, _, err := tc.o.query(now, time.UTC)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%+v: %v, want %q", tc.o, err, tc.want)
		}
	}
	// Both spellings of two groupings.
	var by dimFlag
	_ = by.Set("tier, Week")
	_ = by.Set("queue")
	if by.String() != "tier,week,queue" {
		t.Errorf("--by collected %q", by.String())
	}
}

// A report asked of the daemon over its socket prints exactly what the
// same report prints read directly, in every format.
func TestReportOverTheSocket(t *testing.T) {
	cfg := reportConfig(t)
	rep := sampleReport(cfg.Location)
	src := &fixedReport{rep: rep}
	socket := filepath.Join(t.TempDir(), "admin", "ticketd.sock")
	ln, err := listenPrivate(socket)
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: apiHandler(src, nil), ReadHeaderTimeout: 5 * time.Second}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })

	remote := newRemoteSource(socket)
	got, err := remote.Report(rep.Query)
	if err != nil {
		t.Fatal(err)
	}
	if q := src.asked; !q.From.Equal(rep.Query.From) || !q.To.Equal(rep.Query.To) || q.Loc.String() != "America/Bogota" ||
		len(q.By) != 2 || q.By[1] != tickets.DimCategory {
		t.Errorf("the daemon was asked %+v", q)
	}
	for _, o := range []reportOptions{{format: "table", sep: ","}, {format: "csv", sep: ";", bom: true}, {format: "json", sep: ","}} {
		if local, remote := render(t, cfg, o, rep), render(t, cfg, o, got); local != remote {
			t.Errorf("%s over the socket differs:\n%s\n---\n%s", o.format, remote, local)
		}
	}
}

// fixedReport answers every report with rep and remembers the query.
type fixedReport struct {
	adminSource
	rep   tickets.Report
	asked tickets.ReportQuery
}

func (f *fixedReport) Report(q tickets.ReportQuery) (tickets.Report, error) {
	f.asked = q
	return f.rep, nil
}
