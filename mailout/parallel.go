package mailout

import (
	"context"
	"errors"
	"fmt"
	"runtime/debug"
	"sync"

	"github.com/ticketd/ticketd/tickets"
)

// sendParallel delivers mails over up to Options.Connections SMTP
// connections at once, each carrying at most BatchSize of them: a long
// queue (a burst of new tickets) is drained while one connection waits
// for the server's replies on another. A short queue uses one connection,
// as before. Each connection records its own outcomes; the Queue must be
// safe for concurrent use (*tickets.Store is).
func (s *Sender) sendParallel(ctx context.Context, mails []tickets.Mail, st *Stats) (err error) {
	n := min(s.opts.Connections, (len(mails)+s.opts.BatchSize-1)/s.opts.BatchSize)
	com := s.startCommitter()
	defer func() {
		com.stop()
		if l, ok := s.q.(DeliveryLog); ok {
			// The round's deliveries into the database, in one commit.
			err = errors.Join(err, l.ApplySent())
		}
	}()
	if n <= 1 {
		return s.sendBatch(ctx, mails, st, com)
	}
	per := (len(mails) + n - 1) / n
	stats := make([]Stats, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		chunk := mails[i*per : min((i+1)*per, len(mails))]
		wg.Add(1)
		go func() {
			defer wg.Done()
			// A panic here would not reach Run's recover on the caller's
			// goroutine: turn it into this chunk's error.
			defer func() {
				if r := recover(); r != nil {
					s.log.Error("mailout: panic while delivering", "err", fmt.Sprint(r), "stack", string(debug.Stack()))
					errs[i] = fmt.Errorf("mailout: panic: %v", r)
				}
			}()
			errs[i] = s.sendBatch(ctx, chunk, &stats[i], com)
		}()
	}
	wg.Wait()
	for _, x := range stats {
		st.Sent += x.Sent
		st.Retried += x.Retried
		st.Failed += x.Failed
		st.Rejected = append(st.Rejected, x.Rejected...)
	}
	return errors.Join(errs...)
}
