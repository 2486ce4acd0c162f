//go:build !linux

package tickets

import "os"

// logSync opens the delivery log for writes that return once durable.
const logSync = os.O_SYNC

// logDirect: no direct I/O flag here; the log goes through the cache.
const logDirect = 0
