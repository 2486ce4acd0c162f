package main

import (
	"context"
	"log/slog"
	"time"

	"github.com/ticketd/ticketd/metrics"
	"github.com/ticketd/ticketd/tickets"
)

// authHooks returns what mailin or mailout call when logins at where
// start failing (once per failure streak) and when they work again: the
// first mails the admins ([mail] admins), both set the
// ticketd_auth_failing metric for server ("imap", "smtp").
func authHooks(svc *tickets.Service, m *metrics.Metrics, log *slog.Logger, server, where string) (failed func(error), recovered func()) {
	failed = func(err error) {
		m.AuthFailing(server, true)
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if aerr := svc.AlertAuthFailure(ctx, where, server == "imap", err); aerr != nil {
			log.Error("cannot queue the login alert for the admins", "where", where, "err", aerr)
			return
		}
		log.Error("login failing; admins alerted by mail", "where", where, "err", err)
	}
	recovered = func() { m.AuthFailing(server, false) }
	return failed, recovered
}
