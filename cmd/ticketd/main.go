// Command ticketd is the email-driven help desk daemon. See README.md.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
	_ "time/tzdata" // the static binary must know every time zone
)

const usage = `ticketd — an email-driven help desk

Usage:
  ticketd run          --config FILE   run the daemon
  ticketd once         --config FILE   fetch and apply all waiting mail, deliver the outbox, exit
                       [--import]      ...creating tickets silently: no mail sent (first run on an old mailbox)
  ticketd check-config --config FILE   validate the configuration and print what would run
                       [--connect]     ...and log in to the IMAP and SMTP servers
  ticketd list         --config FILE   the newest tickets [--status S] [--tier N] [--limit N|0] [--json]
  ticketd show N       --config FILE   show ticket N and its timeline [--json]
  ticketd stats        --config FILE   counts by status and tier, outbox, database size [--json]
  ticketd outbox       --config FILE   mails waiting and given up [--json]; --retry ID sends one again
  ticketd backup FILE  --config FILE   write a consistent copy of the database to FILE
  ticketd digest       --config FILE   send the managers' digest now [--dry-run: only print it]
  ticketd kb list|show N|search WORDS --config FILE
                                       the knowledge base
  ticketd inspect FILE.eml [--config FILE]
                                       print as JSON what ticketd makes of one message (no database)
  ticketd dev [--config FILE]          try ticketd with an in-process mail sandbox
                                       (with FILE: that desk, its servers replaced by the sandbox)
  ticketd version

--config defaults to $TICKETD_CONFIG.
`

var version = "dev"

// errUsage means the command line was wrong; usage was printed (exit 2).
var errUsage = errors.New("usage")

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	stopProfile := startProfile()
	err := dispatch(ctx, os.Args[1:], os.Stdout, os.Stderr)
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

func dispatch(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return errUsage
	}
	cmd, args := args[0], args[1:]
	fs := flag.NewFlagSet(cmd, flag.ContinueOnError)
	fs.SetOutput(stderr)
	configPath := fs.String("config", os.Getenv("TICKETD_CONFIG"), "configuration file (default $TICKETD_CONFIG)")
	var devOpts devOptions
	connect, dryRun := false, false
	if cmd == "digest" {
		fs.BoolVar(&dryRun, "dry-run", false, "print the digest instead of sending it")
	}
	importAll := false
	if cmd == "once" {
		fs.BoolVar(&importAll, "import", false, "apply the waiting mail silently: tickets are created, no mail is sent")
	}
	if cmd == "check-config" {
		fs.BoolVar(&connect, "connect", false, "also log in to the IMAP and SMTP servers (sends no mail)")
	}
	var adm adminFlags
	switch cmd {
	case "list":
		fs.StringVar(&adm.status, "status", "", "only tickets with this status (new, open, pending, resolved, closed)")
		fs.IntVar(&adm.tier, "tier", 0, "only tickets at this tier")
		fs.IntVar(&adm.limit, "limit", 50, "only the newest N matching tickets; 0 lists them all")
	case "outbox":
		fs.Uint64Var(&adm.retry, "retry", 0, "make mail ID due now (a mail given up on goes back into the outbox)")
	}
	switch cmd {
	case "list", "show", "stats", "outbox":
		fs.BoolVar(&adm.json, "json", false, "print JSON, for scripts")
	}
	if cmd == "dev" {
		fs.StringVar(&devOpts.dataDir, "data", "", "data directory (default: a new temporary directory)")
		fs.StringVar(&devOpts.imapAddr, "imap", "127.0.0.1:1143", "sandbox IMAP listen address (loopback)")
		fs.StringVar(&devOpts.smtpAddr, "smtp", "127.0.0.1:1025", "sandbox SMTP listen address (loopback)")
	}
	// Flags may come before or after positional arguments ("show 12 --config F").
	var positional []string
	for {
		if err := fs.Parse(args); err != nil {
			return errUsage
		}
		if fs.NArg() == 0 {
			break
		}
		positional = append(positional, fs.Arg(0))
		args = fs.Args()[1:]
	}
	if len(positional) > 0 && cmd != "show" && cmd != "backup" && cmd != "kb" && cmd != "inspect" {
		fmt.Fprintf(stderr, "ticketd %s: unexpected argument %q\n", cmd, positional[0])
		return errUsage
	}
	loadConfig := func() (*Config, error) {
		if *configPath == "" {
			fmt.Fprintf(stderr, "ticketd %s: --config FILE (or TICKETD_CONFIG) is required\n", cmd)
			return nil, errUsage
		}
		return LoadConfig(*configPath)
	}
	switch cmd {
	case "run", "once":
		cfg, err := loadConfig()
		if err != nil {
			return err
		}
		deps := Deps{Logger: configLogger(stderr, cfg)}
		if cmd == "once" {
			cfg.ImportAll = importAll
			return Once(ctx, cfg, deps)
		}
		return Run(ctx, cfg, deps)
	case "check-config":
		cfg, err := loadConfig()
		if err != nil {
			return err
		}
		if err := checkRuntime(cfg); err != nil {
			return err
		}
		fmt.Fprint(stdout, cfg.Summary())
		if connect {
			return checkServers(ctx, cfg, stdout)
		}
		return nil
	case "list", "show", "stats", "outbox", "backup":
		if (cmd == "show" || cmd == "backup") && len(positional) != 1 {
			fmt.Fprintf(stderr, "usage: ticketd %s %s --config FILE\n", cmd, map[string]string{"show": "N", "backup": "FILE"}[cmd])
			return errUsage
		}
		cfg, err := loadConfig()
		if err != nil {
			return err
		}
		return runAdmin(cfg, cmd, positional, adm, stdout)
	case "digest":
		cfg, err := loadConfig()
		if err != nil {
			return err
		}
		return Digest(ctx, cfg, Deps{Logger: configLogger(stderr, cfg)}, dryRun, stdout)
	case "kb":
		cfg, err := loadConfig()
		if err != nil {
			return err
		}
		if len(positional) == 0 {
			fmt.Fprintln(stderr, "usage: ticketd kb list|show N|search WORDS --config FILE")
			return errUsage
		}
		return kbCommand(cfg, positional, stdout, stderr)
	case "inspect":
		if len(positional) != 1 {
			fmt.Fprintln(stderr, "usage: ticketd inspect FILE.eml [--config FILE]")
			return errUsage
		}
		var cfg *Config
		if *configPath != "" {
			var err error
			if cfg, err = LoadConfig(*configPath); err != nil {
				return err
			}
		}
		return inspectMail(cfg, positional[0], os.Stdin, stdout)
	case "dev":
		// Only a --config given here: $TICKETD_CONFIG names the production
		// desk, and "ticketd dev" alone means the built-in one.
		fs.Visit(func(f *flag.Flag) {
			if f.Name == "config" {
				devOpts.config = f.Value.String()
			}
		})
		return runDev(ctx, devOpts, stdout, stderr)
	case "version":
		fmt.Fprintln(stdout, "ticketd", version)
		return nil
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return nil
	default:
		fmt.Fprintf(stderr, "ticketd: unknown command %q\n\n%s", cmd, usage)
		return errUsage
	}
}
