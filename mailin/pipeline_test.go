package mailin

import (
	"context"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapserver"

	"github.com/ticketd/ticketd/tickets"
)

// hookApplier answers Created, after running hook with the 1-based
// number of the call and its messages.
type hookApplier struct {
	mu    sync.Mutex
	calls [][]string
	hook  func(call int, msgs []tickets.Inbound)
}

func (a *hookApplier) Apply(_ context.Context, msgs []tickets.Inbound) ([]tickets.Result, error) {
	a.mu.Lock()
	var ids []string
	for _, m := range msgs {
		ids = append(ids, m.MessageID)
	}
	a.calls = append(a.calls, ids)
	n := len(a.calls)
	a.mu.Unlock()
	a.hook(n, msgs)
	res := make([]tickets.Result, len(msgs))
	for i := range res {
		res[i] = tickets.Result{Ticket: uint64(i + 1), Outcome: tickets.OutcomeCreated}
	}
	return res, nil
}

// TestPollPipelinesBatches: while batch N is applied the next batch is
// already fetched, and batch N is moved while N+1 is applied; but no
// batch leaves the INBOX before its own Apply returned, and batches are
// applied in UID order.
func TestPollPipelinesBatches(t *testing.T) {
	var bodyFetches atomic.Int32
	srv := startServerHooks(t, withMove(), sessionHooks{
		beforeFetch: func(_ *imapserver.FetchWriter, _ imap.NumSet, options *imap.FetchOptions) {
			if len(options.BodySection) > 0 {
				bodyFetches.Add(1)
			}
		},
	})
	const batches, size = 3, 2
	srv.deliverTestMails(t, batches*size)
	app := &hookApplier{}
	app.hook = func(call int, msgs []tickets.Inbound) {
		// This batch and the later ones are all still in the INBOX.
		if n, min := srv.count(t, "INBOX"), (batches-call+1)*size; n < min {
			t.Errorf("Apply of batch %d: INBOX holds %d messages, want at least %d (moved before its commit)", call, n, min)
		}
		switch call {
		case 1:
			waitFor(t, 5*time.Second, "batch 2 fetched while batch 1 is applied", func() bool { return bodyFetches.Load() >= 2 })
		case 2:
			waitFor(t, 5*time.Second, "batch 1 moved while batch 2 is applied", func() bool {
				return srv.count(t, testProcessed) == size
			})
		}
	}
	opts := testOptions(srv.addr)
	opts.BatchSize = size
	st, err := NewPoller(opts, app, testLogger(t)).Poll(testContext(t))
	if err != nil {
		t.Fatal(err)
	}
	if want := (Stats{Fetched: batches * size, Applied: batches * size}); st != want {
		t.Errorf("stats = %+v, want %+v", st, want)
	}
	want := [][]string{{"msg1@example.com", "msg2@example.com"}, {"msg3@example.com", "msg4@example.com"}, {"msg5@example.com", "msg6@example.com"}}
	if !slices.EqualFunc(app.calls, want, slices.Equal) {
		t.Errorf("Apply calls %q, want %q", app.calls, want)
	}
	if n := srv.count(t, testProcessed); n != batches*size || srv.count(t, "INBOX") != 0 {
		t.Errorf("processed %d, INBOX %d after the pass", n, srv.count(t, "INBOX"))
	}
}
