package metrics

import (
	"compress/gzip"
	"io"
	"net/http/httptest"
	"regexp"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

// The lines of the text format, version 0.0.4: a metric name, optional
// labels with escaped values, a value.
var (
	sampleLine = regexp.MustCompile(`^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{((?:[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\[\\"n])*",?)*)\})? (\S+)$`)
	labelPair  = regexp.MustCompile(`([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\\n]|\\[\\"n])*)"`)
	typeLine   = regexp.MustCompile(`^# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) (counter|gauge|summary)$`)
	helpLine   = regexp.MustCompile(`^# HELP ([a-zA-Z_:][a-zA-Z0-9_:]*) ((?:[^\\\n]|\\[\\n])*)$`)
)

// parseText checks body line by line against the format, strictly: each
// family has one HELP then one TYPE line before its samples, families
// come once and sorted, every sample belongs to the family above it (a
// summary's also as _sum and _count), its value parses, no series comes
// twice. It returns the series, "name{labels}" → value, label values
// unescaped.
func parseText(t *testing.T, body string) map[string]float64 {
	t.Helper()
	series := map[string]float64{}
	var fam, kind, help string
	var names []string
	for i, line := range strings.Split(strings.TrimSuffix(body, "\n"), "\n") {
		bad := func(why string) { t.Fatalf("line %d %q: %s", i+1, line, why) }
		if m := helpLine.FindStringSubmatch(line); m != nil {
			if slices.Contains(names, m[1]) {
				bad("family written twice")
			}
			help, fam, kind = m[1], "", ""
			names = append(names, m[1])
			continue
		}
		if m := typeLine.FindStringSubmatch(line); m != nil {
			if m[1] != help || fam != "" {
				bad("TYPE not right after its HELP")
			}
			fam, kind = m[1], m[2]
			continue
		}
		m := sampleLine.FindStringSubmatch(line)
		if m == nil {
			bad("not a sample, HELP or TYPE line")
		}
		name := m[1]
		if kind == "summary" {
			name = strings.TrimSuffix(strings.TrimSuffix(name, "_sum"), "_count")
		}
		if name != fam {
			bad("sample outside its family " + fam)
		}
		v, err := strconv.ParseFloat(m[3], 64)
		if err != nil {
			bad("value: " + err.Error())
		}
		var labels []string
		for _, p := range labelPair.FindAllStringSubmatch(m[2], -1) {
			labels = append(labels, p[1]+"="+strings.NewReplacer(`\\`, `\`, `\n`, "\n", `\"`, `"`).Replace(p[2]))
		}
		if kind == "summary" && m[1] == fam && !strings.HasPrefix(labels[len(labels)-1], "quantile=") {
			bad("summary sample without a quantile")
		}
		key := m[1] + "{" + strings.Join(labels, ",") + "}"
		if _, dup := series[key]; dup {
			bad("series written twice")
		}
		series[key] = v
	}
	if !slices.IsSorted(names) {
		t.Errorf("families not sorted by name: %v", names)
	}
	return series
}

// TestScrapeParses: a scrape is valid text format and holds every series
// ticketd exported with the Go client: its own, and the Go runtime's and
// the process's the dashboard and alert rules use among the rest.
func TestScrapeParses(t *testing.T) {
	snap := Snapshot{Outbox: 2,
		Tickets: []TicketCount{{Queue: `Ventas "B2B" \ norte` + "\n", Status: "open", Tier: 10, N: 3, Type: "request"}, {Queue: "soporte", Status: "new", Tier: 2, N: 1, Type: "incident"}},
		Times:   []Times{{Type: "incident", FirstResponse: []float64{10, 20}}, {Type: "request", ResolutionSummary: &Summary{Count: 4, Sum: 100, Median: 20, P90: 50}}}}
	m := New(func() (Snapshot, error) { return snap, nil })
	m.Known(map[string][]int{"soporte": {1, 2}}, []string{"incident"})
	m.PassDone(Pass{Fetched: 2}, nil, time.Unix(1_700_000_000, 500_000_000))
	m.LimitHit("max_body")
	series := parseText(t, scrape(t, m))

	for key, want := range map[string]float64{
		`ticketd_tickets{queue=Ventas "B2B" \ norte` + "\n" + `,status=open,tier=10,type=request}`: 3,
		`ticketd_tickets{queue=soporte,status=new,tier=2,type=incident}`:                           1,
		`ticketd_first_response_seconds{type=incident,quantile=0.5}`:                               20,
		`ticketd_first_response_seconds_count{type=incident}`:                                      2,
		`ticketd_first_response_seconds_sum{type=incident}`:                                        30,
		`ticketd_resolution_seconds{type=request,quantile=0.9}`:                                    50,
		`ticketd_resolution_seconds_count{type=incident}`:                                          0,
		`ticketd_last_successful_poll_timestamp_seconds{}`:                                         1_700_000_000.5,
		`ticketd_messages_fetched_total{}`:                                                         2,
		`ticketd_limit_hits_total{limit=max_body}`:                                                 1,
		`ticketd_sla_breaches_total{queue=soporte,target=resolution,tier=2,type=incident}`:         0,
		`ticketd_outbox_depth{}`:                                                                   2,
		`go_info{version=` + runtime.Version() + `}`:                                               1,
		`go_gc_gogc_percent{}`:                                                                     gogc(),
	} {
		if got, ok := series[key]; !ok || got != want {
			t.Errorf("%s = %v (present %v), want %v", key, got, ok, want)
		}
	}
	if hasKey(series, `ticketd_resolution_seconds{type=incident,quantile=`) {
		t.Error("a summary of nothing has quantiles")
	}

	// The Go client's Go and process collectors' series, all kept.
	for _, name := range []string{
		"go_gc_duration_seconds", "go_gc_duration_seconds_sum", "go_gc_duration_seconds_count", "go_gc_gogc_percent",
		"go_gc_gomemlimit_bytes", "go_goroutines", "go_info", "go_memstats_alloc_bytes", "go_memstats_alloc_bytes_total",
		"go_memstats_buck_hash_sys_bytes", "go_memstats_frees_total", "go_memstats_gc_sys_bytes", "go_memstats_heap_alloc_bytes",
		"go_memstats_heap_idle_bytes", "go_memstats_heap_inuse_bytes", "go_memstats_heap_objects", "go_memstats_heap_released_bytes",
		"go_memstats_heap_sys_bytes", "go_memstats_last_gc_time_seconds", "go_memstats_mallocs_total", "go_memstats_mcache_inuse_bytes",
		"go_memstats_mcache_sys_bytes", "go_memstats_mspan_inuse_bytes", "go_memstats_mspan_sys_bytes", "go_memstats_next_gc_bytes",
		"go_memstats_other_sys_bytes", "go_memstats_stack_inuse_bytes", "go_memstats_stack_sys_bytes", "go_memstats_sys_bytes",
		"go_sched_gomaxprocs_threads", "go_threads",
		"process_cpu_seconds_total", "process_max_fds", "process_network_receive_bytes_total", "process_network_transmit_bytes_total",
		"process_open_fds", "process_resident_memory_bytes", "process_start_time_seconds", "process_virtual_memory_bytes",
		"process_virtual_memory_max_bytes",
	} {
		if !hasKey(series, name+"{") {
			t.Errorf("scrape lacks %s", name)
		}
	}
	for _, name := range []string{"go_goroutines{}", "go_memstats_heap_inuse_bytes{}", "process_resident_memory_bytes{}", "process_open_fds{}", "go_threads{}"} {
		if series[name] <= 0 {
			t.Errorf("%s = %v, want > 0", name, series[name])
		}
	}
	if start := series["process_start_time_seconds{}"]; start < float64(time.Now().Add(-time.Hour).Unix()) || start > float64(time.Now().Unix()+1) {
		t.Errorf("process_start_time_seconds = %v, not the start of this test", start)
	}
}

func hasKey(series map[string]float64, prefix string) bool {
	for k := range series {
		if strings.HasPrefix(k, prefix) {
			return true
		}
	}
	return false
}

// TestScrapeGzip: Prometheus asks for gzip and gets the same text.
func TestScrapeGzip(t *testing.T) {
	m := New(nil)
	rec := httptest.NewRecorder()
	req := httptest.NewRequest("GET", "/metrics", nil)
	req.Header.Set("Accept-Encoding", "gzip")
	m.Handler().ServeHTTP(rec, req)
	if rec.Header().Get("Content-Encoding") != "gzip" || !strings.HasPrefix(rec.Header().Get("Content-Type"), "text/plain; version=0.0.4") {
		t.Fatalf("headers %v", rec.Header())
	}
	zr, err := gzip.NewReader(rec.Body)
	if err != nil {
		t.Fatal(err)
	}
	body, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	if series := parseText(t, string(body)); !hasKey(series, `ticketd_auth_failing{server=imap}`) {
		t.Errorf("gzipped scrape lacks ticketd_auth_failing:\n%s", body)
	}
}
