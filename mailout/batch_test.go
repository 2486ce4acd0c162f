package mailout

import (
	"context"
	"log/slog"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/ticketd/ticketd/tickets"
)

// batchingQueue is fakeQueue recording deliveries a batch at a time.
type batchingQueue struct {
	*fakeQueue
	mu      sync.Mutex // deliveries of parallel connections are recorded concurrently
	batches []int
}

var (
	_ BatchQueue = (*batchingQueue)(nil)
	_ BatchQueue = (*tickets.Store)(nil)
)

func (q *batchingQueue) MarkDeliveredBatch(ds []tickets.Delivery) error {
	q.mu.Lock()
	q.batches = append(q.batches, len(ds))
	q.mu.Unlock()
	for _, d := range ds {
		if err := q.MarkDelivered(d.ID, d.Time, d.Rejected); err != nil {
			return err
		}
	}
	return nil
}

func (q *batchingQueue) MarkDelivered(id uint64, now time.Time, rejected []Rejection) error {
	return q.fakeQueue.MarkDelivered(id, now, rejected)
}

// TestDeliveriesAreRecordedPerBatch: with a BatchQueue, the deliveries of
// one connection are recorded in one call, after the mails went out, and
// failures are still recorded one by one.
func TestDeliveriesAreRecordedPerBatch(t *testing.T) {
	f := setup(t, nil)
	q := &batchingQueue{fakeQueue: f.q}
	// One connection: this test is about batches, TestParallelConnections
	// about connections (with two, the order of the batches would vary).
	s, err := NewSender(Options{Address: f.sink.Addr(), Security: "none", Now: f.clk.Now, BatchSize: 2, Connections: 1}, q, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	var ids []uint64
	for i := range 5 {
		ids = append(ids, f.q.add(f.start.Add(time.Duration(i-5)*time.Second)))
	}
	bad := f.q.add(f.start, "bad\r\nrcpt@example.com") // refused when composing or by the server
	st, err := s.Drain(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if st.Sent != 5 {
		t.Fatalf("sent %d, want 5 (%+v)", st.Sent, st)
	}
	for _, id := range ids {
		if !f.q.isDelivered(id) {
			t.Errorf("mail %d not recorded as delivered", id)
		}
	}
	if f.q.isDelivered(bad) {
		t.Error("the bad mail was recorded as delivered")
	}
	if want := []int{2, 2, 1}; !slices.Equal(q.batches, want) {
		t.Fatalf("deliveries recorded in batches %v, want %v", q.batches, want)
	}
	if got := len(f.sink.Messages()); got != 5 {
		t.Fatalf("server got %d mails, want 5", got)
	}
}

// TestParallelConnections: more than BatchSize mails due are delivered
// over Connections connections, every mail exactly once.
func TestParallelConnections(t *testing.T) {
	f := setup(t, func(o *Options) { o.BatchSize = 10; o.Connections = 3 })
	var ids []uint64
	for i := range 65 {
		ids = append(ids, f.q.add(f.start.Add(time.Duration(i-65)*time.Second)))
	}
	wantStats(t, f.drain(t), "sent=65 retried=0 failed=0 rejected=0")
	for _, id := range ids {
		if !f.q.isDelivered(id) {
			t.Errorf("mail %d not delivered", id)
		}
	}
	if got := len(f.sink.Messages()); got != 65 {
		t.Fatalf("server got %d mails, want 65", got)
	}
	// 65 mails, 30 per round of 3×10: rounds of 3, 3 and 1 connection(s).
	if n := f.sink.Connections(); n != 7 {
		t.Errorf("%d connections, want 7", n)
	}
}
