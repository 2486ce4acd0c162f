package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"sync"
	"time"

	"github.com/ticketd/ticketd/mailin"
	"github.com/ticketd/ticketd/mailout"
	"github.com/ticketd/ticketd/templates"
	"github.com/ticketd/ticketd/tickets"
)

// Deps are what Run and Once take from outside the configuration, so tests
// can inject them.
type Deps struct {
	Logger *slog.Logger
	Now    func() time.Time // nil: time.Now
}

// lockTimeout bounds the wait for the database lock held by another process.
const lockTimeout = 5 * time.Second

// desk is one wired-up ticketd: store, workflow, fetcher and sender.
type desk struct {
	store  *tickets.Store
	svc    *tickets.Service
	poller *mailin.Poller
	sender *mailout.Sender
}

// withDefaults fills in what the caller left nil.
func (deps Deps) withDefaults() Deps {
	if deps.Logger == nil {
		deps.Logger = slog.Default()
	}
	if deps.Now == nil {
		deps.Now = time.Now
	}
	return deps
}

// openDesk wires everything up; deps must have its defaults.
func openDesk(cfg *Config, deps Deps) (*desk, error) {
	tmpl, err := templates.New(cfg.TemplatesDir)
	if err != nil {
		return nil, err
	}
	store, err := tickets.Open(cfg.DataDir, lockTimeout)
	if err != nil {
		return nil, err
	}
	// Issue 5: attachments are kept content-addressed next to the database.
	blobs, err := tickets.OpenBlobs(filepath.Join(cfg.DataDir, "attachments"))
	if err != nil {
		store.Close()
		return nil, err
	}
	svc, err := tickets.NewService(store, tickets.Options{
		Desk: cfg.Desk, Tag: cfg.Tag, Language: cfg.Language,
		Policy: cfg.Policy, Templates: tmpl, Now: deps.Now,
		RequireVerifiedAgents: cfg.RequireVerifiedAgents,
		AckLimit:              cfg.Mail.AckLimit, ImportBefore: cfg.Mail.ImportBefore, ImportAll: cfg.Mail.ImportAll,
		Admins: cfg.Mail.Admins,
	})
	if err != nil {
		store.Close()
		return nil, err
	}
	smtpOpts := cfg.SMTP
	smtpOpts.Now = deps.Now
	smtpOpts.Blobs = blobs
	smtpOpts.OnAuthFailure = authAlert(svc, deps.Logger, fmt.Sprintf("SMTP %s as %s", cfg.SMTP.Address, cfg.SMTP.Username))
	sender, err := mailout.NewSender(smtpOpts, store, deps.Logger.With("component", "mailout"))
	if err != nil {
		store.Close()
		return nil, err
	}
	imapOpts := cfg.IMAP
	imapOpts.Attachments, imapOpts.MaxAttachmentSize = blobs, cfg.Mail.MaxAttachmentSize
	imapOpts.OnAuthFailure = authAlert(svc, deps.Logger, fmt.Sprintf("IMAP %s as %s", cfg.IMAP.Address, cfg.IMAP.Username))
	poller := mailin.NewPoller(imapOpts, svc, deps.Logger.With("component", "mailin"))
	return &desk{store: store, svc: svc, poller: poller, sender: sender}, nil
}

// checkRuntime verifies what LoadConfig cannot: that the templates parse.
func checkRuntime(cfg *Config) error {
	_, err := templates.New(cfg.TemplatesDir)
	return err
}

// checkServers logs in to both servers, without touching the database
// (the daemon may hold its lock) and without sending or moving mail.
func checkServers(ctx context.Context, cfg *Config, w io.Writer) error {
	ctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	imapErr := mailin.NewPoller(cfg.IMAP, nil, nil).Check(ctx)
	report(w, "imap", cfg.IMAP.Address, imapErr)
	smtpErr := mailout.Check(ctx, cfg.SMTP)
	report(w, "smtp", cfg.SMTP.Address, smtpErr)
	if err := errors.Join(imapErr, smtpErr); err != nil {
		return fmt.Errorf("check-config --connect: %w", err)
	}
	return nil
}

func report(w io.Writer, what, addr string, err error) {
	if err != nil {
		fmt.Fprintf(w, "  %s:        %s: FAILED: %v\n", what, addr, err)
		return
	}
	fmt.Fprintf(w, "  %s:        %s: connected and logged in\n", what, addr)
}

// Once fetches and applies every waiting message, then delivers everything
// due in the outbox, and returns.
func Once(ctx context.Context, cfg *Config, deps Deps) error {
	deps = deps.withDefaults()
	d, err := openDesk(cfg, deps)
	if err != nil {
		return err
	}
	defer d.store.Close()
	_, pollErr := d.poller.Poll(ctx)
	// Deliver what is queued even when fetching failed: those mails are promised.
	_, sendErr := d.sender.Drain(ctx)
	return errors.Join(pollErr, sendErr)
}

// Run is the daemon: it fetches mail (IDLE or polling) and delivers the
// outbox until ctx is cancelled, then finishes the transaction in progress
// and closes the database.
func Run(ctx context.Context, cfg *Config, deps Deps) error {
	deps = deps.withDefaults()
	d, err := openDesk(cfg, deps)
	if err != nil {
		return err
	}
	defer d.store.Close()
	log := deps.Logger
	log.Info("ticketd started", "desk", cfg.Desk.Email, "imap", cfg.IMAP.Address, "smtp", cfg.SMTP.Address)
	if !cfg.RequireVerifiedAgents {
		log.Warn("agent mail is trusted by its From header alone; set security.trusted_authserv_id so forged agent mail is never relayed")
	}

	// The first worker to stop, by a panic or an error, stops the other:
	// a daemon that sends but no longer reads mail must not look healthy.
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var wg sync.WaitGroup
	errs := make(chan error, 2)
	worker := func(name string, f func() error) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer cancel()
			errs <- guard(log, name, f)
		}()
	}
	worker("mailin", func() error { return d.poller.Run(ctx, cfg.PollInterval) })
	worker("mailout", func() error { return d.sender.Run(ctx, d.svc.Queued()) })
	wg.Wait()
	close(errs)
	var all []error
	for e := range errs {
		all = append(all, e)
	}
	log.Info("ticketd stopped")
	return errors.Join(all...)
}

// guard runs f, turning a panic into an error so one bad goroutine stops
// the daemon cleanly instead of crashing it mid-transaction.
func guard(log *slog.Logger, name string, f func() error) (err error) {
	defer func() {
		if r := recover(); r != nil {
			log.Error("panic", "component", name, "err", r)
			err = fmt.Errorf("%s: panic: %v", name, r)
		}
	}()
	return f()
}
