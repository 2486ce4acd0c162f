//go:build unix

package tickets

import (
	"errors"
	"os"
	"syscall"
	"time"
)

// errLocked is returned by lockShared when another process keeps the file
// locked for writing past the timeout.
var errLocked = errors.New("locked by another process (is ticketd running?)")

// lockShared takes a shared flock on f, the lock bbolt's readers take
// (its writer holds an exclusive one), waiting at most timeout: the file
// is then not being written while it is read. Closing f releases it.
func lockShared(f *os.File, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	for {
		err := syscall.Flock(int(f.Fd()), syscall.LOCK_SH|syscall.LOCK_NB)
		if err == nil {
			return nil
		}
		if !errors.Is(err, syscall.EWOULDBLOCK) {
			return err
		}
		if time.Now().After(deadline) {
			return errLocked
		}
		time.Sleep(50 * time.Millisecond)
	}
}
