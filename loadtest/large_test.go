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

// TestLargeDatabase times, as an admin sees them, the admin commands and
// the daemon's start-up on each database of -load.tickets.
func TestLargeDatabase(t *testing.T) {
	for _, n := range largeSizes(t) {
		dir := largeDatabase(t, n)
		if *loadBuild {
			continue
		}
		timeLarge(t, dir, n)
	}
}

func timeLarge(t *testing.T, dir string, n int) {
	config := bigConfig(t, dir, "")
	var lists, alls, starts []float64
	list := func(want int, args ...string) float64 {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
		defer cancel()
		cmd := exec.CommandContext(ctx, binary, append([]string{"list", "--config", config}, args...)...)
		var lines int
		stdout, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		start := time.Now()
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			lines++
		}
		if err := cmd.Wait(); err != nil {
			t.Fatalf("ticketd list %v: %v", args, err)
		}
		d := time.Since(start).Seconds() * 1000
		if lines < want {
			t.Fatalf("ticketd list %v printed %d lines, want at least %d", args, lines, want)
		}
		return d
	}
	for range max(*loadRuns, 3) {
		lists = append(lists, list(min(n, 50)+1))
		alls = append(alls, list(n+1, "--limit", "0"))
		starts = append(starts, startUp(t, config))
	}
	t.Logf("database of %d tickets (medians of %d runs):", n, len(lists))
	t.Logf("  ticketd list (the newest 50):  %6.0f ms  %v", median(lists), rounded(lists))
	t.Logf("  ticketd list --limit 0 (all):  %6.0f ms  %v", median(alls), rounded(alls))
	t.Logf("  start-up to \"ticketd started\": %5.0f ms  %v", median(starts), rounded(starts))
	if *loadJSON != "" {
		appendJSON(t, *loadJSON, map[string]any{"test": "large", "tickets": n, "list_ms": lists, "list_all_ms": alls, "startup_ms": starts})
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
	go func() {
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			if strings.Contains(sc.Text(), "ticketd started") {
				started <- time.Since(start)
				break
			}
		}
		_, _ = io.Copy(io.Discard, stderr)
	}()
	select {
	case d := <-started:
		_ = cmd.Process.Signal(syscall.SIGTERM)
		return d.Seconds() * 1000
	case <-time.After(5 * time.Minute):
		t.Fatal("ticketd run did not start within 5 minutes")
		return 0
	}
}

var _ = fmt.Sprint
