package hugeheap

import (
	"os"
	"slices"
)

// Commands are the ticketd commands whose heap is put on huge pages: the
// short ones that fill megabytes of fresh heap ("digest": its charts'
// canvases and PNG encoders, the reports' cells). The daemon is not one:
// its heap lives long and is reused; neither are commands that touch
// little memory, for which a 2 MB page is zeroed for a few KB used.
var Commands = []string{"digest"}

func init() {
	if len(os.Args) > 1 && slices.Contains(Commands, os.Args[1]) {
		Grow()
	}
}
