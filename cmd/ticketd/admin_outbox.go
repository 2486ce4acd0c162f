package main

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/ticketd/ticketd/tickets"
)

// cmdOutbox lists the mail waiting for delivery and the mail given up on,
// or (--retry ID) queues a given-up mail again.
func cmdOutbox(cfg *Config, src adminSource, fl adminFlags, w io.Writer) error {
	if fl.retry != 0 {
		m, err := src.Retry(fl.retry)
		if err != nil {
			return err
		}
		if fl.json {
			return printJSON(w, toMailRows([]tickets.Mail{m}, false)[0])
		}
		fmt.Fprintf(w, "mail %d (ticket #%d, %s to %s) is due now\n", m.ID, m.Ticket, m.Kind, strings.Join(m.Pending(), ", "))
		return nil
	}
	v, err := src.Outbox()
	if err != nil {
		return err
	}
	if fl.json {
		return printJSON(w, v)
	}
	when := func(ts time.Time) string { return ts.In(cfg.Location).Format("01-02 15:04") }
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "waiting: %d\n", len(v.Outbox))
	if len(v.Outbox) > 0 {
		fmt.Fprintln(tw, "ID\tTICKET\tKIND\tTO\tQUEUED\tTRIES\tNEXT\tLAST ERROR")
		for _, m := range v.Outbox {
			fmt.Fprintf(tw, "%d\t#%d\t%s\t%s\t%s\t%d\t%s\t%s\n", m.ID, m.Ticket, m.Kind, truncate(strings.Join(m.To, ","), 30),
				when(m.Queued), m.Attempts, when(m.NextAttempt), truncate(or(m.LastError, "-"), 40))
		}
	}
	fmt.Fprintf(tw, "given up: %d\n", len(v.Failed))
	if len(v.Failed) > 0 {
		fmt.Fprintln(tw, "ID\tTICKET\tKIND\tTO\tQUEUED\tTRIES\tREASON")
		for _, m := range v.Failed {
			fmt.Fprintf(tw, "%d\t#%d\t%s\t%s\t%s\t%d\t%s\n", m.ID, m.Ticket, m.Kind, truncate(strings.Join(m.To, ","), 30),
				when(m.Queued), m.Attempts, truncate(or(m.LastError, "-"), 50))
		}
		fmt.Fprintln(tw, "queue one again with: ticketd outbox --retry ID")
	}
	return tw.Flush()
}
