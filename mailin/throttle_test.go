package mailin

import (
	"context"
	"errors"
	"testing"
)

// Throttle is asked before every batch is applied, and a batch is applied
// only once it returned: the ingest can wait for delivery (flow control).
func TestPollThrottleBeforeEachBatch(t *testing.T) {
	srv := startServer(t, withMove())
	srv.deliverTestMails(t, 7)
	app := &fakeApplier{}
	opts := testOptions(srv.addr)
	opts.BatchSize = 3
	var applied []int // messages applied when each Throttle call came
	opts.Throttle = func(ctx context.Context) error {
		applied = append(applied, app.total())
		return nil
	}
	st, err := NewPoller(opts, app, testLogger(t)).Poll(testContext(t))
	if err != nil {
		t.Fatal(err)
	}
	if st.Applied != 7 {
		t.Errorf("stats = %+v, want 7 applied", st)
	}
	if want := []int{0, 3, 6}; len(applied) != len(want) || applied[0] != 0 || applied[1] != 3 || applied[2] != 6 {
		t.Errorf("Throttle called with %v messages applied, want %v (once before each batch)", applied, want)
	}
}

// A Throttle that fails (the pass cancelled while waiting) ends the pass:
// the batch it held back is neither applied nor moved.
func TestPollThrottleErrorLeavesBatch(t *testing.T) {
	srv := startServer(t, withMove())
	srv.deliverTestMails(t, 5)
	app := &fakeApplier{}
	opts := testOptions(srv.addr)
	opts.BatchSize = 2
	calls := 0
	stop := errors.New("stopped while waiting for delivery")
	opts.Throttle = func(ctx context.Context) error {
		calls++
		if calls == 2 {
			return stop
		}
		return nil
	}
	st, err := NewPoller(opts, app, testLogger(t)).Poll(testContext(t))
	if !errors.Is(err, stop) {
		t.Fatalf("Poll error = %v, want the Throttle's", err)
	}
	if st.Applied != 2 || app.total() != 2 {
		t.Errorf("stats %+v, %d messages given to Apply; want the first batch of 2 only", st, app.total())
	}
	if n := srv.count(t, testProcessed); n != 2 {
		t.Errorf("%s has %d messages, want the first batch's 2", testProcessed, n)
	}
	if n := srv.count(t, "INBOX"); n != 3 {
		t.Errorf("INBOX has %d messages, want 3 left for the next pass", n)
	}
}
