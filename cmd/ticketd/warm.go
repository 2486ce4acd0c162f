package main

import (
	"log/slog"
	"time"
)

// The daemon's digest warm-up: a dry-run digest built once, right after
// the daemon has started, and thrown away, so that the first digest
// anyone asks for (a manager's scheduled one, "ticketd digest --dry-run"
// over the admin socket) costs what a later one does.
//
// A daemon's first digest paid for everything done once per process: the
// digest templates parsed, trial-rendered and compiled (templates parses
// on first use), gonum's fonts turned into faces and glyphs rasterized,
// the image and PNG buffers the charts reuse, the heap grown to the
// digest's size, and — most of it — the first touch of every page of the
// memory-mapped database the figures and lists read (page faults, ~19 µs
// each in a VM). At 1,000,000 tickets the first digest took a median
// 46 ms, the next ones 17. The same dry run as the one asked for does all
// of it, and only it: nothing is written, nothing is kept aside that
// could go stale.

// startWarmUp starts the warm-up beside the pollers and the sender, after
// "ticketd started", delaying neither; it takes one read transaction, as
// any digest does. d.warmed is closed when it is done: a digest asked for
// meanwhile waits for it (waitWarm) rather than pay the same cold costs
// beside it on the same cores. The returned wait lets no warm-up outlive
// the database.
func (d *desk) startWarmUp(log *slog.Logger) (wait func()) {
	go func() {
		defer close(d.warmed)
		_ = guard(log, "digest warm-up", func() error {
			start := time.Now()
			// A failure is the real digest's to report.
			_, err := d.svc.Digest(true)
			log.Debug("digest warm-up", "took", time.Since(start).Round(time.Microsecond), "err", err)
			return nil
		})
	}()
	return func() { <-d.warmed }
}

// waitWarm waits until the warm-up closes warmed; nil: there is none.
func waitWarm(warmed <-chan struct{}) {
	if warmed != nil {
		<-warmed
	}
}
