package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ticketd/ticketd/metrics"
	"github.com/ticketd/ticketd/tickets"
)

func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// run runs the binary and returns its stdout, stderr and error.
func (e *e2e) run(args ...string) (string, string, error) {
	e.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), e2eTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, binary, append(args, "--config", e.config)...)
	var out, errb strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	return out.String(), errb.String(), err
}

func (e *e2e) jsonOut(v any, args ...string) {
	e.t.Helper()
	out, stderr, err := e.run(args...)
	if err != nil {
		e.t.Fatalf("ticketd %s: %v\n%s", strings.Join(args, " "), err, stderr)
	}
	if err := json.Unmarshal([]byte(out), v); err != nil {
		e.t.Fatalf("ticketd %s: not JSON: %v\n%s", strings.Join(args, " "), err, out)
	}
}

func httpGet(t *testing.T, url string) (int, string) {
	t.Helper()
	c := &http.Client{Timeout: 10 * time.Second}
	resp, err := c.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body)
}

// TestAdminWhileDaemonRuns drives the admin commands against a running
// daemon (real binary, real Dovecot): they are answered over the daemon's
// socket although the daemon holds the database lock; backups taken while
// it ingests are consistent databases; metrics and health are served; logs
// are JSON with the ticket number. Once the daemon stops, the same
// commands read the file.
func TestAdminWhileDaemonRuns(t *testing.T) {
	e := newE2E(t)
	addr := freeAddr(t)
	e.setConfig(`language = "es"`, "language = \"es\"\nlog_format = \"json\"")
	data, err := os.ReadFile(e.config)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(e.config, append(data, fmt.Sprintf("[admin]\nlisten = %q\n", addr)...), 0o600); err != nil {
		t.Fatal(err)
	}
	cmd, lines, _ := startDaemon(t, "run", "--config", e.config)
	waitLine(t, lines, "ticketd started", 20*time.Second)

	for i := 1; i <= 3; i++ {
		e.deliver(fmt.Sprintf("From: u%d@cliente.test\nTo: soporte@ticketd.test\nSubject: Problema %d\nMessage-ID: <adm%d@cliente.test>\n\nNo funciona %d.\n", i, i, i, i))
	}
	var applied []string
	for len(applied) < 3 {
		applied = append(applied, waitLine(t, lines, `"msg":"message applied"`, 20*time.Second))
	}
	var logged struct {
		Ticket  uint64 `json:"ticket"`
		Outcome string `json:"outcome"`
	}
	if err := json.Unmarshal([]byte(applied[0]), &logged); err != nil || logged.Ticket == 0 || logged.Outcome != "created" {
		t.Fatalf("log line %s: %+v, %v; want JSON with the ticket", applied[0], logged, err)
	}

	var rows []listRow
	e.jsonOut(&rows, "list", "--json")
	if len(rows) != 3 || rows[0].ID != 1 || rows[2].Subject != "Problema 3" {
		t.Fatalf("list --json while running: %+v", rows)
	}
	var all []listRow // streamed over the socket (adminlist.go)
	e.jsonOut(&all, "list", "--limit", "0", "--json")
	if len(all) != 3 || all[0].ID != 1 || all[2].Subject != "Problema 3" {
		t.Fatalf("list --limit 0 --json while running: %+v", all)
	}
	e.jsonOut(&rows, "list", "--limit", "2", "--json")
	if len(rows) != 2 || rows[0].ID != 2 || rows[1].ID != 3 {
		t.Fatalf("list --limit 2 --json: %+v", rows)
	}
	e.jsonOut(&rows, "list", "--status", "open", "--json")
	if len(rows) != 0 {
		t.Fatalf("list --status open: %+v, want none", rows)
	}
	if out, _, err := e.run("list", "--tier", "1"); err != nil || !strings.Contains(out, "Problema 2") {
		t.Fatalf("list --tier 1: %v\n%s", err, out)
	}
	var view ticketView
	e.jsonOut(&view, "show", "2", "--json")
	if view.Ticket.ID != 2 || len(view.Events) == 0 {
		t.Fatalf("show 2 --json: %+v", view)
	}
	if out, _, err := e.run("show", "2"); err != nil || !strings.Contains(out, "[Soporte #2] Problema 2") {
		t.Fatalf("show 2: %v\n%s", err, out)
	}
	if _, stderr, err := e.run("show", "99"); err == nil || strings.Count(stderr, "not found") != 1 {
		t.Fatalf("show 99: %v, %s; want not found, said once", err, stderr)
	}
	var st tickets.Stats
	e.jsonOut(&st, "stats", "--json")
	if st.Tickets != 3 || st.Schema != tickets.SchemaVersion {
		t.Fatalf("stats --json: %+v", st)
	}
	var ob outboxView
	e.jsonOut(&ob, "outbox", "--json")
	if ob.Outbox == nil && ob.Failed == nil {
		t.Fatalf("outbox --json: %+v", ob)
	}
	if _, stderr, err := e.run("outbox", "--retry", "4242"); err == nil || !strings.Contains(stderr, "not found") {
		t.Fatalf("outbox --retry of an unknown mail: %v, %s", err, stderr)
	}

	// Metrics and health.
	code, body := httpGet(t, "http://"+addr+"/metrics")
	for _, want := range []string{
		`ticketd_messages_applied_total{outcome="created"} 3`,
		`ticketd_tickets{queue="soporte",status="new",tier="1",type="incident"} 3`,
		`ticketd_messages_fetched_total 3`,
		`ticketd_last_successful_poll_timestamp_seconds`,
		`ticketd_outbox_depth`,
		`ticketd_mails_sent_total{kind="ack"}`,
	} {
		if code != 200 || !strings.Contains(body, want) {
			t.Fatalf("/metrics (%d) lacks %q:\n%s", code, want, body)
		}
	}
	if code, _ := httpGet(t, "http://"+addr+"/healthz"); code != 200 {
		t.Fatalf("/healthz: %d", code)
	}
	if code, body := httpGet(t, "http://"+addr+"/readyz"); code != 200 {
		t.Fatalf("/readyz: %d %s", code, body)
	}

	// Backups while the daemon writes: each is a whole database.
	const more = 1500
	raws := make([][]byte, more)
	for i := range raws {
		raws[i] = []byte(fmt.Sprintf("From: b%d@cliente.test\r\nTo: soporte@ticketd.test\r\nSubject: Carga %d\r\nMessage-ID: <bk%d@cliente.test>\r\n\r\nTexto %d.\r\n", i, i, i, i))
	}
	e.imap.AppendMany(t, deskAddr, "INBOX", raws)
	backups := t.TempDir()
	seen := map[int]bool{}
	for i := 0; i < 8; i++ {
		path := filepath.Join(backups, fmt.Sprint(i), "ticketd.db")
		if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
			t.Fatal(err)
		}
		if out, stderr, err := e.run("backup", path); err != nil || !strings.Contains(out, "backup written") {
			t.Fatalf("backup while running: %v\n%s%s", err, out, stderr)
		}
		s, err := tickets.OpenReadOnly(filepath.Dir(path), time.Second)
		if err != nil {
			t.Fatal(err)
		}
		ts, err := s.Tickets()
		if err != nil {
			t.Fatal(err)
		}
		for j, tk := range ts {
			if tk.ID != uint64(j+1) {
				t.Fatalf("backup %d: ticket %d at position %d", i, tk.ID, j)
			}
		}
		if ev, err := s.Events(uint64(len(ts))); err != nil || len(ev) == 0 {
			t.Fatalf("backup %d: newest ticket %d without events (%v)", i, len(ts), err)
		}
		s.Close()
		seen[len(ts)] = true
	}
	t.Logf("backups taken at %d different ticket counts", len(seen))

	// Stop the daemon: the commands read the file itself.
	stopDaemon(t, cmd.Process.Pid, cmd.Wait)
	if _, err := os.Stat(filepath.Join(e.dataDir, "admin", "ticketd.sock")); !os.IsNotExist(err) {
		t.Fatalf("socket left behind: %v", err)
	}
	e.jsonOut(&st, "stats", "--json")
	if st.Tickets < 3 {
		t.Fatalf("stats from the file: %+v", st)
	}
	path := filepath.Join(backups, "stopped.db")
	if out, stderr, err := e.run("backup", path); err != nil {
		t.Fatalf("backup from the file: %v\n%s%s", err, out, stderr)
	}
}

// TestReady: ready only with the database open and a recent successful
// pass, on an injected clock.
func TestReady(t *testing.T) {
	store, err := tickets.Open(t.TempDir(), time.Second)
	if err != nil {
		t.Fatal(err)
	}
	d := &desk{store: store, metrics: metrics.New(nil)}
	now := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	if err := ready(d, now, time.Minute); err == nil {
		t.Fatal("ready before any pass")
	}
	d.metrics.PassDone(metrics.Pass{}, nil, now)
	if err := ready(d, now.Add(59*time.Second), time.Minute); err != nil {
		t.Fatalf("not ready 59s after a pass: %v", err)
	}
	d.metrics.PassDone(metrics.Pass{}, fmt.Errorf("imap down"), now.Add(30*time.Second))
	if err := ready(d, now.Add(61*time.Second), time.Minute); err == nil {
		t.Fatal("ready 61s after the last successful pass")
	}
	store.Close()
	if err := ready(d, now, time.Minute); err == nil || !strings.Contains(err.Error(), "database") {
		t.Fatalf("ready with the database closed: %v", err)
	}
}
