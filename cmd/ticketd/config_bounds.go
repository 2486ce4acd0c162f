package main

import (
	"fmt"
	"io"
	"os"
	"syscall"
	"time"
)

// Bounds of values that parse but would hurt: a poll interval of 1ns logs
// in to the IMAP server in a loop, an attachment limit of 2⁴³ MiB
// overflows to "no limit", and a password "file" that is a device or a
// FIFO is read until ticketd is killed (or blocks it at start).
const (
	minPollInterval    = time.Second
	maxAttachmentMB    = 1024
	maxPasswordFileLen = 64 << 10
)

// readPasswordFile reads a password file: a regular file (a symlink to
// one is fine) of at most maxPasswordFileLen bytes. It is opened without
// blocking and checked on the open descriptor, so a FIFO cannot stall
// start-up and a file swapped after a check cannot be read instead.
func readPasswordFile(path string) ([]byte, error) {
	f, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		return nil, fmt.Errorf("cannot read: %w", err)
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("cannot read: %w", err)
	}
	if !info.Mode().IsRegular() {
		return nil, fmt.Errorf("%s is not a regular file (%s): put the password alone in a file", path, fileKind(info.Mode()))
	}
	if info.Size() > maxPasswordFileLen {
		return nil, fmt.Errorf("%s is %d bytes: a password file holds at most %d", path, info.Size(), maxPasswordFileLen)
	}
	data, err := io.ReadAll(io.LimitReader(f, maxPasswordFileLen+1))
	if err != nil {
		return nil, fmt.Errorf("cannot read: %w", err)
	}
	if len(data) > maxPasswordFileLen {
		return nil, fmt.Errorf("%s grew beyond %d bytes while read", path, maxPasswordFileLen)
	}
	return data, nil
}

// fileKind names what a non-regular file is, for the error.
func fileKind(m os.FileMode) string {
	switch {
	case m.IsDir():
		return "a directory"
	case m&os.ModeNamedPipe != 0:
		return "a FIFO"
	case m&os.ModeCharDevice != 0:
		return "a character device"
	case m&os.ModeDevice != 0:
		return "a device"
	case m&os.ModeSocket != 0:
		return "a socket"
	default:
		return m.Type().String()
	}
}
