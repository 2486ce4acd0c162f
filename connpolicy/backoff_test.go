package connpolicy

import (
	"math"
	"testing"
	"time"
)

func TestBackoff(t *testing.T) {
	tests := []struct {
		n            int
		first, limit time.Duration
		want         time.Duration
	}{
		{1, time.Second, time.Minute, time.Second},
		{2, time.Second, time.Minute, 2 * time.Second},
		{5, time.Second, time.Minute, 16 * time.Second},
		{7, time.Second, time.Minute, time.Minute}, // 64s capped
		{0, time.Second, time.Minute, time.Second},
		{-3, time.Second, time.Minute, time.Second},
		{math.MaxInt, time.Second, time.Minute, time.Minute},
		{1, time.Minute, time.Hour, time.Minute},
		{6, time.Minute, time.Hour, 32 * time.Minute},
		{7, time.Minute, time.Hour, time.Hour},
		{1, 2 * time.Minute, time.Minute, time.Minute}, // first above the limit
		{100, time.Hour, math.MaxInt64, 1 << 62},       // no overflow into a negative delay
		{5, 0, time.Minute, 0},
	}
	for _, tt := range tests {
		got := Backoff(tt.n, tt.first, tt.limit)
		if tt.limit == math.MaxInt64 {
			if got <= 0 {
				t.Errorf("Backoff(%d, %s, max) = %s, want positive", tt.n, tt.first, got)
			}
			continue
		}
		if got != tt.want {
			t.Errorf("Backoff(%d, %s, %s) = %s, want %s", tt.n, tt.first, tt.limit, got, tt.want)
		}
	}
}
