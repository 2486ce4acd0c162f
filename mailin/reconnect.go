package mailin

import (
	"math/rand/v2"
	"time"

	"github.com/ticketd/ticketd/connpolicy"
)

// maxReconnectBackoff caps the wait between attempts to reach a server
// that is down, however long the poll interval: once it is back, mail
// flows again within this time.
const maxReconnectBackoff = 2 * time.Minute

// reconnectCap is the longest backoff for a given poll interval.
func reconnectCap(interval time.Duration) time.Duration {
	return min(interval, maxReconnectBackoff)
}

// backoffFor is the backoff after n consecutive failures, of a pass or
// of IDLE: 1s, 2s, 4s, … at most limit.
func backoffFor(n int, limit time.Duration) time.Duration {
	return connpolicy.Backoff(n, time.Second, limit)
}

// withJitter spreads d over [d/2, d], so that many ticketd instances
// (or one with several mailboxes) do not hammer a restarted server in
// step.
func withJitter(d time.Duration) time.Duration {
	if d <= 1 {
		return d
	}
	half := d / 2
	return half + rand.N(d-half+1)
}
