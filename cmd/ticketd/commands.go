package main

import (
	"context"
	"flag"
	"fmt"
)

// commands is ticketd's command line: every subcommand with its
// arguments, flags, help and what it runs. The usage text and
// "ticketd help CMD" are made from it (cli.go). It is set in init because
// the help command reads it.
var commands []*command

func init() {
	commands = []*command{
		{
			name: "run", config: configRequired,
			summary: "run the daemon",
			help: `Runs the help desk: fetches mail over IMAP (IDLE where the server has it,
else every poll_interval), applies it to the tickets, delivers the outbox
over SMTP, and runs the SLA checks and digests on their schedules. It
serves the admin commands on its socket, and metrics on admin.listen when
set. SIGINT or SIGTERM stop it after the mail in flight.`,
			setup: func(*flag.FlagSet) runFunc {
				return func(ctx context.Context, c *call) error {
					cfg, err := c.config()
					if err != nil {
						return err
					}
					return Run(ctx, cfg, Deps{Logger: configLogger(c.stderr, cfg)})
				}
			},
		},
		{
			name: "once", config: configRequired,
			summary: "fetch and apply all waiting mail, deliver the outbox, exit",
			help: `One pass of the daemon: fetches and applies every waiting message, runs
the SLA checks and delivers the outbox, then exits.`,
			setup: func(fs *flag.FlagSet) runFunc {
				importAll := fs.Bool("import", false, "apply the waiting mail silently: tickets are created, no mail is sent (first run on an old mailbox)")
				return func(ctx context.Context, c *call) error {
					cfg, err := c.config()
					if err != nil {
						return err
					}
					cfg.ImportAll = *importAll
					return Once(ctx, cfg, Deps{Logger: configLogger(c.stderr, cfg)})
				}
			},
		},
		{
			name: "check-config", config: configRequired,
			summary: "validate the configuration and print what would run",
			help: `Reads the configuration, reports every problem at once (each naming its
key), and prints what would run. It opens neither the database nor, without
--connect, any server.`,
			setup: func(fs *flag.FlagSet) runFunc {
				connect := fs.Bool("connect", false, "also log in to the IMAP and SMTP servers (sends and moves no mail)")
				return func(ctx context.Context, c *call) error {
					cfg, err := c.config()
					if err != nil {
						return err
					}
					if err := checkRuntime(cfg); err != nil {
						return err
					}
					fmt.Fprint(c.stdout, cfg.Summary())
					if *connect {
						return checkServers(ctx, cfg, c.stdout)
					}
					return nil
				}
			},
		},
		{
			name: "list", config: configRequired, readOnly: true,
			summary: "the newest tickets, one line each",
			help: `Lists the newest matching tickets, newest first. Asks the running daemon
over its socket, or reads the database when no daemon runs.`,
			setup: func(fs *flag.FlagSet) runFunc {
				var fl adminFlags
				fs.StringVar(&fl.status, "status", "", "only tickets with this `status` (new, open, pending, resolved, closed)")
				fs.IntVar(&fl.tier, "tier", 0, "only tickets at tier `N`")
				fs.StringVar(&fl.typ, "type", "", "only tickets of this `type` (incident, request; or incidente, solicitud)")
				fs.StringVar(&fl.category, "category", "", "only tickets of this `category` (none: without one)")
				fs.IntVar(&fl.limit, "limit", 50, "only the newest `N` matching tickets; 0 lists them all")
				fs.StringVar(&fl.queue, "queue", "", "only tickets of the queue called `NAME`")
				jsonFlag(fs, &fl)
				return adminRun("list", &fl)
			},
		},
		{
			name: "show", args: "N", minArgs: 1, maxArgs: 1, config: configRequired, readOnly: true,
			summary: "one ticket, its SLA clocks and its timeline",
			help:    `Shows ticket N ("12" or "#12"): its people, SLA clocks and timeline.`,
			setup: func(fs *flag.FlagSet) runFunc {
				var fl adminFlags
				jsonFlag(fs, &fl)
				return adminRun("show", &fl)
			},
		},
		{
			name: "stats", config: configRequired, smallHeap: true, readOnly: true,
			summary: "tickets by status and tier, by type and category, outbox, database size",
			help:    `Counts tickets by status and tier, by type (with median first-response and resolution times) and by category, the outbox, the database's size and schema version.`,
			setup: func(fs *flag.FlagSet) runFunc {
				var fl adminFlags
				jsonFlag(fs, &fl)
				return adminRun("stats", &fl)
			},
		},
		reportCommand(),
		{
			name: "outbox", config: configRequired,
			summary: "mails waiting and given up",
			help:    `Lists the mails waiting to go out and those given up on, with their last error.`,
			setup: func(fs *flag.FlagSet) runFunc {
				var fl adminFlags
				fs.Uint64Var(&fl.retry, "retry", 0, "make mail `ID` due now (a mail given up on goes back into the outbox)")
				jsonFlag(fs, &fl)
				return adminRun("outbox", &fl)
			},
		},
		{
			name: "backup", args: "FILE", minArgs: 1, maxArgs: 1, config: configRequired,
			summary: "write a consistent copy of the database to FILE",
			help:    `Writes a consistent copy of the database to FILE, also while the daemon runs.`,
			setup: func(*flag.FlagSet) runFunc {
				return adminRun("backup", &adminFlags{})
			},
		},
		{
			name: "digest", config: configRequired, smallHeap: true,
			summary: "send the managers' digest now",
			help: `Sends the managers' digest of the period since the last one now. With
--agents, sends instead each agent's morning mail of their own open
tickets ([digest] agents).`,
			setup: func(fs *flag.FlagSet) runFunc {
				dryRun := fs.Bool("dry-run", false, "print the digest instead of sending it")
				agents := fs.Bool("agents", false, "the agents' morning mail instead of the managers' digest")
				return func(ctx context.Context, c *call) error {
					cfg, err := c.config()
					if err != nil {
						return err
					}
					if *agents {
						return AgentDigest(ctx, cfg, Deps{Logger: configLogger(c.stderr, cfg)}, *dryRun, c.stdout)
					}
					return Digest(ctx, cfg, Deps{Logger: configLogger(c.stderr, cfg)}, *dryRun, c.stdout)
				}
			},
		},
		{
			name: "kb", args: "list|show N|search WORDS", minArgs: 1, maxArgs: -1, config: configRequired, readOnly: true,
			summary: "the knowledge base",
			help: `Lists the knowledge base's articles, shows article N, or searches it
for WORDS as the suggestions in acknowledgements do.`,
			setup: func(*flag.FlagSet) runFunc {
				return func(_ context.Context, c *call) error {
					cfg, err := c.config()
					if err != nil {
						return err
					}
					return kbCommand(cfg, c.args, c.stdout, c.stderr)
				}
			},
		},
		{
			name: "inspect", args: "FILE.eml", minArgs: 1, maxArgs: 1, config: configOptional, readOnly: true,
			summary: "print as JSON what ticketd makes of one message (no database)",
			help: `Parses one message (FILE.eml, or - for standard input) and prints as JSON
what ticketd makes of it: its kind, the ticket it names, its text, its
attachments. With --config the desk's own tag and address are used.
Nothing is written.`,
			setup: func(*flag.FlagSet) runFunc {
				return func(_ context.Context, c *call) error {
					var cfg *Config
					if c.configPath != "" {
						var err error
						if cfg, err = LoadConfig(c.configPath); err != nil {
							return err
						}
					}
					return inspectMail(cfg, c.args[0], c.stdin, c.stdout)
				}
			},
		},
		{
			name: "dev", config: configExplicit,
			summary: "try ticketd with an in-process mail sandbox",
			help: `Starts an in-process IMAP and SMTP sandbox and a desk on it, and prints how
to write to it. With --config FILE: that desk, its servers replaced by the
sandbox. $TICKETD_CONFIG is not used: it names the production desk.`,
			setup: func(fs *flag.FlagSet) runFunc {
				var o devOptions
				fs.StringVar(&o.dataDir, "data", "", "data `directory` (default: a new temporary directory)")
				fs.StringVar(&o.imapAddr, "imap", "127.0.0.1:1143", "sandbox IMAP listen `address` (loopback)")
				fs.StringVar(&o.smtpAddr, "smtp", "127.0.0.1:1025", "sandbox SMTP listen `address` (loopback)")
				return func(ctx context.Context, c *call) error {
					o.config = c.configPath
					return runDev(ctx, o, c.stdout, c.stderr)
				}
			},
		},
		{
			name: "completion", args: "bash|zsh|fish", minArgs: 1, maxArgs: 1, readOnly: true,
			summary: "print the shell completion script",
			help: `Prints the completion script for bash, zsh or fish, made from this command
table. The Debian package installs all three; by hand, for bash:
  ticketd completion bash > /etc/bash_completion.d/ticketd`,
			setup: func(*flag.FlagSet) runFunc {
				return func(_ context.Context, c *call) error {
					if err := writeCompletion(c.stdout, c.args[0]); err != nil {
						fmt.Fprintf(c.stderr, "ticketd completion: %v\n", err)
						return errUsage
					}
					return nil
				}
			},
		},
		{
			name: "man", readOnly: true,
			summary: "print the manual page ticketd(8)",
			help: `Prints the manual page ticketd(8) in roff, made from this command table
(the Debian package installs it). Read it with: ticketd man | man -l -`,
			setup: func(*flag.FlagSet) runFunc {
				return func(_ context.Context, c *call) error {
					v := readBuildVersion()
					writeManPage(c.stdout, v.Module, manDate(v))
					return nil
				}
			},
		},
		{
			name: "version", readOnly: true,
			summary: "print the version, commit and build date",
			help: `Prints the module version, the commit it was built from and that commit's
date (the build date of a reproducible build), all read from the Go build
information stamped into the binary.`,
			setup: func(*flag.FlagSet) runFunc {
				return func(_ context.Context, c *call) error {
					fmt.Fprint(c.stdout, readBuildVersion())
					return nil
				}
			},
		},
		{
			name: "help", args: "[COMMAND]", maxArgs: 1, readOnly: true,
			summary: "this overview, or a command's arguments and flags",
			help:    `Prints the list of commands, or COMMAND's usage, help and flags.`,
			setup: func(*flag.FlagSet) runFunc {
				return func(_ context.Context, c *call) error {
					if len(c.args) == 0 {
						printOverview(c.stdout)
						return nil
					}
					cmd := findCommand(c.args[0])
					if cmd == nil {
						fmt.Fprintf(c.stderr, "ticketd help: unknown command %q\n\n", c.args[0])
						printOverview(c.stderr)
						return errUsage
					}
					printHelp(c.stdout, cmd)
					return nil
				}
			},
		},
	}
}

// adminRun is the run function of the admin commands that share runAdmin.
func adminRun(name string, fl *adminFlags) runFunc {
	return func(_ context.Context, c *call) error {
		cfg, err := c.config()
		if err != nil {
			return err
		}
		return runAdmin(cfg, name, c.args, *fl, c.stdout)
	}
}

func jsonFlag(fs *flag.FlagSet, fl *adminFlags) {
	fs.BoolVar(&fl.json, "json", false, "print JSON, for scripts")
}
