package mailin

import (
	"context"
	"log/slog"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapserver"
)

func TestPollMessageErrorSetsAsideOne(t *testing.T) {
	for _, caps := range []struct {
		name string
		caps imap.CapSet
	}{{"move", withMove()}, {"no move", imap.CapSet{imap.CapIMAP4rev1: {}}}} {
		t.Run(caps.name, func(t *testing.T) {
			srv := startServer(t, caps.caps)
			srv.deliverTestMails(t, 5)
			app := &fakeApplier{reject: map[string]bool{"msg2@example.com": true, "msg5@example.com": true}}
			logger, rec := newLogRecorder(t)
			p := NewPoller(testOptions(srv.addr), app, logger)
			st, err := p.Poll(testContext(t))
			if err != nil {
				t.Fatal(err)
			}
			if want := (Stats{Fetched: 5, Applied: 3, Failed: 2}); st != want {
				t.Errorf("stats = %+v, want %+v", st, want)
			}
			want := [][]string{
				{"Mensaje 1", "Mensaje 2", "Mensaje 3", "Mensaje 4", "Mensaje 5"},
				{"Mensaje 1", "Mensaje 3", "Mensaje 4", "Mensaje 5"},
				{"Mensaje 1", "Mensaje 3", "Mensaje 4"},
			}
			if got := app.subjects(); !slices.EqualFunc(got, want, slices.Equal) {
				t.Errorf("Apply calls %q, want %q", got, want)
			}
			attrs, ok := rec.find(slog.LevelWarn, "refused")
			if !ok || attrs["msgid"] != "msg2@example.com" || attrs["uid"] != "2" || !strings.Contains(attrs["err"], "ticket is locked") {
				t.Errorf("no Warn with uid, msgid and err for the refused message: %v", attrs)
			}

			if caps.name == "move" {
				if srv.count(t, testProcessed) != 3 || srv.count(t, testFailed) != 2 || srv.count(t, "INBOX") != 0 {
					t.Errorf("processed %d, failed %d, inbox %d; want 3, 2, 0",
						srv.count(t, testProcessed), srv.count(t, testFailed), srv.count(t, "INBOX"))
				}
			} else {
				flags := srv.flags(t, "INBOX")
				wantKW := []imap.Flag{KeywordProcessed, KeywordFailed, KeywordProcessed, KeywordProcessed, KeywordFailed}
				for i, f := range flags {
					if !hasFlag(f, wantKW[i]) {
						t.Errorf("message %d flags %v, want %s", i+1, f, wantKW[i])
					}
				}
			}

			// The next pass does not see the refused messages again.
			st, err = p.Poll(testContext(t))
			if err != nil || st != (Stats{}) {
				t.Errorf("second pass: %+v, %v; want nothing to do", st, err)
			}
		})
	}
}

func TestPollMessageErrorEveryMessage(t *testing.T) {
	srv := startServer(t, withMove())
	srv.deliver(t, testMail(1))
	srv.deliver(t, testMail(2))
	app := &fakeApplier{reject: map[string]bool{"msg1@example.com": true, "msg2@example.com": true}}
	st, err := NewPoller(testOptions(srv.addr), app, testLogger(t)).Poll(testContext(t))
	if err != nil {
		t.Fatal(err)
	}
	if want := (Stats{Fetched: 2, Failed: 2}); st != want {
		t.Errorf("stats = %+v, want %+v", st, want)
	}
	if n := len(app.subjects()); n != 2 {
		t.Errorf("Apply called %d times, want 2 (never with an empty batch)", n)
	}
	if srv.count(t, testFailed) != 2 || srv.count(t, "INBOX") != 0 {
		t.Errorf("failed %d, inbox %d", srv.count(t, testFailed), srv.count(t, "INBOX"))
	}
}

func TestPollMaxBatchBytes(t *testing.T) {
	srv := startServer(t, withMove())
	srv.deliverTestMails(t, 5)
	// Message 6 alone is larger than the budget: it still goes, alone.
	big := strings.Replace(testMail(6), "Cuerpo 6.", strings.Repeat("x", 1000), 1)
	srv.deliver(t, big)
	srv.deliver(t, testMail(7))

	size := int64(len(testMail(1)))
	app := &fakeApplier{}
	opts := testOptions(srv.addr)
	opts.MaxBatchBytes = 2*size + size/2 // two of the small ones
	st, err := NewPoller(opts, app, testLogger(t)).Poll(testContext(t))
	if err != nil {
		t.Fatal(err)
	}
	if want := (Stats{Fetched: 7, Applied: 7}); st != want {
		t.Errorf("stats = %+v, want %+v", st, want)
	}
	want := [][]string{
		{"Mensaje 1", "Mensaje 2"},
		{"Mensaje 3", "Mensaje 4"},
		{"Mensaje 5"},
		{"Mensaje 6"},
		{"Mensaje 7"},
	}
	if got := app.subjects(); !slices.EqualFunc(got, want, slices.Equal) {
		t.Errorf("batches %q, want %q", got, want)
	}
	if srv.count(t, testProcessed) != 7 || srv.count(t, "INBOX") != 0 {
		t.Errorf("processed %d, inbox %d", srv.count(t, testProcessed), srv.count(t, "INBOX"))
	}
}

func TestPollMaxBatchBytesWithOversize(t *testing.T) {
	// An oversize message is never downloaded, so it does not count
	// against the batch budget.
	srv := startServer(t, withMove())
	srv.deliver(t, testMail(1))
	srv.deliver(t, strings.Replace(testMail(2), "Cuerpo 2.", strings.Repeat("x", 5000), 1))
	srv.deliver(t, testMail(3))
	app := &fakeApplier{}
	opts := testOptions(srv.addr)
	opts.MaxMessageSize = 1000
	opts.MaxBatchBytes = 2*int64(len(testMail(1))) + 10
	st, err := NewPoller(opts, app, testLogger(t)).Poll(testContext(t))
	if err != nil {
		t.Fatal(err)
	}
	if want := (Stats{Fetched: 3, Applied: 2, Failed: 1}); st != want {
		t.Errorf("stats = %+v, want %+v", st, want)
	}
	if got, want := app.subjects(), [][]string{{"Mensaje 1", "Mensaje 3"}}; !slices.EqualFunc(got, want, slices.Equal) {
		t.Errorf("batches %q, want %q", got, want)
	}
}

func TestPollNoBodyLeavesMessage(t *testing.T) {
	// The first body FETCH is preceded by an unsolicited flags-only
	// FETCH for UID 1 (as a server does when another client changed its
	// flags). imapclient hands a UID's first response to the command, so
	// the poller sees message 1 without a body.
	var injected atomic.Bool
	srv := startServerHooks(t, withMove(), sessionHooks{
		beforeFetch: func(w *imapserver.FetchWriter, numSet imap.NumSet, options *imap.FetchOptions) {
			if len(options.BodySection) == 0 || injected.Swap(true) {
				return
			}
			rw := w.CreateMessage(1)
			rw.WriteUID(1)
			rw.WriteFlags([]imap.Flag{imap.FlagFlagged})
			if err := rw.Close(); err != nil {
				t.Error(err)
			}
		},
	})
	srv.deliverTestMails(t, 3)
	app := &fakeApplier{}
	logger, rec := newLogRecorder(t)
	p := NewPoller(testOptions(srv.addr), app, logger)
	st, err := p.Poll(testContext(t))
	if err != nil {
		t.Fatal(err)
	}
	if !injected.Load() {
		t.Fatal("the flags-only FETCH was not sent")
	}
	if want := (Stats{Fetched: 2, Applied: 2}); st != want {
		t.Errorf("stats = %+v, want %+v", st, want)
	}
	if srv.count(t, testFailed) != 0 || srv.count(t, "INBOX") != 1 || srv.count(t, testProcessed) != 2 {
		t.Errorf("failed %d, inbox %d, processed %d; want 0, 1, 2",
			srv.count(t, testFailed), srv.count(t, "INBOX"), srv.count(t, testProcessed))
	}
	if attrs, ok := rec.find(slog.LevelWarn, "next pass"); !ok || attrs["uid"] != "1" {
		t.Errorf("no Warn for the message without a body: %v", attrs)
	}

	// The next pass takes it.
	secondPassTakes(t, p, app, "Mensaje 1")
}

func TestPollWithoutMoveNeedsKeywords(t *testing.T) {
	system := []imap.Flag{imap.FlagSeen, imap.FlagAnswered, imap.FlagFlagged, imap.FlagDeleted, imap.FlagDraft}
	tests := []struct {
		name string
		caps imap.CapSet
		perm []imap.Flag
		ok   bool
	}{
		{"system flags only", imap.CapSet{imap.CapIMAP4rev1: {}}, system, false},
		{"empty", imap.CapSet{imap.CapIMAP4rev1: {}}, nil, false},
		{"one keyword", imap.CapSet{imap.CapIMAP4rev1: {}}, append(slices.Clone(system), KeywordProcessed), false},
		{"both keywords", imap.CapSet{imap.CapIMAP4rev1: {}}, append(slices.Clone(system), "$ticketdprocessed", KeywordFailed), true},
		{"wildcard", imap.CapSet{imap.CapIMAP4rev1: {}}, append(slices.Clone(system), imap.FlagWildcard), true},
		{"move needs no keywords", withMove(), system, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := startServerHooks(t, tt.caps, sessionHooks{
				permanentFlags: func() []imap.Flag { return slices.Clone(tt.perm) },
			})
			srv.deliver(t, testMail(1))
			app := &fakeApplier{}
			st, err := NewPoller(testOptions(srv.addr), app, testLogger(t)).Poll(testContext(t))
			if !tt.ok {
				if err == nil || !strings.Contains(err.Error(), "PERMANENTFLAGS") || !strings.Contains(err.Error(), string(KeywordProcessed)) {
					t.Fatalf("Poll = %v, want the PERMANENTFLAGS error", err)
				}
				if app.total() != 0 || st != (Stats{}) {
					t.Errorf("mail was processed: %+v", st)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if st.Applied != 1 {
				t.Errorf("stats = %+v, want 1 applied", st)
			}
		})
	}
}

func TestRunLogsNoKeywordsAsError(t *testing.T) {
	srv := startServerHooks(t, imap.CapSet{imap.CapIMAP4rev1: {}}, sessionHooks{
		permanentFlags: func() []imap.Flag { return []imap.Flag{imap.FlagSeen} },
	})
	logger, rec := newLogRecorder(t)
	p := NewPoller(testOptions(srv.addr), &fakeApplier{}, logger)
	ctx, cancel := context.WithCancel(testContext(t))
	done := make(chan error, 1)
	go func() { done <- p.Run(ctx, time.Hour) }()
	waitFor(t, 5*time.Second, "the error log", func() bool {
		_, ok := rec.find(slog.LevelError, "mail pass failed")
		return ok
	})
	cancel()
	if err := <-done; err != nil {
		t.Errorf("Run = %v", err)
	}
}

func TestRunRecoversPanic(t *testing.T) {
	srv := startServer(t, withMove())
	srv.deliver(t, testMail(1))
	app := &fakeApplier{panics: 1}
	logger, rec := newLogRecorder(t)
	p := NewPoller(testOptions(srv.addr), app, logger)

	ctx, cancel := context.WithCancel(testContext(t))
	done := make(chan error, 1)
	go func() { done <- p.Run(ctx, 2*time.Second) }()

	// The first pass panics inside Apply; Run logs it, backs off (one
	// second) and the next pass applies the message.
	waitFor(t, 10*time.Second, "retry after the panic", func() bool { return len(app.subjects()) == 2 })
	waitFor(t, 5*time.Second, "move", func() bool { return srv.count(t, testProcessed) == 1 })
	attrs, ok := rec.find(slog.LevelError, "panicked")
	if !ok || !strings.Contains(attrs["panic"], "fake applier exploded") || !strings.Contains(attrs["stack"], "fakeApplier") {
		t.Errorf("no Error log with the panic value and stack: %v", attrs)
	}
	if n := len(app.subjects()); n != 2 {
		t.Errorf("Apply called %d times, want 2", n)
	}
	stopRun(t, cancel, done)
	// The lock Poll held when it panicked was released.
	if _, err := p.Poll(testContext(t)); err != nil {
		t.Errorf("Poll after the panic: %v", err)
	}
}

func TestValidateMaxBatchBytes(t *testing.T) {
	o := testOptions("127.0.0.1:143")
	o.MaxBatchBytes = -1
	if err := o.Validate(); err == nil {
		t.Error("negative MaxBatchBytes accepted")
	}
}
