package main

import (
	"context"
	"log/slog"
	"runtime/pprof"
)

// asWorker runs f with the profiler label worker=name, inherited by the
// goroutines f starts: a CPU profile ($TICKETD_CPUPROFILE) of a pass then
// splits into what reading mail cost (mailin) and what delivering it cost
// (mailout), the rest being the runtime's own (collector, start-up).
func asWorker(ctx context.Context, name string, f func()) {
	pprof.Do(ctx, pprof.Labels("worker", name), func(context.Context) { f() })
}

// deliverDuring runs fetch (a mail pass) while the outbox is delivered
// each time the pass commits mail to send, as the daemon does, so that
// "once" over a full mailbox costs about the longer of the two instead of
// their sum. It returns fetch's error once fetch and the delivery under
// way have finished; what is still queued is for the caller's last Drain.
func deliverDuring(ctx context.Context, d *desk, log *slog.Logger, fetch func() error) error {
	stop := make(chan struct{})
	done := make(chan struct{})
	go asWorker(ctx, "mailout", func() {
		defer close(done)
		for {
			select {
			case <-stop:
				return
			case <-ctx.Done():
				return
			case <-d.svc.Queued():
			}
			// Not cancelled when fetch ends: a delivery cut off mid-way
			// would be deferred (retried minutes later) instead of sent.
			if _, err := d.sender.Drain(ctx); err != nil && ctx.Err() == nil {
				log.Error("mailout: drain outbox", "err", err)
			}
		}
	})
	var err error
	asWorker(ctx, "mailin", func() { err = fetch() })
	close(stop)
	<-done
	return err
}
