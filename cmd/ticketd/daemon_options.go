package main

import (
	"fmt"

	"github.com/ticketd/ticketd/mailin"
	"github.com/ticketd/ticketd/mailout"
	"github.com/ticketd/ticketd/metrics"
	"github.com/ticketd/ticketd/templates"
	"github.com/ticketd/ticketd/tickets"
)

// What a Config cannot hold, because only a running desk has it: the
// parsed templates, the clock, the attachment store, and the hooks that
// count limits and alert on failing logins. These three functions are
// the only places openDesk adds to the configured options.

// deskTickets is the workflow's options: cfg's, with templates, clock,
// the attachment store (the digest's charts) and the limit counter.
func deskTickets(cfg *Config, tmpl *templates.Set, blobs *tickets.Blobs, deps Deps, m *metrics.Metrics) tickets.Options {
	o := cfg.Options
	o.Templates, o.Now, o.OnLimit = tmpl, deps.Now, m.LimitHit
	o.Blobs = blobs // the digest's charts wait there until sent
	return o
}

// deskSMTP is the sender's options: cfg's, with clock, attachment store,
// limit counter and login alerts.
func deskSMTP(cfg *Config, blobs *tickets.Blobs, svc *tickets.Service, deps Deps, m *metrics.Metrics) mailout.Options {
	o := cfg.SMTP
	o.Now, o.Blobs, o.OnLimit = deps.Now, blobs, m.LimitHit
	o.OnAuthFailure, o.OnAuthRecovered = authHooks(svc, m, deps.Logger, "smtp", fmt.Sprintf("SMTP %s as %s", o.Address, o.Username))
	return o
}

// deskIMAP is the poller's options: cfg's, with attachment store, login
// alerts and the flow control that keeps the ingest from running ahead of
// delivery (backlog.go; one gate for every mailbox).
func deskIMAP(cfg *Config, blobs *tickets.Blobs, svc *tickets.Service, deps Deps, m *metrics.Metrics) mailin.PollerOptions {
	o := cfg.IMAP
	o.Attachments = blobs
	gate := newBacklogGate(cfg.OutboxBacklog, svc.UntriedMail, deps.Logger.With("component", "mailin"),
		func() { m.LimitHit("outbox_backlog") })
	o.Throttle = gate.Wait
	o.OnAuthFailure, o.OnAuthRecovered = authHooks(svc, m, deps.Logger, "imap", fmt.Sprintf("IMAP %s as %s", o.Address, o.Username))
	return o
}

// deskPollers is one poller's options per mailbox: [imap]'s, then each
// queue's own mailbox on the same account (its mail names no queue
// address: it goes to that queue, tickets/queue.go).
func deskPollers(cfg *Config, blobs *tickets.Blobs, svc *tickets.Service, deps Deps, m *metrics.Metrics) []mailin.PollerOptions {
	main := deskIMAP(cfg, blobs, svc, deps, m)
	out := []mailin.PollerOptions{main}
	for _, q := range cfg.Queues {
		if q.Mailbox != "" {
			o := main
			o.Mailbox, o.CreateMailbox = q.Mailbox, true
			out = append(out, o)
		}
	}
	return out
}
