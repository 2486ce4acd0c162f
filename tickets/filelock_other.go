//go:build !unix

package tickets

import (
	"os"
	"time"
)

var errLocked error

// lockShared does nothing where flock is missing: bbolt's own lock still
// keeps writers apart.
func lockShared(*os.File, time.Duration) error { return nil }
