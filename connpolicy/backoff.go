package connpolicy

import (
	"math"
	"time"
)

// Backoff is the delay after the n-th consecutive failure (n ≥ 1): first,
// then doubling (first·2ⁿ⁻¹), at most limit. n < 1 counts as 1.
func Backoff(n int, first, limit time.Duration) time.Duration {
	if first <= 0 {
		return 0
	}
	d := first
	for i := 1; i < n && d < limit && d <= math.MaxInt64/2; i++ {
		d *= 2
	}
	return min(d, limit)
}
