package mailin

import (
	"testing"
	"time"
)

func TestBackoffAndJitter(t *testing.T) {
	for n, want := range map[int]time.Duration{1: time.Second, 2: 2 * time.Second, 5: 16 * time.Second, 8: 2 * time.Minute, 100: 2 * time.Minute} {
		if got := backoffFor(n, reconnectCap(time.Hour)); got != want {
			t.Errorf("backoffFor(%d) = %s, want %s", n, got, want)
		}
	}
	if got := reconnectCap(10 * time.Second); got != 10*time.Second {
		t.Errorf("cap for a 10s interval: %s", got)
	}
	seen := map[time.Duration]bool{}
	for range 200 {
		d := withJitter(10 * time.Second)
		if d < 5*time.Second || d > 10*time.Second {
			t.Fatalf("jitter %s outside [5s, 10s]", d)
		}
		seen[d] = true
	}
	if len(seen) < 50 {
		t.Errorf("jitter gave only %d distinct delays in 200 draws", len(seen))
	}
}
