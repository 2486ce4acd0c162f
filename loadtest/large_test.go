package loadtest

// TestLargeDatabase: the admin's commands and the daemon's start-up on
// desks of 10,000, 100,000 and 1,000,000 tickets (issue 15), side by side.
// The databases are built once through the real workflow (history_test.go)
// and kept under -load.dir:
//
//	go test ./loadtest -run TestLargeDatabase -v -timeout 0 \
//	    -load.tickets 10000,100000,1000000 -load.dir /work/bigdb -load.runs 5

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

var (
	loadTickets = flag.String("load.tickets", "500", "tickets in TestLargeDatabase's databases: one size or several, comma-separated")
	loadDir     = flag.String("load.dir", "", "TestLargeDatabase keeps its databases here (a directory per size) and reuses them when present (default: temporary directories)")
	loadBuild   = flag.Bool("load.buildonly", false, "TestLargeDatabase builds the missing databases and measures nothing")
)

// largeSizes parses -load.tickets.
func largeSizes(t *testing.T) []int {
	t.Helper()
	var sizes []int
	for _, f := range strings.Split(*loadTickets, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n <= 0 {
			t.Fatalf("-load.tickets %q: want positive numbers, comma-separated", *loadTickets)
		}
		sizes = append(sizes, n)
	}
	return sizes
}

// largeDatabase returns the directory of the desk of n tickets, building
// it when it is not there yet.
func largeDatabase(t *testing.T, n int) string {
	t.Helper()
	dir := t.TempDir()
	if *loadDir != "" {
		dir = filepath.Join(*loadDir, strconv.Itoa(n))
	}
	data := filepath.Join(dir, "data")
	if _, err := os.Stat(filepath.Join(data, "ticketd.db")); err == nil {
		return dir
	}
	// Built beside and renamed at the end: an interrupted build is never
	// taken for a whole one.
	building := filepath.Join(dir, "building")
	if err := os.RemoveAll(building); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(building, 0o700); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	cpu := selfCPU(t)
	mix := buildHistory(t, building, n, time.Now().UTC())
	d, used := time.Since(start), selfCPU(t)-cpu
	t.Logf("built %d tickets (%s → %s): %+v in %s, CPU %s (%.0f µs per applied mail)", n, mix.Start.Format("2006-01-02"),
		mix.End.Format("2006-01-02"), mix, d.Round(time.Second), used.Round(time.Second), usecPer(used, mix.Mails))
	if err := os.Rename(building, data); err != nil {
		t.Fatal(err)
	}
	return dir
}

// TestLargeDatabase times, as an admin sees them, the admin commands, a
// /metrics scrape and the daemon's start-up on each database of
// -load.tickets, and prints them side by side.
func TestLargeDatabase(t *testing.T) {
	var all []largeFigures
	for _, n := range largeSizes(t) {
		dir := largeDatabase(t, n)
		if *loadBuild {
			continue
		}
		f := timeLarge(t, dir, n)
		all = append(all, f)
		if *loadJSON != "" {
			appendJSON(t, *loadJSON, map[string]any{"test": "large", "figures": f})
		}
	}
	if len(all) > 0 {
		printLarge(t, all)
	}
}

// largeFigures are the timings at one size: milliseconds of each run per
// measurement, and the peak RSS (VmHWM, MB) of the commands' processes.
type largeFigures struct {
	Tickets int                  `json:"tickets"`
	Ms      map[string][]float64 `json:"ms"`
	CPUMs   map[string][]float64 `json:"cpu_ms"` // user + system of the command's process
	PeakMB  map[string]float64   `json:"peak_mb"`
	// Missing names the measurements this binary has no command for.
	Missing []string `json:"missing,omitempty"`
	// FirstStartMs is the first start-up of this binary on the database:
	// it includes any migration an upgrade runs.
	FirstStartMs float64 `json:"first_start_ms"`
}

// The measurements, in the order printed.
var largeRows = []struct{ key, label string }{
	{"metrics", "/metrics scrape (daemon running)"},
	{"stats", "ticketd stats"},
	{"report", "ticketd report --by tier, last month"},
	{"digest", "ticketd digest --dry-run"},
	{"digest_socket", "digest --dry-run over the socket (CPU: + daemon)"},
	{"digest_daemon", "the digest built by the daemon (admin API, no client process)"},
	{"list", "ticketd list (newest 50)"},
	{"show", "ticketd show N"},
	{"startup", "start-up (exec → \"ticketd started\")"},
	{"all_first", "ticketd list --limit 0: first ticket out"},
	{"all", "ticketd list --limit 0: all lines"},
	{"all_socket_first", "list --limit 0 over the socket: first ticket"},
	{"all_socket", "list --limit 0 over the socket: all lines"},
}

// timed is one run of a command: milliseconds to the end, to its line
// number firstLine (1-based; 0: none), its CPU (user + system), its peak
// anonymous memory in MB (RssAnon: heap and stacks; VmHWM would also count
// the pages of the memory-mapped database it read, which are page cache)
// and its lines.
type timed struct {
	ms, firstMs, cpuMs, peakMB float64
	lines                      int
	stderr                     string
}

// runTimed runs the binary with args and times it; err when it fails.
// With sample, a goroutine also reads the process's memory from /proc
// every 5 ms (r.peakMB). That reader competes with the command for the
// machine's two cores — it added 2–4 ms to a 45 ms digest — so timings
// come from runs without it, and peaks from runs of their own
// (timeLarge), except for the listings of every ticket, whose memory over
// seconds of streaming is the figure and whose time the reader does not
// move.
func runTimed(args []string, firstLine int, sample bool) (timed, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, binary, args...)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return timed{}, err
	}
	var r timed
	start := time.Now()
	if err := cmd.Start(); err != nil {
		return timed{}, err
	}
	sampleCtx, stopSample := context.WithCancel(ctx)
	peak := make(chan procPeak, 1)
	if sample {
		go func() { peak <- samplePeaks(sampleCtx, cmd.Process.Pid) }()
	} else {
		peak <- procPeak{}
	}
	rd := bufio.NewReaderSize(stdout, 64<<10)
	for {
		line, err := rd.ReadSlice('\n')
		if len(line) > 0 && (err == nil || err == io.EOF) {
			r.lines++
			if r.lines == firstLine {
				r.firstMs = time.Since(start).Seconds() * 1000
			}
		}
		if err == bufio.ErrBufferFull {
			continue
		}
		if err != nil {
			break
		}
	}
	err = cmd.Wait()
	r.ms = time.Since(start).Seconds() * 1000
	stopSample()
	r.peakMB = float64((<-peak).anon) / 1024
	r.cpuMs = float64((cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()).Microseconds()) / 1000
	r.stderr = stderr.String()
	if err != nil {
		return r, fmt.Errorf("ticketd %s: %v\n%s", strings.Join(args, " "), err, tail(r.stderr, 5))
	}
	return r, nil
}

// unknownCommand reports whether a failed run says the command does not
// exist in this build.
func unknownCommand(r timed) bool {
	return strings.Contains(r.stderr, "unknown command") || strings.Contains(r.stderr, "flag provided but not defined")
}

func timeLarge(t *testing.T, dir string, n int) largeFigures {
	f := largeFigures{Tickets: n, Ms: map[string][]float64{}, CPUMs: map[string][]float64{}, PeakMB: map[string]float64{}}
	addr := freePort(t)
	config := bigConfig(t, dir, addr)
	f.FirstStartMs = startUp(t, config)
	t.Logf("%d tickets: first start-up of this binary (any migration included): %.0f ms", n, f.FirstStartMs)
	now := time.Now().UTC()
	month := time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, time.UTC)
	from, to := month.AddDate(0, -1, 0).Format("2006-01-02"), month.AddDate(0, 0, -1).Format("2006-01-02")
	cmds := []struct {
		key   string
		args  []string
		first int // the line whose time is "first out"; 0: none
		want  int // at least this many lines
	}{
		{"stats", []string{"stats"}, 0, 3},
		{"report", []string{"report", "--by", "tier", "--from", from, "--to", to}, 0, 2},
		{"digest", []string{"digest", "--dry-run"}, 0, 3},
		{"list", []string{"list"}, 0, min(n, 50) + 1},
		{"show", []string{"show", strconv.Itoa(n / 2)}, 0, 3},
		{"all", []string{"list", "--limit", "0"}, 2, n + 1},
	}
	missing := map[string]bool{}
	runs := max(*loadRuns, 3)
	for range runs {
		for _, c := range cmds {
			if missing[c.key] {
				continue
			}
			r, err := runTimed(append(append([]string{}, c.args...), "--config", config), c.first, c.key == "all")
			if err != nil && unknownCommand(r) {
				missing[c.key] = true
				f.Missing = append(f.Missing, c.key)
				continue
			}
			if err != nil {
				t.Fatal(err)
			}
			if r.lines < c.want {
				t.Fatalf("ticketd %v printed %d lines, want at least %d", c.args, r.lines, c.want)
			}
			f.Ms[c.key] = append(f.Ms[c.key], r.ms)
			f.CPUMs[c.key] = append(f.CPUMs[c.key], r.cpuMs)
			if c.first > 0 {
				f.Ms[c.key+"_first"] = append(f.Ms[c.key+"_first"], r.firstMs)
			}
			f.PeakMB[c.key] = max(f.PeakMB[c.key], r.peakMB)
		}
		f.Ms["startup"] = append(f.Ms["startup"], startUp(t, config))
	}
	// The other commands' peak memory, each from one run of its own.
	for _, c := range cmds {
		if missing[c.key] || c.key == "all" {
			continue
		}
		r, err := runTimed(append(append([]string{}, c.args...), "--config", config), c.first, true)
		if err != nil {
			t.Fatal(err)
		}
		f.PeakMB[c.key] = r.peakMB
	}
	// With the daemon running: the scrape, the listing over its socket,
	// and the digest the daemon builds and answers over it. The daemon's
	// digest warm-up (cmd/ticketd warm.go) is done by then: the first
	// socket digest is not the daemon's first, as it was before it.
	pid, stop := startDaemon(t, config)
	defer stop()
	for range runs {
		start := time.Now()
		resp, err := http.Get("http://" + addr + "/metrics")
		if err != nil {
			t.Fatal(err)
		}
		body, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil || resp.StatusCode != http.StatusOK || !strings.Contains(string(body), "ticketd_tickets") {
			t.Fatalf("GET /metrics: %v %d\n%s", err, resp.StatusCode, tail(string(body), 5))
		}
		f.Ms["metrics"] = append(f.Ms["metrics"], time.Since(start).Seconds()*1000)
		r, err := runTimed([]string{"list", "--limit", "0", "--config", config}, 2, true)
		if err != nil {
			t.Fatal(err)
		}
		if r.lines < n+1 {
			t.Fatalf("list --limit 0 over the socket: %d lines, want %d", r.lines, n+1)
		}
		f.Ms["all_socket"] = append(f.Ms["all_socket"], r.ms)
		f.CPUMs["all_socket"] = append(f.CPUMs["all_socket"], r.cpuMs)
		f.Ms["all_socket_first"] = append(f.Ms["all_socket_first"], r.firstMs)
		f.PeakMB["all_socket"] = max(f.PeakMB["all_socket"], r.peakMB)

		daemonCPU := procCPUMs(pid)
		r, err = runTimed([]string{"digest", "--dry-run", "--config", config}, 0, false)
		if err != nil {
			t.Fatal(err)
		}
		if r.lines < 3 {
			t.Fatalf("digest --dry-run over the socket printed %d lines", r.lines)
		}
		// The client's CPU and the daemon's for building the digest
		// (the scheduler's ticks: 10 ms steps, hence the medians), read
		// before the daemon builds the next one below: read after it, the
		// daemon's share counted two digests.
		f.CPUMs["digest_socket"] = append(f.CPUMs["digest_socket"], r.cpuMs+procCPUMs(pid)-daemonCPU)
		f.Ms["digest_socket"] = append(f.Ms["digest_socket"], r.ms)
		f.Ms["digest_daemon"] = append(f.Ms["digest_daemon"], daemonDigestMs(t, dir))
	}
	r, err := runTimed([]string{"digest", "--dry-run", "--config", config}, 0, true)
	if err != nil {
		t.Fatal(err)
	}
	f.PeakMB["digest_socket"] = r.peakMB
	return f
}

// daemonDigestMs asks the running daemon for a dry-run digest over its
// admin socket, as the client does, from this process — as the scrape is
// timed: the daemon building the digest it would mail, without a client
// process's start — and returns the milliseconds to the whole answer.
func daemonDigestMs(t *testing.T, dir string) float64 {
	t.Helper()
	socket := filepath.Join(dir, "data", "admin", "ticketd.sock")
	c := &http.Client{Transport: &http.Transport{DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
		return (&net.Dialer{}).DialContext(ctx, "unix", socket)
	}}}
	defer c.CloseIdleConnections()
	start := time.Now()
	resp, err := c.Post("http://ticketd/v1/digest?dry_run=true", "", nil)
	if err != nil {
		t.Fatal(err)
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	ms := time.Since(start).Seconds() * 1000
	if err != nil || resp.StatusCode != http.StatusOK || !strings.Contains(string(body), "sla.png") {
		t.Fatalf("POST /v1/digest: %v %d\n%s", err, resp.StatusCode, tail(string(body), 5))
	}
	return ms
}

// procCPUMs is the user + system CPU process pid has used so far, in
// milliseconds (/proc/PID/stat, fields 14 and 15, in clock ticks of
// 1/100 s, USER_HZ on Linux); 0 when it cannot be read.
func procCPUMs(pid int) float64 {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	// The fields after the command, which is in parentheses: state is
	// field 3, utime 14, stime 15.
	fields := strings.Fields(string(data[strings.LastIndexByte(string(data), ')')+1:]))
	if len(fields) < 13 {
		return 0
	}
	utime, _ := strconv.ParseFloat(fields[11], 64)
	stime, _ := strconv.ParseFloat(fields[12], 64)
	return (utime + stime) * 10
}

// printLarge prints the medians side by side, one column per size.
func printLarge(t *testing.T, all []largeFigures) {
	var b strings.Builder
	fmt.Fprintf(&b, "medians of %d runs: wall ms (the command's CPU ms; its peak anonymous memory):\n%-46s", max(*loadRuns, 3), "")
	for _, f := range all {
		fmt.Fprintf(&b, " %28s", fmt.Sprintf("%d tickets", f.Tickets))
	}
	b.WriteString("\n")
	for _, row := range largeRows {
		fmt.Fprintf(&b, "%-46s", row.label)
		for _, f := range all {
			cell := "not in this build"
			if v, ok := f.Ms[row.key]; ok {
				cell = fmt.Sprintf("%.0f", median(v))
				if cpu, ok := f.CPUMs[row.key]; ok {
					cell += fmt.Sprintf(" (%.0f", median(cpu))
					if mb, ok := f.PeakMB[row.key]; ok {
						cell += fmt.Sprintf("; %.1f MB", mb)
					}
					cell += ")"
				}
			}
			fmt.Fprintf(&b, " %28s", cell)
		}
		b.WriteString("\n")
	}
	fmt.Fprintf(&b, "%-46s", "first start-up (migration of an upgrade)")
	for _, f := range all {
		fmt.Fprintf(&b, " %28.0f", f.FirstStartMs)
	}
	t.Log(b.String())
}

// freePort returns a free loopback address.
func freePort(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// startDaemon runs "ticketd run" until it has started and returns its
// process id; stop ends it.
func startDaemon(t *testing.T, config string) (pid int, stop func()) {
	t.Helper()
	cmd := exec.Command(binary, "run", "--config", config)
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	stop = func() { _ = cmd.Process.Signal(syscall.SIGTERM); _ = cmd.Wait() }
	started := make(chan bool, 1)
	go func() {
		sc := bufio.NewScanner(stderr)
		ok := false
		for sc.Scan() {
			if strings.Contains(sc.Text(), "ticketd started") {
				ok = true
				break
			}
		}
		started <- ok
		_, _ = io.Copy(io.Discard, stderr)
	}()
	select {
	case ok := <-started:
		if !ok {
			stop()
			t.Fatal("ticketd run ended before it started")
		}
		return cmd.Process.Pid, stop
	case <-time.After(5 * time.Minute):
		stop()
		t.Fatal("ticketd run did not start within 5 minutes")
		return 0, nil
	}
}

// startUp runs "ticketd run" until it logs "ticketd started" and returns
// the milliseconds that took; then it stops it.
func startUp(t *testing.T, config string) float64 {
	t.Helper()
	cmd := exec.Command(binary, "run", "--config", config)
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = cmd.Process.Kill(); _ = cmd.Wait() }()
	started := make(chan time.Duration, 1)
	var log strings.Builder
	go func() {
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			if strings.Contains(sc.Text(), "ticketd started") {
				started <- time.Since(start)
				break
			}
			log.WriteString(sc.Text() + "\n")
		}
		close(started) // ended before it started: its log says why
		_, _ = io.Copy(io.Discard, stderr)
	}()
	select {
	case d, ok := <-started:
		if !ok {
			t.Fatalf("ticketd run ended before it started:\n%s", tail(log.String(), 10))
		}
		_ = cmd.Process.Signal(syscall.SIGTERM)
		return d.Seconds() * 1000
	case <-time.After(5 * time.Minute):
		t.Fatal("ticketd run did not start within 5 minutes")
		return 0
	}
}
