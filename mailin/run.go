package mailin

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"runtime/debug"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"
)

// idleRestart is how long one IDLE command may last: RFC 9051 §6.3.13
// lets servers drop a client idle for 30 minutes, so stop and re-issue
// well before.
const idleRestart = 25 * time.Minute

// DefaultPollInterval is Run's interval when it is given none.
const DefaultPollInterval = time.Minute

// errNoIdle means the server does not advertise IDLE (RFC 2177).
var errNoIdle = errors.New("server has no IDLE")

// Run is the daemon loop: a pass (Poll), then a wait, again and again
// until ctx is done. When the server has IDLE the wait keeps a connection
// IDLE on the mailbox and ends as soon as the server reports new mail;
// otherwise it sleeps. Either way a pass runs at least every interval
// (0 means DefaultPollInterval). Failed passes are logged at Warn (at
// Error when only an operator can fix them) and retried with exponential
// backoff capped at interval. A panic in a pass or in the wait is
// recovered, logged at Error and handled like a failure.
//
// Run returns nil once ctx is done, and an error only for options that
// can never work (see PollerOptions.Validate).
func (p *Poller) Run(ctx context.Context, interval time.Duration) error {
	if interval <= 0 {
		interval = DefaultPollInterval
	}
	if err := p.opts.Validate(); err != nil {
		return err
	}
	failures := 0
	for {
		err := p.recovered("mail pass", func() error {
			_, err := p.Poll(ctx)
			return err
		})
		if ctx.Err() != nil {
			return nil
		}
		if err != nil {
			failures++
			delay := withJitter(backoffFor(failures, reconnectCap(interval)))
			level := slog.LevelWarn
			if errors.Is(err, errNoKeywords) {
				level = slog.LevelError
			}
			p.log.Log(ctx, level, "mail pass failed; will retry", "mailbox", p.opts.Mailbox, "retry_in", delay, "err", err)
			if !sleepUntil(ctx, time.Now().Add(delay)) {
				return nil
			}
			continue
		}
		failures = 0
		err = p.recovered("mail wait", func() error {
			p.wait(ctx, interval)
			return nil
		})
		if ctx.Err() != nil {
			return nil
		}
		if err != nil && !sleepUntil(ctx, time.Now().Add(interval)) {
			return nil
		}
	}
}

// errPanic wraps a recovered panic.
var errPanic = errors.New("panic")

// recovered runs fn and turns a panic in it into an error wrapping
// errPanic, logged at Error with the panic value and the stack: a bug in
// ticketd or a library must not stop ingest for good. (Poll's deferred
// calls still run, so its lock is released and its connection closed.)
func (p *Poller) recovered(what string, fn func() error) (err error) {
	defer func() {
		if v := recover(); v != nil {
			p.log.Error(what+" panicked", "mailbox", p.opts.Mailbox, "panic", fmt.Sprint(v), "stack", string(debug.Stack()))
			err = fmt.Errorf("%s: %w: %v", what, errPanic, v)
		}
	}()
	return fn()
}

// sleepUntil waits until t or until ctx is done; it reports whether ctx
// is still live.
func sleepUntil(ctx context.Context, t time.Time) bool {
	timer := time.NewTimer(time.Until(t))
	defer timer.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-timer.C:
		return true
	}
}

// wait returns when new mail may be waiting: the server said so during
// IDLE, or interval elapsed, or ctx is done.
func (p *Poller) wait(ctx context.Context, interval time.Duration) {
	deadline := time.Now().Add(interval)
	err := p.idleUntil(ctx, deadline)
	switch {
	case err == nil || ctx.Err() != nil:
		p.idleFailures = 0
		return
	case errors.Is(err, errNoIdle):
		p.log.Debug("imap server has no IDLE; polling on a timer", "mailbox", p.opts.Mailbox)
	default:
		// The connection dropped (a server restart, a network cut): do
		// not wait out the whole interval, pass again soon, later and
		// later while it keeps failing (reconnect.go).
		p.idleFailures++
		delay := withJitter(backoffFor(p.idleFailures, reconnectCap(interval)))
		p.log.Warn("imap idle failed; will pass again", "mailbox", p.opts.Mailbox, "retry_in", delay, "err", err)
		if at := time.Now().Add(delay); at.Before(deadline) {
			deadline = at
		}
	}
	sleepUntil(ctx, deadline)
}

// idleUntil keeps a connection IDLE on the mailbox until the server
// reports messages (a unilateral EXISTS) or until deadline. It returns nil
// in both cases.
func (p *Poller) idleUntil(ctx context.Context, deadline time.Time) error {
	// The handler runs inside the client's reader: it must not call the
	// client, only signal.
	newMail := make(chan struct{}, 1)
	handler := &imapclient.UnilateralDataHandler{
		Mailbox: func(data *imapclient.UnilateralDataMailbox) {
			if data.NumMessages != nil {
				select {
				case newMail <- struct{}{}:
				default:
				}
			}
		},
	}
	c, release, err := p.connect(ctx, handler)
	if err != nil {
		return err
	}
	defer release()

	if !c.Caps().Has(imap.CapIdle) {
		_ = c.Logout().Wait()
		return errNoIdle
	}
	sel, err := c.Select(p.opts.Mailbox, &imap.SelectOptions{ReadOnly: true}).Wait()
	if err != nil {
		return fmt.Errorf("select %q: %w", p.opts.Mailbox, err)
	}
	// Mail delivered after the last pass searched the mailbox raised
	// UIDNEXT (RFC 9051 §2.3.1.1) but will never be announced by IDLE.
	p.mu.Lock()
	last := p.last
	p.mu.Unlock()
	if sel.UIDNext != 0 && (sel.UIDValidity != last.uidValidity || sel.UIDNext != last.uidNext) {
		p.log.Debug("mail arrived during the pass", "mailbox", p.opts.Mailbox)
		_ = c.Logout().Wait()
		return nil
	}
	select {
	case <-newMail:
	default:
	}

	p.log.Debug("waiting for mail with IDLE", "mailbox", p.opts.Mailbox)
	for {
		span := min(time.Until(deadline), idleRestart)
		if span <= 0 {
			break
		}
		idle, err := c.Idle()
		if err != nil {
			return fmt.Errorf("idle on %q: %w", p.opts.Mailbox, err)
		}
		timer := time.NewTimer(span)
		woke := false
		select {
		case <-newMail:
			woke = true
		case <-timer.C:
		case <-ctx.Done():
		case <-c.Closed():
		}
		timer.Stop()
		// Close writes DONE; Wait reads the server's answer.
		if err := idle.Close(); err != nil {
			return fmt.Errorf("stop idle on %q: %w", p.opts.Mailbox, err)
		}
		if err := idle.Wait(); err != nil {
			return fmt.Errorf("idle on %q: %w", p.opts.Mailbox, err)
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		if woke {
			break
		}
	}
	if err := c.Logout().Wait(); err != nil {
		p.log.Debug("imap logout", "mailbox", p.opts.Mailbox, "err", err)
	}
	return nil
}
