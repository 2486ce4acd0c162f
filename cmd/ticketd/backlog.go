package main

import (
	"context"
	"log/slog"
	"sync"
	"time"
)

// Flow control between ingest and delivery. A pass over a full mailbox
// applies mail far faster than SMTP delivers what it queues; left alone,
// the outbox grows by the whole difference (11,400 mails of ~3 KB after
// the ingest of 10,000 messages), and with it the database file and the
// resident pages of its mapping. Like Postfix's in_flow_delay, the
// ingest waits, before applying its next batch, while delivery has more
// than a bound of untried mails ahead of it, and goes on as soon as
// delivery brings them under it: the outbox then holds at most the bound
// plus one batch's mails (and those in backoff).
//
// The wait never holds the ingest back when delivery cannot progress:
// mails in backoff have been attempted and do not count (an SMTP server
// that refuses sends them there at once), and when the untried count has
// not fallen for backlogStall (a server that does not answer, or no
// delivery running), the ingest goes on without waiting until delivery
// has caught up again. Tickets keep being created during an outage.
const (
	// DefaultOutboxBacklog is the bound of untried mails; [limits]
	// outbox_backlog. Chosen from the load test: a 3,000-message pass
	// queues 4,300 mails and starts its last batch with 3,821 untried,
	// so it never waits and its rates are unchanged; at 10,000 messages
	// the outbox stays at about a third of the 11,400 mails it reached
	// (README, Performance). Bounds of 1,500–4,000 gave the same peak RSS
	// there within noise: what remains of it is not the backlog.
	DefaultOutboxBacklog = 4000
	// backlogStall is how long the ingest waits without the untried
	// count falling before it stops waiting for delivery: longer than
	// one round of delivery (200 mails, recorded in one commit) on a
	// busy machine, shorter than an SMTP connection's dial timeout (30
	// s) so that one unreachable server costs the ingest one such wait.
	backlogStall = 20 * time.Second
	// backlogLongWait is how long a wait goes on before it is logged.
	backlogLongWait = 5 * time.Second
)

// backlogGate is the ingest's side of the flow control; its Wait is
// mailin.PollerOptions.Throttle. One gate serves every poller of a desk.
type backlogGate struct {
	bound int
	// untried is tickets.Store.UntriedMail: the count and a channel
	// closed at its next change.
	untried func() (int, <-chan struct{})
	log     *slog.Logger
	// onWait, when set, is told each time the ingest has to wait (the
	// limit counter, ticketd_limit_hits_total{limit="outbox_backlog"}).
	onWait func()
	// after is time.After; tests fire the stall and the long-wait log
	// themselves.
	after func(time.Duration) <-chan time.Time

	mu sync.Mutex
	// stalled is set when delivery stopped making progress during a
	// wait; until delivery has caught up (untried at or under bound),
	// the ingest does not wait. logged keeps the long-wait line to one
	// per streak of waits.
	stalled, logged bool
}

// newBacklogGate returns a gate holding the ingest while untried reports
// more than bound mails; bound < 1 means DefaultOutboxBacklog.
func newBacklogGate(bound int, untried func() (int, <-chan struct{}), log *slog.Logger, onWait func()) *backlogGate {
	if bound < 1 {
		bound = DefaultOutboxBacklog
	}
	return &backlogGate{bound: bound, untried: untried, log: log, onWait: onWait, after: time.After}
}

// Wait returns once delivery has at most the bound of untried mails
// ahead of it, once delivery has not progressed for backlogStall, or
// with ctx's error.
func (g *backlogGate) Wait(ctx context.Context) error {
	n, changed := g.untried()
	if n <= g.bound {
		g.mu.Lock()
		if g.stalled {
			g.log.Info("outbox: delivery caught up; the ingest waits for it again above the bound", "untried", n, "bound", g.bound)
		}
		g.stalled, g.logged = false, false
		g.mu.Unlock()
		return nil
	}
	g.mu.Lock()
	stalled := g.stalled
	g.mu.Unlock()
	if stalled {
		return nil
	}
	if g.onWait != nil {
		g.onWait()
	}
	start := time.Now()
	stall, long := g.after(backlogStall), g.after(backlogLongWait)
	low := n // the lowest count seen: progress is a new low
	for n > g.bound {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-changed:
			n, changed = g.untried()
			if n < low {
				low = n
				stall = g.after(backlogStall)
			}
		case <-long:
			g.mu.Lock()
			if !g.logged {
				g.logged = true
				g.log.Info("outbox: ingest waiting for delivery", "untried", n, "bound", g.bound)
			}
			g.mu.Unlock()
		case <-stall:
			g.mu.Lock()
			g.stalled = true
			g.mu.Unlock()
			g.log.Warn("outbox: delivery is not progressing; the ingest goes on without waiting for it",
				"untried", n, "bound", g.bound, "waited", time.Since(start).Round(time.Millisecond))
			return nil
		}
	}
	return nil
}
