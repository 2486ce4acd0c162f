package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"strings"
)

// command is one subcommand of ticketd (the table is in commands.go).
type command struct {
	name    string
	args    string // the positional arguments as usage shows them ("N", "FILE")
	minArgs int    // how many positional arguments it needs
	maxArgs int    // at most; -1: any number
	config  configUse
	summary string // one line, for the list of commands
	help    string // what "ticketd help NAME" says
	// setup declares the command's own flags in fs and returns what runs
	// once they are parsed (the closure reads them).
	setup func(fs *flag.FlagSet) runFunc
	// smallHeap: a one-shot read whose heap stays a few megabytes
	// whatever the desk's size (it reads counters and aggregates, not
	// every ticket). It runs with a laxer garbage collector (oneShotGC).
	smallHeap bool
	// readOnly: it writes nothing and ignores its context, so SIGINT and
	// SIGTERM end it at once, as they end any program; main catches them
	// (to cancel the context: signalContext) only for the other commands,
	// which finish what they write. Catching them for a reader made Ctrl-C
	// wait for the end of a 24 s "list --limit 0", and os/signal's thread
	// cost every command ~0.7 ms.
	readOnly bool
}

// oneShotGC is the GOGC of a smallHeap command: the collector runs when
// the heap has grown to 5 times what survived the last collection, not 2.
// Such a command exits within a fraction of a second; at 1,000,000
// tickets the digest went from 4 collections to none (GODEBUG=gctrace=1),
// its peak RssAnon from 9.5 to 10.0 MB.
const oneShotGC = 400

type runFunc func(ctx context.Context, c *call) error

// configUse says how a command takes --config.
type configUse int

const (
	configNone     configUse = iota // no --config flag
	configRequired                  // --config or $TICKETD_CONFIG must name a file
	configOptional                  // --config or $TICKETD_CONFIG, if set, is read
	configExplicit                  // --config only: $TICKETD_CONFIG is not read
)

// call is one invocation of a command: its arguments and where it writes.
type call struct {
	name       string
	args       []string // the positional arguments
	configPath string   // "" when none applies
	stdin      io.Reader
	stdout     io.Writer
	stderr     io.Writer
}

// config loads the configuration a configRequired command needs.
func (c *call) config() (*Config, error) {
	if c.configPath == "" {
		fmt.Fprintf(c.stderr, "ticketd %s: --config FILE (or TICKETD_CONFIG) is required\n", c.name)
		return nil, errUsage
	}
	return LoadConfig(c.configPath)
}

// errUsage means the command line was wrong; usage was printed (exit 2).
var errUsage = errors.New("usage")

func findCommand(name string) *command {
	for _, c := range commands {
		if c.name == name {
			return c
		}
	}
	return nil
}

// runCLI runs the command line args (without the program name).
func runCLI(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		printOverview(stderr)
		return errUsage
	}
	name, args := args[0], args[1:]
	if name == "-h" || name == "--help" {
		name = "help"
	}
	cmd := findCommand(name)
	if cmd == nil {
		fmt.Fprintf(stderr, "ticketd: unknown command %q\n\n", name)
		printOverview(stderr)
		return errUsage
	}
	fs, run, configPath := cmd.flags()
	fs.SetOutput(stderr)
	// Flags may come before or after positional arguments ("show 12 --config F").
	var positional []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return nil // -h: the help was printed
			}
			return errUsage
		}
		if fs.NArg() == 0 {
			break
		}
		positional = append(positional, fs.Arg(0))
		args = fs.Args()[1:]
	}
	if len(positional) < cmd.minArgs || (cmd.maxArgs >= 0 && len(positional) > cmd.maxArgs) {
		if cmd.maxArgs == 0 {
			fmt.Fprintf(stderr, "ticketd %s: unexpected argument %q\n", name, positional[0])
		} else {
			fmt.Fprintf(stderr, "usage: %s\n", cmd.usage())
		}
		return errUsage
	}
	if cmd.smallHeap {
		// Restored: the tests run commands in their own process.
		defer debug.SetGCPercent(debug.SetGCPercent(oneShotGC))
	}
	return run(ctx, &call{name: name, args: positional, configPath: *configPath, stdin: stdin, stdout: stdout, stderr: stderr})
}

// flags returns the command's flag set, with --config when it takes one,
// its run function and where --config lands.
func (cmd *command) flags() (*flag.FlagSet, runFunc, *string) {
	fs := flag.NewFlagSet(cmd.name, flag.ContinueOnError)
	configPath := new(string)
	switch cmd.config {
	case configRequired, configOptional:
		fs.StringVar(configPath, "config", os.Getenv("TICKETD_CONFIG"), "configuration `file` (default $TICKETD_CONFIG)")
	case configExplicit:
		fs.StringVar(configPath, "config", "", "configuration `file` ($TICKETD_CONFIG is not used)")
	}
	run := cmd.setup(fs)
	fs.Usage = func() { printHelp(fs.Output(), cmd) }
	return fs, run, configPath
}

// usage is the command's synopsis: "ticketd show N [--json] --config FILE".
func (cmd *command) usage() string {
	fs, _, _ := cmd.flags()
	parts := []string{"ticketd", cmd.name}
	if cmd.args != "" {
		parts = append(parts, cmd.args)
	}
	fs.VisitAll(func(f *flag.Flag) {
		if f.Name == "config" {
			return
		}
		arg, _ := flag.UnquoteUsage(f)
		if arg != "" {
			arg = " " + strings.ToUpper(arg)
		}
		parts = append(parts, "[--"+f.Name+arg+"]")
	})
	switch cmd.config {
	case configRequired:
		parts = append(parts, "--config FILE")
	case configOptional, configExplicit:
		parts = append(parts, "[--config FILE]")
	}
	return strings.Join(parts, " ")
}

// printOverview prints the list of commands.
func printOverview(w io.Writer) {
	fmt.Fprint(w, "ticketd — an email-driven help desk\n\nUsage: ticketd COMMAND [ARGUMENTS] [FLAGS]\n\nCommands:\n")
	for _, c := range commands {
		fmt.Fprintf(w, "  %-13s %s\n", c.name, c.summary)
	}
	fmt.Fprint(w, "\n\"ticketd help COMMAND\" shows a command's arguments and flags.\n--config defaults to $TICKETD_CONFIG.\n")
}

// printHelp prints one command's synopsis, help and flags.
func printHelp(w io.Writer, cmd *command) {
	fmt.Fprintf(w, "Usage: %s\n\n%s\n", cmd.usage(), cmd.help)
	fs, _, _ := cmd.flags()
	if hasFlags(fs) {
		fs.SetOutput(w)
		fmt.Fprint(w, "\nFlags:\n")
		fs.PrintDefaults()
	}
}

func hasFlags(fs *flag.FlagSet) bool {
	n := 0
	fs.VisitAll(func(*flag.Flag) { n++ })
	return n > 0
}
