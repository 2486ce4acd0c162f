package main

import (
	"log/slog"
	"strings"
	"sync"
	"testing"
)

// writes records each Write the log makes (one system call each).
type writes struct {
	mu sync.Mutex
	w  []string
}

func (w *writes) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.w = append(w.w, string(p))
	return len(p), nil
}

func (w *writes) all() []string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return append([]string(nil), w.w...)
}

// TestLogHoldsSenderInfoLines: the sender's Info lines wait and go out
// in one write, before any other line (order kept); its Warn lines and
// every other component's lines are written at once; flushLog writes
// what is held.
func TestLogHoldsSenderInfoLines(t *testing.T) {
	var w writes
	log := configLogger(&w, &Config{LogLevel: "info"})
	sender := holdingLogger(log).With("component", "mailout")

	sender.Info("mail delivered", "ticket", 1)
	sender.Info("mail delivered", "ticket", 2)
	if got := w.all(); len(got) != 0 {
		t.Fatalf("Info lines written at once: %q", got)
	}
	log.Info("mail pass", "fetched", 3)
	got := w.all()
	if len(got) != 1 || strings.Count(got[0], "\n") != 3 ||
		!strings.Contains(got[0], "ticket=1") || strings.Index(got[0], "ticket=2") > strings.Index(got[0], "mail pass") {
		t.Fatalf("want the held lines then the direct one, in one write; got %q", got)
	}
	if !strings.Contains(got[0], "component=mailout") {
		t.Errorf("held lines lost their attributes: %q", got[0])
	}

	sender.Info("mail delivered", "ticket", 4)
	sender.Warn("delivery deferred", "ticket", 5)
	got = w.all()
	if len(got) != 2 || !strings.Contains(got[1], "ticket=4") || !strings.Contains(got[1], "level=WARN") {
		t.Fatalf("a Warn line must be written at once, after the held ones; got %q", got)
	}

	sender.Debug("not logged at info")
	sender.Info("mail delivered", "ticket", 6)
	flushLog(log)
	got = w.all()
	if len(got) != 3 || !strings.Contains(got[2], "ticket=6") || strings.Contains(got[2], "not logged") {
		t.Fatalf("flushLog: got %q", got)
	}
	flushLog(log) // nothing held: no empty write
	if n := len(w.all()); n != 3 {
		t.Errorf("%d writes after an empty flush, want 3", n)
	}
}

// TestLogHoldBound: held lines are written once they reach logHoldMax.
func TestLogHoldBound(t *testing.T) {
	var w writes
	log := configLogger(&w, &Config{LogLevel: "info"})
	sender := holdingLogger(log)
	line := strings.Repeat("x", 1000)
	for range logHoldMax / 1000 {
		sender.Info(line)
	}
	if n := len(w.all()); n != 1 {
		t.Fatalf("%d writes after %d KB held, want 1", n, logHoldMax>>10)
	}
	defer flushLog(log)
}

// TestLogJSON: the held lines are formatted like the others.
func TestLogJSON(t *testing.T) {
	var w writes
	cfg := &Config{LogLevel: "info"}
	cfg.Admin.LogFormat = "json"
	log := configLogger(&w, cfg)
	holdingLogger(log).Info("mail delivered", "ticket", 7)
	flushLog(log)
	if got := w.all(); len(got) != 1 || !strings.HasPrefix(got[0], `{"time":`) || !strings.Contains(got[0], `"ticket":7`) {
		t.Fatalf("got %q", got)
	}
	if l := slog.New(slog.DiscardHandler); holdingLogger(l) != l {
		t.Error("holdingLogger changed a logger that is not the daemon's")
	}
}
