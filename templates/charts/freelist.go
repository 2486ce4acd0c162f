package charts

import "sync"

// freeList keeps the buffers of charts drawn earlier (canvases, colour
// tables, PNG encoders' deflate state) for the next ones. Unlike a
// sync.Pool it hands a buffer put back on one core to a chart drawn on
// another: a sync.Pool keeps the last Put in the putting P's private
// slot, so charts drawn side by side missed each other's and allocated
// a third encoder (~0.7 MB) and canvas, which in a one-shot "ticketd
// digest --dry-run" are mostly page faults of fresh memory. It holds at
// most as many of each as were ever in use at once (a digest's three
// charts), for the process's life, and drops none at a collection.
type freeList[T any] struct {
	mu   sync.Mutex
	free []T
}

// get is a kept buffer, or ok false: make one.
func (l *freeList[T]) get() (v T, ok bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if n := len(l.free); n > 0 {
		v, l.free = l.free[n-1], l.free[:n-1]
		return v, true
	}
	return v, false
}

// put keeps v for the next get.
func (l *freeList[T]) put(v T) {
	l.mu.Lock()
	l.free = append(l.free, v)
	l.mu.Unlock()
}
