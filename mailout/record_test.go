package mailout

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ticketd/ticketd/internal/testkit/smtptest"
	"github.com/ticketd/ticketd/tickets"
)

// recorded returns how many transactions the queue has recorded.
func (q *fakeQueue) recorded() int {
	q.mu.Lock()
	defer q.mu.Unlock()
	n := 0
	for _, k := range q.sent {
		n += k
	}
	return n
}

// slowQueue is fakeQueue with a slow disk: each MarkSent takes until the
// server is about to accept another mail, or 20 ms, whichever comes first
// — what a sender that does not wait for its recordings would exploit.
type slowQueue struct {
	*fakeQueue
	mu       sync.Mutex
	accepted int           // mails the server is accepting or accepted
	changed  chan struct{} // closed and replaced when accepted grows
	worst    int           // most accepted mails unrecorded at one moment
}

func (q *slowQueue) MarkSent(ds []tickets.Delivery) ([]uint64, error) {
	q.mu.Lock()
	changed := q.changed
	q.mu.Unlock()
	select {
	case <-changed:
	case <-time.After(20 * time.Millisecond):
	}
	return q.fakeQueue.MarkSent(ds)
}

// onData is the server's hook, called before it accepts a mail.
func (q *slowQueue) onData(smtptest.Message) {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.accepted++
	q.worst = max(q.worst, q.accepted-q.recorded())
	close(q.changed)
	q.changed = make(chan struct{})
}

// TestEachMailRecordedBeforeTheNextIsAccepted: whenever the server is
// about to accept a mail, every mail it accepted before on the same
// connection is recorded already; over two connections at most two are
// unrecorded at any moment. So a crash re-sends at most one mail per
// connection. (Recording a batch at its end let a crash re-send 100.)
func TestEachMailRecordedBeforeTheNextIsAccepted(t *testing.T) {
	const conns = 2
	q := &slowQueue{fakeQueue: newQueue(), changed: make(chan struct{})}
	sink := smtptest.StartWith(t, smtptest.Options{OnData: q.onData})
	f := setupSink(t, sink, nil)
	s, err := NewSender(Options{Address: sink.Addr(), Security: "none", Now: f.clk.Now, BatchSize: 5, Connections: conns}, q, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i := range 20 {
		q.add(f.start.Add(time.Duration(i-20) * time.Second))
	}
	st, err := s.Drain(context.Background())
	if err != nil || st.Sent != 20 {
		t.Fatalf("Drain = %+v, %v", st, err)
	}
	if q.worst > conns {
		t.Fatalf("the server accepted a mail while %d accepted ones were unrecorded; at most %d (one per connection)", q.worst, conns)
	}
	if n := q.recorded(); n != 20 {
		t.Fatalf("%d deliveries recorded, want 20", n)
	}
}

// TestStopFinishesTheMailInFlight: a Drain whose context ends while the
// server holds a DATA does not cut it: the mail is accepted, recorded,
// and the Drain stops before the next one.
func TestStopFinishesTheMailInFlight(t *testing.T) {
	held, release := make(chan struct{}), make(chan struct{})
	var once sync.Once
	sink := smtptest.StartWith(t, smtptest.Options{OnData: func(smtptest.Message) {
		once.Do(func() { close(held); <-release })
	}})
	f := setupSink(t, sink, func(o *Options) { o.StopGrace = time.Hour })
	first := f.q.add(f.start.Add(-time.Second))
	second := f.q.add(f.start)
	ctx, cancel := context.WithCancel(context.Background())
	type drained struct {
		st  Stats
		err error
	}
	done := make(chan drained, 1)
	go func() { st, err := f.s.Drain(ctx); done <- drained{st, err} }()
	<-held
	cancel()
	waitLog(t, f.logs, "stopping after the mail in flight")
	close(release)
	var d drained
	select {
	case d = <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("Drain did not return")
	}
	if !errors.Is(d.err, context.Canceled) || d.st.Sent != 1 {
		t.Fatalf("Drain = %+v, %v; want the first mail sent and context.Canceled", d.st, d.err)
	}
	if !f.q.isDelivered(first) {
		t.Fatal("the mail in flight was not recorded as delivered")
	}
	if _, ok := f.q.pending(second); !ok || len(f.sink.Messages()) != 1 {
		t.Fatalf("after the stop: %d mails at the server, second mail pending %v", len(f.sink.Messages()), ok)
	}
}

// waitLog waits (at most 10 s) for a log line containing want.
func waitLog(t *testing.T, logs *logBuffer, want string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(logs.String(), want) {
		if time.Now().After(deadline) {
			t.Fatalf("no log %q:\n%s", want, logs.String())
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// fsyncQueue is fakeQueue on a disk where each recording takes a while
// (an fsync), however many deliveries it carries.
type fsyncQueue struct{ *fakeQueue }

func (q fsyncQueue) MarkSent(ds []tickets.Delivery) ([]uint64, error) {
	time.Sleep(3 * time.Millisecond) // the disk, not a deadline
	return q.fakeQueue.MarkSent(ds)
}

// TestConnectionsShareEachRecording: two connections delivering a long
// queue fall into step and record their mails two at a time (one fsync
// for both), where recording whatever happened to be waiting let them
// drift apart and record one mail per fsync.
func TestConnectionsShareEachRecording(t *testing.T) {
	const mails = 60
	q := fsyncQueue{newQueue()}
	sink := smtptest.Start(t)
	f := setupSink(t, sink, nil)
	s, err := NewSender(Options{Address: sink.Addr(), Security: "none", Now: f.clk.Now, BatchSize: mails / 2, Connections: 2}, q, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i := range mails {
		q.add(f.start.Add(time.Duration(i-mails) * time.Second))
	}
	st, err := s.Drain(context.Background())
	if err != nil || st.Sent != mails {
		t.Fatalf("Drain = %+v, %v", st, err)
	}
	q.mu.Lock()
	calls := len(q.sent)
	q.mu.Unlock()
	if q.recorded() != mails || calls > mails*5/6 {
		t.Fatalf("%d deliveries recorded in %d recordings; want %d in at most %d", q.recorded(), calls, mails, mails*5/6)
	}
	t.Logf("%d mails recorded in %d recordings", mails, calls)
}
