package main

import (
	"context"
	"log/slog"
)

// deliverDuring runs fetch (a mail pass) while the outbox is delivered
// each time the pass commits mail to send, as the daemon does, so that
// "once" over a full mailbox costs about the longer of the two instead of
// their sum. It returns fetch's error once fetch and the delivery under
// way have finished; what is still queued is for the caller's last Drain.
func deliverDuring(ctx context.Context, d *desk, log *slog.Logger, fetch func() error) error {
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() {
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
	}()
	err := fetch()
	close(stop)
	<-done
	return err
}
