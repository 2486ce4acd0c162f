package main

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"testing"
	"time"
)

// fakeUntried is tickets.Store.UntriedMail driven by the test: set
// changes the count and closes the channel Wait holds; reads tells the
// test that Wait looked again.
type fakeUntried struct {
	mu      sync.Mutex
	n       int
	changed chan struct{}
	reads   chan int
}

func newFakeUntried(n int) *fakeUntried {
	return &fakeUntried{n: n, changed: make(chan struct{}), reads: make(chan int, 100)}
}

func (f *fakeUntried) get() (int, <-chan struct{}) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.reads <- f.n
	return f.n, f.changed
}

func (f *fakeUntried) set(n int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.n = n
	close(f.changed)
	f.changed = make(chan struct{})
}

// gateTimers replaces time.After: the test fires the stall and the
// long-wait timers itself.
type gateTimers struct {
	stall, long chan time.Time
}

func testGate(t *testing.T, bound int, f *fakeUntried) (*backlogGate, *gateTimers, *int) {
	t.Helper()
	tm := &gateTimers{stall: make(chan time.Time, 1), long: make(chan time.Time, 1)}
	waits := new(int)
	g := newBacklogGate(bound, f.get, slog.New(slog.DiscardHandler), func() { *waits++ })
	g.after = func(d time.Duration) <-chan time.Time {
		if d == backlogStall {
			return tm.stall
		}
		return tm.long
	}
	return g, tm, waits
}

// waitAsync runs g.Wait in a goroutine; the channel gets its result.
func waitAsync(g *backlogGate, ctx context.Context) <-chan error {
	done := make(chan error, 1)
	go func() { done <- g.Wait(ctx) }()
	return done
}

// drainReads forgets the counts Wait read so far.
func (f *fakeUntried) drainReads() {
	for {
		select {
		case <-f.reads:
		default:
			return
		}
	}
}

func TestBacklogGateUnderBoundDoesNotWait(t *testing.T) {
	f := newFakeUntried(100)
	g, _, waits := testGate(t, 100, f)
	if err := g.Wait(context.Background()); err != nil {
		t.Fatal(err)
	}
	if *waits != 0 {
		t.Errorf("waited %d times at the bound", *waits)
	}
}

// Over the bound the ingest waits, through counts still over it, until
// delivery brings the count to the bound.
func TestBacklogGateWaitsForDelivery(t *testing.T) {
	f := newFakeUntried(150)
	g, _, waits := testGate(t, 100, f)
	done := waitAsync(g, context.Background())
	<-f.reads // Wait saw 150
	for _, n := range []int{140, 120, 101} {
		f.set(n)
		for got := <-f.reads; got != n; got = <-f.reads {
		}
		select {
		case err := <-done:
			t.Fatalf("Wait returned (%v) with %d untried mails, over the bound of 100", err, n)
		default:
		}
	}
	f.set(100)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if *waits != 1 {
		t.Errorf("onWait called %d times, want 1", *waits)
	}
}

// When delivery makes no progress (an SMTP server that does not answer),
// the ingest goes on, and does not wait again until delivery has caught
// up; then the gate holds again.
func TestBacklogGateStopsWaitingWhenDeliveryStalls(t *testing.T) {
	f := newFakeUntried(500)
	g, tm, _ := testGate(t, 100, f)
	done := waitAsync(g, context.Background())
	<-f.reads
	tm.stall <- time.Time{}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	// Still stalled: more batches go in without waiting.
	f.set(700)
	for range 3 {
		if err := g.Wait(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	// Delivery caught up: the next batch passes, and the gate is armed
	// again for the one after.
	f.set(90)
	if err := g.Wait(context.Background()); err != nil {
		t.Fatal(err)
	}
	f.set(300)
	f.drainReads()
	done = waitAsync(g, context.Background())
	<-f.reads
	select {
	case err := <-done:
		t.Fatalf("Wait returned (%v) over the bound after delivery caught up", err)
	default:
	}
	f.set(80)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}

// The long-wait line and the stall never end a wait that is progressing
// early: a new low count restarts the stall timer (a new channel).
func TestBacklogGateProgressRestartsStall(t *testing.T) {
	f := newFakeUntried(500)
	g, tm, _ := testGate(t, 100, f)
	timers := 0
	after := g.after
	g.after = func(d time.Duration) <-chan time.Time {
		if d == backlogStall {
			timers++
		}
		return after(d)
	}
	done := waitAsync(g, context.Background())
	<-f.reads
	tm.long <- time.Time{} // logged, still waiting
	f.set(400)
	for got := <-f.reads; got != 400; got = <-f.reads {
	}
	f.set(450) // another mailbox queued more: no progress
	for got := <-f.reads; got != 450; got = <-f.reads {
	}
	f.set(50)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if timers != 3 { // the first, then at 400 and at 50
		t.Errorf("stall timer started %d times, want 3 (once, then at each new low)", timers)
	}
}

func TestBacklogGateCancelled(t *testing.T) {
	f := newFakeUntried(500)
	g, _, _ := testGate(t, 100, f)
	ctx, cancel := context.WithCancel(context.Background())
	done := waitAsync(g, ctx)
	<-f.reads
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Fatalf("Wait = %v, want context.Canceled", err)
	}
}
