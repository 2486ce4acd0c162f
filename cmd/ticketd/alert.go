package main

import (
	"context"
	"log/slog"
	"time"

	"github.com/ticketd/ticketd/tickets"
)

// authAlert returns the hook mailin and mailout call once per failure
// streak of logins at where: it mails the admins ([mail] admins).
func authAlert(svc *tickets.Service, log *slog.Logger, where string) func(error) {
	return func(err error) {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if aerr := svc.AlertAuthFailure(ctx, where, err); aerr != nil {
			log.Error("cannot queue the login alert for the admins", "where", where, "err", aerr)
			return
		}
		log.Error("login failing; admins alerted by mail", "where", where, "err", err)
	}
}
