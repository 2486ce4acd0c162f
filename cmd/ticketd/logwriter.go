package main

import (
	"context"
	"io"
	"log/slog"
	"sync"
	"time"
)

// The daemon's log goes through a logWriter, which lets the sender's Info
// lines — one "mail delivered" per mail, thousands a second while a long
// outbox drains — wait a moment and go out together: a write system call
// per line cost 21 µs of the ~230 µs of CPU a delivered mail took. Every
// other line (and every Warn or Error, the sender's too) is written at
// once, after the held lines, so the log keeps its order.
//
// Held lines are written at the latest logHold after the first of them,
// and when the command ends (flushLog). A SIGKILL or a crash of the
// process loses the held lines: at most logHold of "mail delivered"
// lines, for mails that were delivered and durably recorded (each line is
// logged after its mail's record, mailout's record.go); their delivery
// events are on their tickets (ticketd show N).
const (
	logHold    = 50 * time.Millisecond
	logHoldMax = 64 << 10 // bytes held before they are written anyway
)

type logWriter struct {
	mu    sync.Mutex
	w     io.Writer
	held  []byte
	timer *time.Timer // armed while lines are held
}

func newLogWriter(w io.Writer) *logWriter { return &logWriter{w: w} }

// Write writes p at once, after the lines held, in one write.
func (l *logWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.held) == 0 {
		return l.w.Write(p)
	}
	l.held = append(l.held, p...)
	if err := l.flushLocked(); err != nil {
		return 0, err
	}
	return len(p), nil
}

// hold keeps p to be written within logHold.
func (l *logWriter) hold(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.held = append(l.held, p...)
	if len(l.held) >= logHoldMax {
		if err := l.flushLocked(); err != nil {
			return 0, err
		}
		return len(p), nil
	}
	if l.timer == nil {
		l.timer = time.AfterFunc(logHold, func() { l.Flush() })
	} else if len(l.held) == len(p) {
		l.timer.Reset(logHold)
	}
	return len(p), nil
}

// Flush writes the held lines.
func (l *logWriter) Flush() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.flushLocked()
}

func (l *logWriter) flushLocked() error {
	if len(l.held) == 0 {
		return nil
	}
	if l.timer != nil {
		l.timer.Stop()
	}
	_, err := l.w.Write(l.held)
	if cap(l.held) > logHoldMax {
		l.held = nil // a burst's buffer is not kept
	} else {
		l.held = l.held[:0]
	}
	return err
}

// holdingWriter is a logWriter's door for the lines that may wait.
type holdingWriter struct{ l *logWriter }

func (h holdingWriter) Write(p []byte) (int, error) { return h.l.hold(p) }

// logHandler is the daemon's slog handler over a logWriter: now writes
// at once, held formats the same way into the held lines, which only a
// holding handler (holdingLogger) uses for its Info and Debug lines.
type logHandler struct {
	now, held slog.Handler
	w         *logWriter
	holding   bool
}

func (h *logHandler) Enabled(ctx context.Context, l slog.Level) bool {
	return h.now.Enabled(ctx, l)
}

func (h *logHandler) Handle(ctx context.Context, r slog.Record) error {
	if h.holding && r.Level < slog.LevelWarn {
		return h.held.Handle(ctx, r)
	}
	return h.now.Handle(ctx, r)
}

func (h *logHandler) WithAttrs(as []slog.Attr) slog.Handler {
	return &logHandler{now: h.now.WithAttrs(as), held: h.held.WithAttrs(as), w: h.w, holding: h.holding}
}

func (h *logHandler) WithGroup(name string) slog.Handler {
	return &logHandler{now: h.now.WithGroup(name), held: h.held.WithGroup(name), w: h.w, holding: h.holding}
}

// holdingLogger is l with its Info lines held (up to logHold), when l is
// the daemon's log (configLogger); any other logger (tests) is returned
// as it is.
func holdingLogger(l *slog.Logger) *slog.Logger {
	if h, ok := l.Handler().(*logHandler); ok {
		held := *h
		held.holding = true
		return slog.New(&held)
	}
	return l
}

// flushLog writes what l holds, when it is the daemon's log.
func flushLog(l *slog.Logger) {
	if h, ok := l.Handler().(*logHandler); ok {
		h.w.Flush()
	}
}
