package main

import (
	"flag"
	"fmt"
	"io"
	"strings"
	"time"
)

// flagDoc is one flag of a command, as help, the man page and the
// completions show it.
type flagDoc struct {
	name  string // "status"
	arg   string // its value's name, lower case ("status", "file"); "" for a switch
	usage string // what it does
	def   string // its default, "" when none worth showing
}

// flagDocs lists the command's flags in the order help prints them.
func (cmd *command) flagDocs() []flagDoc {
	fs, _, _ := cmd.flags()
	var docs []flagDoc
	fs.VisitAll(func(f *flag.Flag) {
		arg, usage := flag.UnquoteUsage(f)
		d := flagDoc{name: f.Name, arg: arg, usage: usage}
		// --config's default is read from $TICKETD_CONFIG when the table
		// is built; the text says so, the value is the reader's own.
		switch f.DefValue {
		case "", "0", "false":
		default:
			if f.Name != "config" {
				d.def = f.DefValue
			}
		}
		docs = append(docs, d)
	})
	return docs
}

// writeManPage writes ticketd(8) in roff (man(7) macros) from the command
// table, so that it says what "ticketd help" says. date is the build's
// commit date ("" when unknown) so the page is the same for the same
// commit.
func writeManPage(w io.Writer, version, date string) {
	p := func(format string, args ...any) { fmt.Fprintf(w, format, args...) }
	p(".TH TICKETD 8 %s %s \"System Administration\"\n", roffQuote(date), roffQuote("ticketd "+version))
	p(".SH NAME\nticketd \\- email\\-driven help desk daemon\n")
	p(".SH SYNOPSIS\n.B ticketd\n.I COMMAND\n.RI [ ARGUMENTS ]\n.RI [ FLAGS ]\n")
	p(".SH DESCRIPTION\n%s\n", roffText(`ticketd turns one support mailbox into a help desk. It reads the mailbox over
IMAP, turns every conversation into a numbered ticket kept in an embedded
database, routes tickets through support tiers under service-level targets,
and keeps requesters, agents and managers informed over SMTP. Agents answer
from their own mail client; commands at the top of a reply (such as #resolve)
change the ticket.`))
	p(".PP\n%s\n", roffText(`Flags come after the command, before or after its arguments, with one or two
dashes. --config defaults to $TICKETD_CONFIG. "ticketd help COMMAND" prints the
same text as the section below.`))
	p(".SH COMMANDS\n")
	for _, cmd := range commands {
		p(".SS %s\n", roffText(cmd.name))
		p("\\fB%s\\fR\n.PP\n", roffText(cmd.usage()))
		p("%s\n", roffText(strings.TrimSpace(cmd.help)))
		for _, f := range cmd.flagDocs() {
			p(".TP\n\\fB\\-\\-%s\\fR", roffText(f.name))
			if f.arg != "" {
				p(" \\fI%s\\fR", roffText(strings.ToUpper(f.arg)))
			}
			p("\n%s", roffText(f.usage))
			if f.def != "" {
				p(" (default %s)", roffText(f.def))
			}
			p("\n")
		}
	}
	p(".SH ENVIRONMENT\n")
	for _, e := range [][2]string{
		{"TICKETD_CONFIG", "the configuration file, when --config is not given (not used by dev)."},
		{"CREDENTIALS_DIRECTORY", "set by systemd for LoadCredential=; password_credential keys read the passwords from it."},
	} {
		p(".TP\n.B %s\n%s\n", roffText(e[0]), roffText(e[1]))
	}
	p(".SH FILES\n")
	for _, f := range [][2]string{
		{"/etc/ticketd/ticketd.toml", "the configuration; every key is documented in it. Mode 0640, group ticketd."},
		{"/etc/ticketd/credentials/", "the IMAP and SMTP passwords (imap-password, smtp-password), root's alone; the unit loads them with LoadCredential=."},
		{"/var/lib/ticketd/ticketd.db", "the tickets database (bbolt); back it up with ticketd backup."},
		{"/var/lib/ticketd/admin/ticketd.sock", "the admin socket that list, show, stats, outbox, backup and digest use while the daemon runs."},
		{"/usr/lib/systemd/system/ticketd.service", "the hardened systemd unit."},
		{"/usr/share/ticketd/", "Prometheus alert rules and a Grafana dashboard for the metrics served on admin.listen."},
	} {
		p(".TP\n.I %s\n%s\n", roffText(f[0]), roffText(f[1]))
	}
	p(".SH EXIT STATUS\n")
	for _, e := range [][2]string{{"0", "success."}, {"1", "an error: a bad configuration, a damaged database, a server that refuses."}, {"2", "a wrong command line; the usage was printed."}} {
		p(".TP\n.B %s\n%s\n", e[0], roffText(e[1]))
	}
	p(".SH SEE ALSO\n.BR systemd.exec (5),\n.BR systemd\\-analyze (1),\n.BR promtool (1)\n")
}

// manDate is the .TH date: the commit's day, or "" when unknown.
func manDate(v buildVersion) string {
	if v.Time.IsZero() {
		return ""
	}
	return v.Time.UTC().Format(time.DateOnly)
}

// roffText escapes text for roff: backslashes, dashes (minus signs in
// flags and names), lines that would start a request, and characters
// outside ASCII as \[uXXXX] so no input encoding has to be guessed.
func roffText(s string) string {
	var b strings.Builder
	for i, line := range strings.Split(s, "\n") {
		if i > 0 {
			b.WriteByte('\n')
		}
		line = strings.TrimLeft(line, " \t") // leading spaces would break filling
		if strings.HasPrefix(line, ".") || strings.HasPrefix(line, "'") {
			b.WriteString(`\&`)
		}
		for _, r := range line {
			switch {
			case r == '\\':
				b.WriteString(`\e`)
			case r == '-':
				b.WriteString(`\-`)
			case r > 127:
				fmt.Fprintf(&b, `\[u%04X]`, r)
			default:
				b.WriteRune(r)
			}
		}
	}
	return b.String()
}

// roffQuote is a macro argument in double quotes.
func roffQuote(s string) string {
	return `"` + strings.ReplaceAll(roffText(s), `"`, `""`) + `"`
}
