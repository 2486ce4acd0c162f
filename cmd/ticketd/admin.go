package main

import (
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/ticketd/ticketd/tickets"
	"github.com/ticketd/ticketd/tiers"
)

func listTickets(cfg *Config, w io.Writer) error {
	store, err := tickets.OpenReadOnly(cfg.DataDir, lockTimeout)
	if err != nil {
		return err
	}
	defer store.Close()
	all, err := store.Tickets()
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "#\tSTATUS\tTIER\tREQUESTER\tASSIGNEE\tUPDATED\tSUBJECT")
	for _, t := range all {
		fmt.Fprintf(tw, "%d\t%s\t%d\t%s\t%s\t%s\t%s\n", t.ID, t.Status, t.Tier, t.Requester.Email,
			or(t.Assignee, "-"), t.Updated.In(cfg.Location).Format("2006-01-02 15:04"), truncate(t.Subject, 50))
	}
	return tw.Flush()
}

func showTicket(cfg *Config, arg string, w io.Writer) error {
	id, err := strconv.ParseUint(strings.TrimPrefix(arg, "#"), 10, 64)
	if err != nil {
		return fmt.Errorf("show: %q is not a ticket number", arg)
	}
	store, err := tickets.OpenReadOnly(cfg.DataDir, lockTimeout)
	if err != nil {
		return err
	}
	defer store.Close()
	t, err := store.Ticket(id)
	if err != nil {
		return err
	}
	events, err := store.Events(id)
	if err != nil {
		return err
	}
	when := func(ts time.Time) string {
		if ts.IsZero() {
			return "-"
		}
		return ts.In(cfg.Location).Format("2006-01-02 15:04:05")
	}
	fmt.Fprintf(w, "[%s #%d] %s\n", cfg.Tag, t.ID, t.Subject)
	fmt.Fprintf(w, "status %s, tier %d, requester %s, assignee %s\n", t.Status, t.Tier, t.Requester, or(t.Assignee, "-"))
	if len(t.Participants) > 0 {
		var ps []string
		for _, p := range t.Participants {
			ps = append(ps, p.String())
		}
		fmt.Fprintf(w, "participants %s\n", strings.Join(ps, ", "))
	}
	fmt.Fprintf(w, "created %s, first response %s\n", when(t.Created), when(t.FirstResponse))
	vendor := ""
	if t.VendorRef != "" {
		vendor = ", vendor ref " + t.VendorRef
	}
	fmt.Fprintf(w, "priority %s, at tier %d since %s, escalated %d time(s)%s\n", or(string(t.Priority), "normal"), t.Tier,
		when(t.TierSince), t.Escalations, vendor)
	fmt.Fprintf(w, "sla: first response %s, resolution %s\n\n", slaState(t.SLA.FirstResponse, when), slaState(t.SLA.Resolution, when))
	for _, e := range events {
		line := fmt.Sprintf("%s  %-15s", when(e.Time), e.Kind)
		if e.Actor != "" {
			line += " " + e.Actor
		}
		if e.To != "" {
			line += fmt.Sprintf(" %s → %s", or(string(e.From), "·"), e.To)
		}
		if e.ToTier != 0 {
			line += fmt.Sprintf(" tier %d → %d", e.FromTier, e.ToTier)
		}
		if len(e.Recipients) > 0 {
			line += " to " + strings.Join(e.Recipients, ", ")
		}
		if e.Detail != "" {
			line += " (" + e.Detail + ")"
		}
		fmt.Fprintln(w, line)
		if e.Text != "" {
			for _, l := range strings.Split(truncate(e.Text, 600), "\n") {
				fmt.Fprintln(w, "    "+l)
			}
		}
	}
	return nil
}

// slaState describes one countdown for show.
func slaState(c tiers.Countdown, when func(time.Time) string) string {
	switch {
	case c.Target == 0:
		return "-"
	case !c.Met.IsZero():
		return fmt.Sprintf("met %s (target %s)", when(c.Met), c.Target)
	case c.Breached && c.Running():
		return fmt.Sprintf("BREACHED %s (target %s)", when(c.Due), c.Target)
	case c.Running():
		return fmt.Sprintf("due %s (target %s)", when(c.Due), c.Target)
	default:
		return fmt.Sprintf("paused, %s of %s used", c.Used.Round(time.Second), c.Target)
	}
}

func truncate(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}
