package loadtest

// The load test. The normal suite runs it small (a smoke run, so it
// cannot rot); the measurement is
//
//	go test ./loadtest -run 'TestLoad|TestLargeDatabase' -v -load.n 10000 -load.tickets 100000
//
// It never asserts a timing: it reports the figures next to the limits,
// and the phases side by side with a plain IMAP fetch (issue 16):
//
//	go test ./loadtest -run 'TestLoad$' -v -load.n 3000 -load.runs 3

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"
	"github.com/emersion/go-smtp"
	bolt "go.etcd.io/bbolt"

	"github.com/ticketd/ticketd/internal/testkit/dovecottest"
	"github.com/ticketd/ticketd/mailin"
	"github.com/ticketd/ticketd/mailin/mailparse"
	"github.com/ticketd/ticketd/mailout"
	"github.com/ticketd/ticketd/templates"
	"github.com/ticketd/ticketd/tickets"
)

var (
	loadN       = flag.Int("load.n", 60, "messages TestLoad puts in the INBOX")
	loadRuns    = flag.Int("load.runs", 1, "how many times TestLoad and TestLargeDatabase measure (medians are reported)")
	loadJSON    = flag.String("load.json", "", "append the figures of each run as a JSON line to this file")
	loadProfile = flag.String("load.cpuprofile", "", "write a CPU profile of each ticketd once run to this file (run 1; run N to FILE.N) and split its CPU by worker")
	loadKeepDB  = flag.String("load.keepdb", "", "copy each run's ticketd.db into this directory (as run-N.db) for bbolt stats")
	loadConns   = flag.Int("load.connections", 0, "[smtp] connections of TestLoad's ticketd (0: not set, the default)")
)

const deskPassword = "load-secret"

var binary string

func TestMain(m *testing.M) {
	flag.Parse()
	dir, err := os.MkdirTemp("", "ticketd-load-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	binary = filepath.Join(dir, "ticketd")
	if *loadBinary != "" {
		binary = *loadBinary
		code := m.Run()
		os.RemoveAll(dir)
		os.Exit(code)
	}
	// Built as the release is (tools/deb, README "From source"): static. A
	// default build where a C compiler is installed links libc, whose
	// loader and thread start-up add to every command's time.
	build := exec.Command("go", "build", "-trimpath", "-o", binary, "../cmd/ticketd")
	build.Env = append(os.Environ(), "CGO_ENABLED=0")
	out, err := build.CombinedOutput()
	if err != nil {
		fmt.Fprintf(os.Stderr, "build ticketd: %v\n%s", err, out)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// writeConfig writes a ticketd configuration for the servers and returns
// its path.
func writeConfig(t *testing.T, dir, imapAddr, smtpAddr string) string {
	t.Helper()
	pw := filepath.Join(dir, "imap-password")
	if err := os.WriteFile(pw, []byte(deskPassword+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg := fmt.Sprintf(`data_dir = %q
language = "es"
log_level = "info"
[support]
address = %q
[imap]
address = %q
security = "none"
password_file = %q
[smtp]
address = %q
security = "none"
%s
[[tiers]]
level = 1
name = "Nivel 1"
agents = [%q, %q]
first_response = "30m"
resolution = "8h"
`, filepath.Join(dir, "data"), Desk, imapAddr, pw, smtpAddr, smtpConnections(), AgentA, AgentB)
	path := filepath.Join(dir, "ticketd.toml")
	if err := os.WriteFile(path, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// figures are one run's measurements.
type figures struct {
	N              int     `json:"n"`
	MB             float64 `json:"mb"`
	IngestPerSec   float64 `json:"ingest_msgs_per_s"` // (a) IMAP → committed tickets + outbox
	WholePerSec    float64 `json:"whole_msgs_per_s"`  // (b) the whole "once", delivery included
	MailsSent      int     `json:"mails_sent"`
	PeakRSSMB      float64 `json:"peak_rss_mb"`
	CPUSeconds     float64 `json:"ticketd_cpu_s"` // user + system of ticketd once
	WallSeconds    float64 `json:"ticketd_wall_s"`
	FetchPerSec    float64 `json:"limit_imap_fetch_msgs_per_s"`
	ParsePerSec    float64 `json:"limit_parse_msgs_per_s"`
	CommitsPerSec  float64 `json:"limit_bbolt_commits_per_s"`
	SMTPSendPerSec float64 `json:"limit_smtp_sends_per_s"`

	// CPU per phase (issue 16). Ingest CPU is ticketd's CPU from exec to
	// its "mail pass" log line, delivery beside it included; delivery
	// CPU is what it uses after that line, over the mails sent after it.
	IngestCPUUsecPerMsg   float64 `json:"ingest_cpu_us_per_msg"`
	WholeCPUUsecPerMsg    float64 `json:"whole_cpu_us_per_msg"`
	DeliveryCPUUsecPerMsg float64 `json:"delivery_cpu_us_per_mail"`
	MailsDuringIngest     int     `json:"mails_sent_during_ingest"`
	// With -load.cpuprofile: the whole pass's CPU split by the profile's
	// worker labels (workerShares), per ingested message and per mail.
	IngestOwnCPUUsecPerMsg    float64 `json:"ingest_own_cpu_us_per_msg,omitempty"`
	DeliveryOwnCPUUsecPerMail float64 `json:"delivery_own_cpu_us_per_mail,omitempty"`
	FetchCPUUsecPerMsg        float64 `json:"limit_imap_fetch_cpu_us_per_msg"` // the test's client, getrusage
	ParseCPUUsecPerMsg        float64 `json:"limit_parse_cpu_us_per_msg"`      // getrusage
	RusageMaxRSSMB            float64 `json:"child_ru_maxrss_mb"`              // shown beside VmHWM: see loadOnce
	// PeakAnonMB is the highest RssAnon sampled (heap and stacks): VmHWM
	// also counts file pages — the database's, mapped and touched by
	// bbolt, and the binary's.
	PeakAnonMB float64 `json:"peak_rss_anon_mb"`
	// DBFileMB is ticketd.db's size after the pass (every mail delivered):
	// the pages bbolt allocated, touched ones resident in VmHWM.
	DBFileMB float64 `json:"db_file_mb"`
	// SysSeconds is the kernel's part of CPUSeconds and MinorFaults the
	// process's page faults served from memory (ru_minflt): every page
	// of the database's mapping or of the heap touched for the first
	// time — or again, after its mapping was dropped — is one, ~19 µs of
	// system time each on this machine.
	SysSeconds  float64 `json:"ticketd_sys_s"`
	MinorFaults int64   `json:"ticketd_minor_faults"`

	// The peers share the two cores with ticketd: Dovecot's CPU during
	// the pass (its FETCHes and MOVEs), per message; this test process's
	// (the SMTP sink, the log watch), per mail; and how busy the whole
	// machine was during the ingest and after it, in percent of all
	// cores — near 100, a phase is bound by CPU, not by waiting.
	IMAPServerCPUUsecPerMsg float64 `json:"imap_server_cpu_us_per_msg"`
	// Dovecot's CPU per message for the plain fetch, and for a plain
	// UID MOVE of the mailbox in the poller's batches (limitMove): what
	// the IMAP server needs whoever the client is.
	FetchServerCPUUsecPerMsg float64 `json:"limit_imap_fetch_server_cpu_us_per_msg"`
	MovePerSec               float64 `json:"limit_imap_move_msgs_per_s"`
	MoveServerCPUUsecPerMsg  float64 `json:"limit_imap_move_server_cpu_us_per_msg"`
	SinkCPUUsecPerMail       float64 `json:"sink_cpu_us_per_mail"`
	BusyIngestPct            float64 `json:"machine_busy_ingest_pct"`
	BusyAfterPct             float64 `json:"machine_busy_after_pct"`
}

// TestLoad fills a real Dovecot INBOX with the corpus and runs the real
// binary's "ticketd once" over it: (a) from the log's mail pass, IMAP to
// committed tickets with their outbox mails; (b) the whole process,
// including the delivery of every queued mail to a local SMTP server;
// peak RSS from the kernel. Then the limits, in the same run.
func TestLoad(t *testing.T) {
	var all []figures
	for run := range *loadRuns {
		f := loadOnce(t, *loadN, run, profilePath(run))
		all = append(all, f)
		t.Logf("run %d: %+v", run+1, f)
		if *loadJSON != "" {
			appendJSON(t, *loadJSON, map[string]any{"test": "load", "figures": f})
		}
	}
	med := func(get func(figures) float64) float64 {
		var v []float64
		for _, f := range all {
			v = append(v, get(f))
		}
		return median(v)
	}
	t.Logf("medians of %d run(s), %d messages (%.1f MB), the real binary's \"ticketd once\" (CPU from /proc/PID/stat of that process):", len(all), all[0].N, all[0].MB)
	for _, line := range comparison([]row{
		{"plain IMAP fetch, same mailbox (test client)", med(func(f figures) float64 { return f.FetchPerSec }), med(func(f figures) float64 { return f.FetchCPUUsecPerMsg })},
		{"parse alone (one core)", med(func(f figures) float64 { return f.ParsePerSec }), med(func(f figures) float64 { return f.ParseCPUUsecPerMsg })},
		{"(a) ingest IMAP → tickets + outbox", med(func(f figures) float64 { return f.IngestPerSec }), med(func(f figures) float64 { return f.IngestCPUUsecPerMsg })},
		{"(b) whole once, every mail delivered", med(func(f figures) float64 { return f.WholePerSec }), med(func(f figures) float64 { return f.WholeCPUUsecPerMsg })},
	}) {
		t.Logf("%s", line)
	}
	t.Logf("  CPU per delivered mail (after the pass):    %8.0f µs (%d of %d mails were sent during the ingest)",
		med(func(f figures) float64 { return f.DeliveryCPUUsecPerMsg }), all[0].MailsDuringIngest, all[0].MailsSent)
	if all[0].IngestOwnCPUUsecPerMsg > 0 {
		t.Logf("  the whole pass's CPU split by worker (profile labels; the runtime's own shared in proportion): %.0f µs per ingested message, %.0f µs per delivered mail",
			med(func(f figures) float64 { return f.IngestOwnCPUUsecPerMsg }), med(func(f figures) float64 { return f.DeliveryOwnCPUUsecPerMail }))
	}
	t.Logf("  the peers on the same cores: Dovecot %.0f µs per message during the pass, the SMTP sink (this test process) %.0f µs per mail",
		med(func(f figures) float64 { return f.IMAPServerCPUUsecPerMsg }), med(func(f figures) float64 { return f.SinkCPUUsecPerMail }))
	t.Logf("  Dovecot alone: %.0f µs per message for the plain fetch; a plain UID MOVE in batches of %d, %.0f msg/s, %.0f µs per message",
		med(func(f figures) float64 { return f.FetchServerCPUUsecPerMsg }), mailin.DefaultBatchSize,
		med(func(f figures) float64 { return f.MovePerSec }), med(func(f figures) float64 { return f.MoveServerCPUUsecPerMsg }))
	t.Logf("  machine busy (all cores): %.0f %% during the ingest, %.0f %% after it (delivery)",
		med(func(f figures) float64 { return f.BusyIngestPct }), med(func(f figures) float64 { return f.BusyAfterPct }))
	t.Logf("  peak RSS of ticketd once:           %8.1f MB (VmHWM; its ru_maxrss, which can include this test process's own peak, %.1f MB)",
		med(func(f figures) float64 { return f.PeakRSSMB }), med(func(f figures) float64 { return f.RusageMaxRSSMB }))
	t.Logf("  peak anonymous memory (RssAnon):    %8.1f MB (the rest of VmHWM is file-backed: the database's mapped pages and the binary's)", med(func(f figures) float64 { return f.PeakAnonMB }))
	t.Logf("  ticketd.db after the pass:          %8.1f MB", med(func(f figures) float64 { return f.DBFileMB }))
	t.Logf("  ticketd once CPU / wall:            %8.2f s / %.2f s (system %.2f s, %.0f minor page faults)", med(func(f figures) float64 { return f.CPUSeconds }), med(func(f figures) float64 { return f.WallSeconds }),
		med(func(f figures) float64 { return f.SysSeconds }), med(func(f figures) float64 { return float64(f.MinorFaults) }))
	t.Logf("  limit: bbolt commits with fsync      %8.0f commits/s", med(func(f figures) float64 { return f.CommitsPerSec }))
	t.Logf("  limit: SMTP sends, one connection    %8.0f mails/s", med(func(f figures) float64 { return f.SMTPSendPerSec }))
}

// profilePath is where run (0-based) writes its CPU profile; "" for none.
func profilePath(run int) string {
	if *loadProfile == "" || run == 0 {
		return *loadProfile
	}
	return fmt.Sprintf("%s.%d", *loadProfile, run+1)
}

func loadOnce(t *testing.T, n, run int, profile string) figures {
	dir := t.TempDir()
	server := dovecottest.Start(t, dovecottest.User{Name: Desk, Password: deskPassword})
	sink := startSink(t)
	raws, mix := Corpus(n, 1)
	f := figures{N: n, MB: float64(mix.Bytes) / 1e6}
	start := time.Now()
	server.AppendMany(t, Desk, "INBOX", raws)
	t.Logf("filled the INBOX with %d messages (%d new, %d replies, %d agent answers, %d with attachments; %.1f MB) in %s",
		n, mix.New, mix.Replies, mix.AgentReplies, mix.WithAttachment, f.MB, time.Since(start).Round(time.Millisecond))
	config := writeConfig(t, dir, server.Addr(), sink.Addr())

	// (a) and (b): the real binary, one pass.
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, binary, "once", "--config", config)
	sampleCtx, cancelSample := context.WithCancel(ctx)
	defer cancelSample()
	// Logs at info, as in production: one line per message is part of
	// the cost.
	cmd.Env = append(os.Environ(), "TICKETD_CPUPROFILE=")
	if profile != "" {
		cmd.Env = append(cmd.Env, "TICKETD_CPUPROFILE="+profile)
	}
	stderrPipe, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	imap0, self0, machine0 := serverCPU(t, server.PID()), selfCPU(t), readMachine()
	start = time.Now()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var watch passWatch
	logDone := make(chan struct{})
	go func() {
		defer close(logDone)
		watch.read(stderrPipe, cmd.Process.Pid, sink.Count)
	}()
	// The child's rusage maxrss can include this (big) test process:
	// exec accounts the high-water mark of the memory shared before it.
	// The child's own VmHWM, sampled until it exits, is its peak.
	peak := make(chan procPeak, 1)
	go func() { peak <- samplePeaks(sampleCtx, cmd.Process.Pid) }()
	<-logDone // the pipe must be drained before Wait
	err = cmd.Wait()
	whole := time.Since(start)
	cancelSample()
	machine1, self1, imap1 := readMachine(), selfCPU(t), serverCPU(t, server.PID())
	stderr := &watch.log
	if err != nil {
		t.Fatalf("ticketd once: %v\n%s", err, tail(stderr.String(), 20))
	}
	f.WholePerSec = float64(n) / whole.Seconds()
	pk := <-peak
	f.PeakRSSMB, f.PeakAnonMB = float64(pk.hwm)/1024, float64(pk.anon)/1024
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		f.RusageMaxRSSMB = float64(ru.Maxrss) / 1024
		f.MinorFaults = ru.Minflt
	}
	f.SysSeconds = cmd.ProcessState.SystemTime().Seconds()
	f.CPUSeconds = (cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()).Seconds()
	f.WallSeconds = whole.Seconds()
	pass := regexp.MustCompile(`msg="mail pass".*fetched=(\d+).*duration=(\S+)`).FindStringSubmatch(stderr.String())
	if pass == nil || pass[1] != strconv.Itoa(n) {
		t.Fatalf("no mail pass over %d messages in the log:\n%s", n, tail(stderr.String(), 20))
	}
	d, err := time.ParseDuration(pass[2])
	if err != nil {
		t.Fatal(err)
	}
	f.IngestPerSec = float64(n) / d.Seconds()
	if watch.cpuErr != nil {
		t.Fatalf("ticketd's CPU at the end of the mail pass: %v", watch.cpuErr)
	}

	db := filepath.Join(dir, "data", "ticketd.db")
	if fi, err := os.Stat(db); err == nil {
		f.DBFileMB = float64(fi.Size()) / 1e6
	}
	if *loadKeepDB != "" {
		keepDB(t, db, filepath.Join(*loadKeepDB, fmt.Sprintf("run-%d.db", run+1)))
	}

	// Everything applied, answered and delivered.
	store, err := tickets.OpenReadOnly(filepath.Join(dir, "data"), 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	st, err := store.Stats()
	store.Close()
	if err != nil {
		t.Fatal(err)
	}
	f.MailsSent = sink.Count()
	if st.Tickets != mix.New || st.Outbox != 0 || st.Failed != 0 || f.MailsSent < 2*mix.New {
		t.Fatalf("after the pass: %d tickets (want %d), outbox %d, failed %d, %d mails sent (want ≥ %d)",
			st.Tickets, mix.New, st.Outbox, st.Failed, f.MailsSent, 2*mix.New)
	}
	if d := sink.Duplicates(); d > 0 {
		t.Fatalf("%d of the %d mails delivered repeat a Message-ID delivered before", d, f.MailsSent)
	}
	if got := server.Count(t, Desk, "Procesados"); got != n {
		t.Fatalf("Procesados holds %d messages, want %d", got, n)
	}

	f.IMAPServerCPUUsecPerMsg = usecPer(imap1-imap0, n)
	f.SinkCPUUsecPerMail = usecPer(self1-self0, f.MailsSent)
	f.BusyIngestPct, f.BusyAfterPct = busyShare(machine0, watch.machine), busyShare(watch.machine, machine1)
	f.IngestCPUUsecPerMsg = usecPer(watch.cpu, n)
	f.WholeCPUUsecPerMsg = usecPer(cmd.ProcessState.UserTime()+cmd.ProcessState.SystemTime(), n)
	f.MailsDuringIngest = watch.mailsNow
	if after := f.MailsSent - watch.mailsNow; after > 0 {
		f.DeliveryCPUUsecPerMsg = usecPer(cmd.ProcessState.UserTime()+cmd.ProcessState.SystemTime()-watch.cpu, after)
	}

	if profile != "" {
		in, out, err := workerShares(profile)
		if err != nil {
			t.Fatal(err)
		}
		f.IngestOwnCPUUsecPerMsg = f.CPUSeconds * in * 1e6 / float64(n)
		f.DeliveryOwnCPUUsecPerMail = f.CPUSeconds * out * 1e6 / float64(f.MailsSent)
	}

	cpu, imap0 := selfCPU(t), serverCPU(t, server.PID())
	f.FetchPerSec = limitFetch(t, server.Addr(), n)
	f.FetchCPUUsecPerMsg = usecPer(selfCPU(t)-cpu, n)
	f.FetchServerCPUUsecPerMsg = usecPer(serverCPU(t, server.PID())-imap0, n)
	imap0 = serverCPU(t, server.PID())
	f.MovePerSec = limitMove(t, server.Addr(), n)
	f.MoveServerCPUUsecPerMsg = usecPer(serverCPU(t, server.PID())-imap0, n)
	cpu = selfCPU(t)
	f.ParsePerSec = limitParse(t, raws)
	f.ParseCPUUsecPerMsg = usecPer(selfCPU(t)-cpu, n)
	f.CommitsPerSec = limitCommits(t, dir)
	f.SMTPSendPerSec = limitSMTP(t, sink.Addr(), min(n, 2000))
	return f
}

// limitFetch is a plain IMAP fetch of every message (now in Procesados)
// over one connection, bodies read and dropped: msgs/s.
func limitFetch(t *testing.T, addr string, n int) float64 {
	t.Helper()
	c := openProcessed(t, addr, &imap.SelectOptions{ReadOnly: true})
	start := time.Now()
	var set imap.SeqSet
	set.AddRange(1, 0)
	cmd := c.Fetch(set, &imap.FetchOptions{UID: true, BodySection: []*imap.FetchItemBodySection{{Peek: true}}})
	got := 0
	for msg := cmd.Next(); msg != nil; msg = cmd.Next() {
		for item := msg.Next(); item != nil; item = msg.Next() {
			if body, ok := item.(imapclient.FetchItemDataBodySection); ok && body.Literal != nil {
				if _, err := io.Copy(io.Discard, body.Literal); err != nil {
					t.Fatal(err)
				}
				got++
			}
		}
	}
	if err := cmd.Close(); err != nil {
		t.Fatal(err)
	}
	d := time.Since(start)
	if got != n {
		t.Fatalf("plain fetch got %d bodies, want %d", got, n)
	}
	_ = c.Logout().Wait()
	return float64(n) / d.Seconds()
}

// openProcessed logs in as the desk and selects Procesados; the test's
// cleanup closes the connection.
func openProcessed(t *testing.T, addr string, opts *imap.SelectOptions) *imapclient.Client {
	t.Helper()
	c, err := imapclient.DialInsecure(addr, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	if err := c.Login(Desk, deskPassword).Wait(); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Select("Procesados", opts).Wait(); err != nil {
		t.Fatal(err)
	}
	return c
}

// limitMove moves every message of Procesados back to the INBOX with UID
// MOVE, mailin.DefaultBatchSize at a time as the poller does after each
// commit, over one connection: msgs/s.
func limitMove(t *testing.T, addr string, n int) float64 {
	t.Helper()
	c := openProcessed(t, addr, nil)
	var all imap.SeqSet
	all.AddRange(1, 0)
	res, err := c.UIDSearch(&imap.SearchCriteria{SeqNum: []imap.SeqSet{all}}, nil).Wait()
	if err != nil {
		t.Fatal(err)
	}
	uids := res.AllUIDs()
	if len(uids) != n {
		t.Fatalf("Procesados holds %d messages, want %d", len(uids), n)
	}
	start := time.Now()
	for chunk := range slices.Chunk(uids, mailin.DefaultBatchSize) {
		if _, err := c.Move(imap.UIDSetNum(chunk...), "INBOX").Wait(); err != nil {
			t.Fatal(err)
		}
	}
	d := time.Since(start)
	_ = c.Logout().Wait()
	return float64(n) / d.Seconds()
}

// serverCPU is treeCPU(pid) read when no process of the tree ended during
// the reading: the same processes before and after it (waiting up to 2 s
// for the processes of connections that ended to go), failing the test
// when it cannot be read.
func serverCPU(t *testing.T, pid int) time.Duration {
	t.Helper()
	_, before, err := treeCPU(pid)
	for deadline := time.Now().Add(2 * time.Second); err == nil; {
		time.Sleep(10 * time.Millisecond)
		d, now, rerr := treeCPU(pid)
		if rerr == nil && (slices.Equal(before, now) || time.Now().After(deadline)) {
			return d
		}
		before, err = now, rerr
	}
	t.Fatal(err)
	return 0
}

// limitParse parses the corpus on one goroutine, as the poller does.
func limitParse(t *testing.T, raws [][]byte) float64 {
	t.Helper()
	start := time.Now()
	for _, raw := range raws {
		if _, err := mailparse.Parse(raw); err != nil {
			t.Fatal(err)
		}
	}
	return float64(len(raws)) / time.Since(start).Seconds()
}

// limitCommits is bbolt write transactions per second, each one small put
// and its fsync, on the disk the test's data lives on.
func limitCommits(t *testing.T, dir string) float64 {
	t.Helper()
	db, err := bolt.Open(filepath.Join(dir, "commits.db"), 0o600, &bolt.Options{Timeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	const commits = 300
	start := time.Now()
	for i := range commits {
		err := db.Update(func(tx *bolt.Tx) error {
			b, err := tx.CreateBucketIfNotExists([]byte("b"))
			if err != nil {
				return err
			}
			return b.Put([]byte(strconv.Itoa(i)), bytes.Repeat([]byte("x"), 512))
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	return commits / time.Since(start).Seconds()
}

// limitSMTP sends n typical composed mails over one connection to addr.
func limitSMTP(t *testing.T, addr string, n int) float64 {
	t.Helper()
	tmpl, err := templates.New("")
	if err != nil {
		t.Fatal(err)
	}
	r, err := tmpl.Render("es", "ack", templates.Data{Desk: "Mesa de ayuda", Token: "[Soporte #1042]", Ticket: 1042,
		Subject: "No puedo imprimir", Requester: "José", RequesterEmail: "jose@cliente.test", Text: "Buenos días, no imprime.", Status: "new", Tier: 1})
	if err != nil {
		t.Fatal(err)
	}
	m := tickets.Mail{ID: 1, Ticket: 1042, Kind: "ack", From: tickets.NewAddress("Mesa de ayuda", Desk),
		To: []tickets.Address{tickets.NewAddress("José", "jose@cliente.test")}, Subject: r.Subject, Text: r.Text, HTML: r.HTML,
		MessageID: "ticket.1042.1@ticketd.test", AutoSubmitted: "auto-replied"}
	data, err := mailout.Compose(&m, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	c, err := smtp.Dial(addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := c.Hello("localhost"); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	for range n {
		if err := c.SendMail(Desk, []string{"jose@cliente.test"}, bytes.NewReader(data)); err != nil {
			t.Fatal(err)
		}
	}
	d := time.Since(start)
	_ = c.Quit()
	return float64(n) / d.Seconds()
}

func usecPer(d time.Duration, n int) float64 {
	return float64(d.Microseconds()) / float64(n)
}

func median(v []float64) float64 {
	if len(v) == 0 {
		return 0
	}
	s := slices.Clone(v)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

func rounded(v []float64) []int {
	out := make([]int, len(v))
	for i, x := range v {
		out[i] = int(x + 0.5)
	}
	return out
}

func appendJSON(t *testing.T, path string, v any) {
	t.Helper()
	line, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	f, err := os.OpenFile(path, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.Write(append(line, '\n')); err != nil {
		t.Fatal(err)
	}
}

func tail(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

// keepDB copies the database at src to dst (its directory made), for
// bbolt stats after the test's directories are gone.
func keepDB(t *testing.T, src, dst string) {
	t.Helper()
	data, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Dir(dst), 0o750); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(dst, data, 0o600); err != nil {
		t.Fatal(err)
	}
}

// smtpConnections is the [smtp] connections line -load.connections asks
// for ("" by default).
func smtpConnections() string {
	if *loadConns == 0 {
		return ""
	}
	return fmt.Sprintf("connections = %d", *loadConns)
}
