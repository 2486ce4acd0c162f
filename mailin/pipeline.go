package mailin

import (
	"context"
	"fmt"
	"runtime"
	"runtime/debug"
	"sync"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"

	"github.com/ticketd/ticketd/mailin/mailparse"
	"github.com/ticketd/ticketd/tickets"
)

// A pass is a pipeline of two goroutines sharing the one IMAP connection
// without ever using it at the same time:
//
//   - the feeder (its own goroutine) does all the IMAP work: it fetches
//     and parses batch N+1 while batch N is applied, and moves batch N
//     while batch N+1 is applied;
//   - the pass's goroutine applies the batches, one transaction each, in
//     UID order (so per-ticket order is kept), and hands each batch's
//     disposal back to the feeder only after Apply has returned, i.e.
//     after the commit: nothing leaves the mailbox before its batch is
//     committed.
//
// Commands are never pipelined on the connection: a FETCH is read to its
// end before the MOVE of the batch before it is sent, so the untagged
// EXPUNGEs a MOVE causes never arrive in the middle of a FETCH, and only
// one goroutine ever talks to imapclient. At most two parsed batches are
// held at once (the one applied and the one fetched ahead).
type feeder struct {
	out  chan *fetched // batches in UID order; closed when the feeder ends
	done chan disposal // the disposal of the batch last received from out
	stop chan struct{} // closed by the pass when it ends early
	err  error         // why the feeder ended early; read once out is closed
}

// runBatches fetches, applies and moves every message of uids.
func (p *Poller) runBatches(ctx context.Context, c *imapclient.Client, uids []imap.UID, hasMove bool) (Stats, error) {
	var st Stats
	f := &feeder{out: make(chan *fetched), done: make(chan disposal, 1), stop: make(chan struct{})}
	go f.run(ctx, p, c, uids, hasMove)
	ended := false
	end := func() {
		if !ended {
			ended = true
			close(f.stop)
			for range f.out { // wait for the feeder to finish what it is doing
			}
		}
	}
	defer end() // also when Apply panics: the feeder must not outlive the pass
	for b := range f.out {
		st.add(b.st)
		if err := p.throttle(ctx); err != nil {
			// Nothing of b was applied: it stays in the mailbox.
			f.done <- disposal{last: true}
			for range f.out {
			}
			ended = true
			return st, err
		}
		ast, d, err := p.apply(ctx, b)
		st.add(ast)
		if err != nil {
			// Only refused messages (never committed) are set aside.
			d.processed, d.spam, d.last = nil, nil, true
			f.done <- d
			for range f.out {
			}
			ended = true
			return st, err
		}
		// Committed: the feeder moves the batch while the next is applied.
		f.done <- d
	}
	return st, f.err
}

// throttle waits, before a batch is applied, for PollerOptions.Throttle.
func (p *Poller) throttle(ctx context.Context) error {
	if p.opts.Throttle == nil {
		return nil
	}
	if err := p.opts.Throttle(ctx); err != nil {
		return fmt.Errorf("imap pass on %q: %w", p.opts.Mailbox, err)
	}
	return nil
}

// run is the feeder's goroutine.
func (f *feeder) run(ctx context.Context, p *Poller, c *imapclient.Client, uids []imap.UID, hasMove bool) {
	defer close(f.out)
	defer func() {
		if v := recover(); v != nil {
			p.log.Error("imap feeder panicked", "mailbox", p.opts.Mailbox, "panic", fmt.Sprint(v), "stack", string(debug.Stack()))
			f.err = fmt.Errorf("imap pass on %q: %w: %v", p.opts.Mailbox, errPanic, v)
		}
	}()
	fetchNext := func() (*fetched, error) {
		if len(uids) == 0 {
			return nil, nil
		}
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		b, n, err := p.fetchBatch(c, uids, hasMove)
		uids = uids[n:]
		return b, err
	}
	b, err := fetchNext()
	if err != nil || b == nil {
		f.err = err
		return
	}
	select {
	case f.out <- b:
	case <-f.stop:
		return
	}
	for {
		// Batch N is being applied: fetch and parse N+1.
		next, ferr := fetchNext()
		var d disposal
		select {
		case d = <-f.done: // N is committed
		case <-f.stop:
			return
		}
		sent := false
		if !d.last && ferr == nil && next != nil {
			select {
			case f.out <- next: // N+1 is applied while N moves
				sent = true
			case <-f.stop:
				return
			}
		}
		if err := p.dispose(c, d, hasMove); err != nil {
			f.err = err
			return
		}
		if ferr != nil {
			f.err = ferr
			return
		}
		if !sent {
			return // nothing left, or the pass stopped
		}
	}
}

// parsedMsg is one message of a batch: its raw bytes until parsed, then
// the parsed message or why there is none.
type parsedMsg struct {
	uid  imap.UID
	size int64
	raw  []byte
	in   tickets.Inbound
	err  error
}

// fetchParsed downloads uids and parses (and prepares, Preparer) them on
// GOMAXPROCS goroutines while the download goes on
// (mailparse.ParseWithOptions is pure; the attachment store takes
// concurrent Puts). The messages come back in the
// order the server sent them, each raw message dropped once parsed.
func (p *Poller) fetchParsed(c *imapclient.Client, uids []imap.UID) ([]*parsedMsg, error) {
	opts := mailparse.Options{TrustedAuthservID: p.opts.TrustedAuthservID, DeskAddress: p.opts.DeskAddress,
		QueueAddresses: p.opts.QueueAddresses, Attachments: p.opts.Attachments, MaxAttachmentSize: p.opts.MaxAttachmentSize, Spam: p.opts.Spam}
	prep, _ := p.applier.(Preparer)
	jobs := make(chan *parsedMsg)
	var wg sync.WaitGroup
	for range min(runtime.GOMAXPROCS(0), len(uids)) {
		wg.Go(func() {
			for m := range jobs {
				m.in, m.err = mailparse.ParseWithOptions(m.raw, opts)
				m.raw = nil
				if m.err == nil && prep != nil {
					prep.Prepare(&m.in)
				}
			}
		})
	}
	msgs := make([]*parsedMsg, 0, len(uids))
	err := p.fetchBodies(c, uids, func(uid imap.UID, size int64, raw []byte, ferr error) {
		m := &parsedMsg{uid: uid, size: size, raw: raw, err: ferr}
		msgs = append(msgs, m)
		if ferr == nil {
			jobs <- m
		}
	})
	close(jobs)
	wg.Wait()
	if err != nil {
		return nil, err
	}
	return msgs, nil
}
