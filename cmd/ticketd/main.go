// Command ticketd is the email-driven help desk daemon. See README.md.
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"syscall"
	_ "time/tzdata" // the static binary must know every time zone

	// Its init puts the heap of the digest command on huge pages, before
	// most packages' initialisation fills it (it depends on little, so
	// it comes early: GODEBUG=inittrace=1).
	_ "github.com/ticketd/ticketd/cmd/ticketd/internal/hugeheap"
)

func main() {
	ctx, stop := signalContext(os.Args[1:])
	defer stop()
	stopProfile := startProfile()
	err := runCLI(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stopProfile()
	switch {
	case err == nil:
	case errors.Is(err, errUsage):
		os.Exit(2)
	default:
		fmt.Fprintln(os.Stderr, "ticketd:", err)
		os.Exit(1)
	}
}

// signalContext is cancelled by SIGINT or SIGTERM for the command args
// name, unless it is readOnly: then the signals keep their default, which
// ends the process.
func signalContext(args []string) (context.Context, context.CancelFunc) {
	if len(args) > 0 {
		if cmd := findCommand(args[0]); cmd != nil && cmd.readOnly {
			return context.WithCancel(context.Background())
		}
	}
	return signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
}
