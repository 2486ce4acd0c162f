package tickets

import (
	"os"
	"syscall"
)

// datasync flushes f's data (not its times: the delivery log's size does
// not change when it is written over).
func datasync(f *os.File) error { return syscall.Fdatasync(int(f.Fd())) }
