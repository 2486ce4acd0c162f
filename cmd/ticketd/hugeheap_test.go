package main

import (
	"testing"

	"github.com/ticketd/ticketd/cmd/ticketd/internal/hugeheap"
)

// TestHugeHeapCommands: the commands whose heap hugeheap's init puts on
// huge pages (it matches os.Args[1] before main runs) are commands, short
// ones (a daemon's heap is long-lived and reused).
func TestHugeHeapCommands(t *testing.T) {
	for _, name := range hugeheap.Commands {
		cmd := findCommand(name)
		if cmd == nil {
			t.Errorf("hugeheap.Commands names %q, which is no command", name)
			continue
		}
		if !cmd.smallHeap {
			t.Errorf("hugeheap.Commands names %q, which is not a short command with a small heap", name)
		}
	}
}
