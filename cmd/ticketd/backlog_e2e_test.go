package main

// The flow control between ingest and delivery (backlog.go) over a real
// Dovecot and a go-smtp server, wired as "ticketd once" wires it: the
// desk's pollers, the gate deskIMAP gives them, and delivery running
// during the pass (deliverDuring).

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ticketd/ticketd/internal/testkit/smtptest"
	"github.com/ticketd/ticketd/mailin"
	"github.com/ticketd/ticketd/tickets"
)

// backlogDesk opens the desk of e with [limits] outbox_backlog = bound and
// one poller reading batches of batch messages through rec (which sees
// each batch's commit), with the gate deskIMAP wires for the daemon.
func backlogDesk(t *testing.T, e *e2e, bound, batch int, rec *recordingApplier, log *slog.Logger) *desk {
	t.Helper()
	f, err := os.OpenFile(e.config, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	fmt.Fprintf(f, "[limits]\noutbox_backlog = %d\n", bound)
	f.Close()
	cfg, err := LoadConfig(e.config)
	if err != nil {
		t.Fatal(err)
	}
	cfg.IMAP.BatchSize = batch
	deps := Deps{Logger: log}.withDefaults()
	d, err := openDesk(cfg, deps)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.store.Close() })
	blobs, err := tickets.OpenBlobs(filepath.Join(cfg.DataDir, "attachments"))
	if err != nil {
		t.Fatal(err)
	}
	rec.svc, rec.store = d.svc, d.store
	d.pollers = []*mailin.Poller{mailin.NewPoller(deskIMAP(cfg, blobs, d.svc, deps, d.metrics), rec, log)}
	return d
}

// recordingApplier applies like the desk's poller and notes, right after
// each batch's commit, how many mails have not been attempted yet — the
// highest the outbox gets before delivery takes some out.
type recordingApplier struct {
	svc   *tickets.Service
	store *tickets.Store

	mu      sync.Mutex
	batches int
	max     int // untried mails right after a batch committed
	atStart int // the most untried mails a batch started with
}

func (r *recordingApplier) Apply(ctx context.Context, msgs []tickets.Inbound) ([]tickets.Result, error) {
	before, _ := r.store.UntriedMail()
	res, err := r.svc.Apply(ctx, msgs)
	after, _ := r.store.UntriedMail()
	r.mu.Lock()
	defer r.mu.Unlock()
	r.batches++
	r.max, r.atStart = max(r.max, after), max(r.atStart, before)
	return res, err
}

// newTicketMails are n first messages from n requesters: each opens a
// ticket and queues the same mails (acknowledgement, agents' notice).
func newTicketMails(n int) [][]byte {
	raws := make([][]byte, n)
	for i := range raws {
		raws[i] = []byte(strings.ReplaceAll(fmt.Sprintf(`From: Cliente %d <cliente%d@example.com>
To: soporte@ticketd.test
Subject: No puedo imprimir %d
Message-ID: <backlog-%d@example.com>
Content-Type: text/plain; charset=UTF-8

La impresora del piso %d no responde.
`, i, i, i, i, i), "\n", "\r\n"))
	}
	return raws
}

// With an SMTP peer slower than the ingest, the outbox never holds more
// than the bound plus one batch's mails during the pass, and every mail
// is delivered exactly once.
func TestBacklogBoundedWithSlowSMTP(t *testing.T) {
	const n, bound, batch = 200, 40, 10
	e := newE2EWith(t, smtptest.Options{OnData: func(smtptest.Message) {
		time.Sleep(10 * time.Millisecond) // a slow server, slower than applying
	}})
	e.imap.AppendMany(t, deskAddr, "INBOX", newTicketMails(n))
	rec := &recordingApplier{}
	d := backlogDesk(t, e, bound, batch, rec, slog.New(slog.DiscardHandler))
	ctx := context.Background()
	if err := deliverDuring(ctx, d, slog.New(slog.DiscardHandler), d.pollAll(ctx)); err != nil {
		t.Fatal(err)
	}
	if _, err := d.sender.Drain(ctx); err != nil {
		t.Fatal(err)
	}

	sent := e.smtp.Messages()
	seen := make(map[string]bool)
	for _, m := range sent {
		h := parseSent(t, m).header
		id, err := h.MessageID()
		if err != nil || id == "" {
			t.Fatalf("sent mail without a Message-ID (%v)", err)
		}
		if seen[id] {
			t.Errorf("mail %s delivered twice", id)
		}
		seen[id] = true
	}
	perBatch := len(sent) / (n / batch) // every message queues the same mails
	if len(sent) != perBatch*(n/batch) || perBatch == 0 {
		t.Fatalf("%d mails sent for %d new tickets: not the same per message", len(sent), n)
	}
	if rec.atStart <= bound-perBatch {
		t.Errorf("the outbox never came near the bound (%d untried at most when a batch started, bound %d): the test did not exercise the wait", rec.atStart, bound)
	}
	if rec.max > bound+perBatch {
		t.Errorf("%d untried mails in the outbox after a batch, want at most the bound %d + one batch's %d", rec.max, bound, perBatch)
	}
	st, err := d.store.Stats()
	if err != nil {
		t.Fatal(err)
	}
	if st.Tickets != n || st.Outbox != 0 || st.Failed != 0 {
		t.Errorf("after the pass: %d tickets (want %d), outbox %d, failed %d", st.Tickets, n, st.Outbox, st.Failed)
	}
	t.Logf("%d mails (%d per batch of %d messages), bound %d: at most %d untried after a batch, %d when one started",
		len(sent), perBatch, batch, bound, rec.max, rec.atStart)
}

// With the SMTP server refusing connections, a pass of several times the
// bound still ingests everything: every ticket is created and its mails
// wait in the outbox, in backoff, for the server to come back.
func TestBacklogNeverStallsWithoutSMTP(t *testing.T) {
	const n, bound, batch = 150, 20, 10
	e := newE2E(t)
	e.smtp.Close() // connection refused from now on
	e.imap.AppendMany(t, deskAddr, "INBOX", newTicketMails(n))
	var logs logRecorder
	rec := &recordingApplier{}
	d := backlogDesk(t, e, bound, batch, rec, slog.New(&logs))
	ctx := context.Background()
	if err := deliverDuring(ctx, d, slog.New(&logs), d.pollAll(ctx)); err != nil {
		t.Fatal(err)
	}
	st, err := d.store.Stats()
	if err != nil {
		t.Fatal(err)
	}
	if st.Tickets != n || st.Outbox < 2*n {
		t.Errorf("after the pass: %d tickets (want %d), %d mails queued (want ≥ %d)", st.Tickets, n, st.Outbox, 2*n)
	}
	if got := e.imap.Count(t, deskAddr, "INBOX"); got != 0 {
		t.Errorf("%d messages left in the INBOX", got)
	}
	// Refused connections put the mails in backoff at once: the ingest
	// waited on delivery's attempts, never on the stall timer.
	if logs.has("delivery is not progressing") {
		t.Error("the ingest had to give up waiting although every attempt failed at once")
	}
}

// logRecorder is a slog.Handler keeping the messages logged.
type logRecorder struct {
	mu   sync.Mutex
	msgs []string
}

func (l *logRecorder) Enabled(context.Context, slog.Level) bool { return true }
func (l *logRecorder) Handle(_ context.Context, r slog.Record) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.msgs = append(l.msgs, r.Message)
	return nil
}
func (l *logRecorder) WithAttrs([]slog.Attr) slog.Handler { return l }
func (l *logRecorder) WithGroup(string) slog.Handler      { return l }

func (l *logRecorder) has(s string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, m := range l.msgs {
		if strings.Contains(m, s) {
			return true
		}
	}
	return false
}
