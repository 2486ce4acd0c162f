package tickets

import (
	"context"
	"fmt"

	bolt "go.etcd.io/bbolt"

	"github.com/ticketd/ticketd/templates"
)

// AlertAuthFailure queues, to the admins in Options.Admins, the alert that
// logging in at where (e.g. `IMAP imap.example.com:993 as
// soporte@example.com`) fails with err. Callers send it once per failure
// streak. The alert belongs to no ticket (Mail.Ticket 0: its delivery is
// recorded on no timeline). Without admins it does nothing.
// incoming says the failing login is the one that reads the mailbox (IMAP)
// rather than the one that sends (SMTP): the alert says which way mail stops.
func (s *Service) AlertAuthFailure(ctx context.Context, where string, incoming bool, err error) error {
	if len(s.opts.Admins) == 0 || err == nil {
		return nil
	}
	if cerr := ctx.Err(); cerr != nil {
		return cerr
	}
	r, rerr := s.opts.Templates.Render(s.opts.Language, templates.AdminAuthFailed, templates.Data{
		Desk: s.opts.Desk.Name, Subject: where, Text: err.Error(), Incoming: incoming,
	})
	if rerr != nil {
		return fmt.Errorf("render admin_auth_failed: %w", rerr)
	}
	now := s.opts.Now()
	m := Mail{Kind: templates.AdminAuthFailed, From: s.opts.Desk, To: addresses(s.opts.Admins), Subject: r.Subject, Text: r.Text, HTML: r.HTML,
		AutoSubmitted: "auto-generated", Queued: now, NextAttempt: now}
	// Replies to the alert are ignored, never a ticket (queueMail indexes
	// its Message-ID as ticketd's own).
	if err := s.store.db.Update(func(tx *bolt.Tx) error { return s.queueMail(tx, &m) }); err != nil {
		return fmt.Errorf("queue auth alert: %w", err)
	}
	s.signalQueued()
	return nil
}
