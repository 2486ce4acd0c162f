package mailout

import (
	"fmt"
	"runtime/debug"
	"sync/atomic"
	"time"

	"github.com/ticketd/ticketd/tickets"
)

// Recording deliveries: each SMTP transaction the server accepted is
// recorded durably (Queue.MarkSent, one fsync) before the next transaction
// on the same connection is accepted. So a crash re-sends at most one
// mail per connection, while the fsync costs little time:
//
//   - it runs while the next mail's MAIL, RCPT and DATA lines go out; only
//     the final dot, which makes the server accept that mail, waits for it
//     (pipe.wait before conn.transact ends the DATA);
//   - the committer groups the recordings of the parallel connections
//     into one commit (group commit): once one arrives it waits, at most
//     groupWait, for one from each other connection still sending. Each
//     has at most one in flight, so the group is complete then; the
//     connections fall into step and share every fsync;
//   - a Queue with a delivery log (DeliveryLog, *tickets.Store) records
//     them there — one append and one fsync, no database commit — and
//     applies them to the outbox in one commit when the round of mails
//     ends (sendParallel).

// committer records deliveries for the connections of one Drain.
type committer struct {
	s      *Sender
	reqs   chan commitReq
	done   chan struct{}
	active atomic.Int32  // connections sending (join, leave)
	left   chan struct{} // a connection left: stop waiting for it
}

// groupWait bounds how long a recording waits for the other
// connections' to share its fsync: about one fsync on a slow disk.
const groupWait = time.Millisecond

type commitReq struct {
	d    tickets.Delivery
	errc chan error
}

func (s *Sender) startCommitter() *committer {
	// Each connection has at most one recording in flight: with room for
	// all of them, handing one over never waits for a commit.
	c := &committer{s: s, reqs: make(chan commitReq, s.opts.Connections), done: make(chan struct{}), left: make(chan struct{}, 1)}
	go c.loop()
	return c
}

// stop ends the committer once every connection has waited for its last
// recording.
func (c *committer) stop() {
	close(c.reqs)
	<-c.done
}

// join and leave count the connections that may still send recordings.
func (c *committer) join() { c.active.Add(1) }

func (c *committer) leave() {
	c.active.Add(-1)
	select {
	case c.left <- struct{}{}:
	default:
	}
}

func (c *committer) loop() {
	defer close(c.done)
	timer := time.NewTimer(groupWait)
	timer.Stop()
	for r := range c.reqs {
		batch := []commitReq{r}
		if len(batch) < int(c.active.Load()) {
			timer.Reset(groupWait)
		more: // one recording per connection still sending, or groupWait
			for len(batch) < int(c.active.Load()) {
				select {
				case r, ok := <-c.reqs:
					if !ok {
						break more
					}
					batch = append(batch, r)
				case <-c.left:
				case <-timer.C:
					break more
				}
			}
			timer.Stop()
		}
		err := c.commit(batch)
		for _, r := range batch {
			r.errc <- err
		}
		if err == nil {
			c.logDelivered(batch)
		}
	}
}

// logDelivered logs each recorded delivery, after the connections have
// been told (their final dots wait for no log line). A line says the mail
// went out and is recorded: it will not be sent again. The lines of one
// group are logged together; a logger that holds Info lines for a moment
// makes them one write (cmd/ticketd's logwriter.go).
func (c *committer) logDelivered(batch []commitReq) {
	for _, r := range batch {
		m := r.d.Mail
		c.s.log.Info("mailout: mail delivered", "ticket", m.Ticket, "msgid", m.MessageID, "kind", m.Kind, "rcpts", len(r.d.Accepted))
	}
}

func (c *committer) commit(batch []commitReq) (err error) {
	defer func() {
		if r := recover(); r != nil {
			c.s.log.Error("mailout: panic while recording deliveries", "err", fmt.Sprint(r), "stack", string(debug.Stack()))
			err = fmt.Errorf("mailout: panic: %v", r)
		}
	}()
	ds := make([]tickets.Delivery, len(batch))
	for i, r := range batch {
		ds[i] = r.d
	}
	mark := c.s.q.MarkSent
	if l, ok := c.s.q.(DeliveryLog); ok {
		mark = l.LogSent
	}
	if _, err := mark(ds); err != nil {
		return fmt.Errorf("mark sent: %w", err)
	}
	return nil
}

// DeliveryLog is a Queue that can record deliveries cheaply (LogSent: as
// durable as MarkSent, one fsync, no database commit) and apply them to the
// outbox later, all in one commit (ApplySent). *tickets.Store implements it.
type DeliveryLog interface {
	LogSent(ds []tickets.Delivery) ([]uint64, error)
	ApplySent() error
}

// pipe is one connection's link to the committer: at most one recording
// in flight, so one reply channel serves them all.
type pipe struct {
	c        *committer
	errc     chan error
	inflight bool
}

// record starts recording d; the caller has waited for the previous one.
func (p *pipe) record(d tickets.Delivery) {
	p.c.reqs <- commitReq{d: d, errc: p.errc}
	p.inflight = true
}

// wait returns once the recording in flight, if any, is durable.
func (p *pipe) wait() error {
	if !p.inflight {
		return nil
	}
	p.inflight = false
	return <-p.errc
}
