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

	"github.com/robfig/cron/v3"

	"github.com/ticketd/ticketd/mailin"
	"github.com/ticketd/ticketd/mailout"
	"github.com/ticketd/ticketd/metrics"
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
	store *tickets.Store
	svc   *tickets.Service
	// pollers read [imap]'s mailbox, then each queue's own mailbox
	// (deskPollers).
	pollers []*mailin.Poller
	sender  *mailout.Sender
	// metrics counts what the desk does (metrics.go); served by the
	// admin listener (adminserver.go).
	metrics *metrics.Metrics
	// warmed is closed once the daemon's digest warm-up is done
	// (warm.go); nil where no daemon runs.
	warmed chan struct{}
}

// close closes the desk's database, then writes the log lines its
// sender holds (logwriter.go).
func (d *desk) close(log *slog.Logger) {
	d.store.Close()
	flushLog(log)
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
	// Attachments are kept content-addressed next to the database.
	blobs, err := tickets.OpenBlobs(filepath.Join(cfg.DataDir, "attachments"))
	if err != nil {
		store.Close()
		return nil, err
	}
	m := newMetrics(store, cfg)
	m.Known(queueLadders(cfg), typeNames())
	svc, err := tickets.NewService(store, deskTickets(cfg, tmpl, blobs, deps, m))
	if err != nil {
		store.Close()
		return nil, err
	}
	sender, err := mailout.NewSender(deskSMTP(cfg, blobs, svc, deps, m), newCountingQueue(store, m), holdingLogger(deps.Logger).With("component", "mailout"))
	if err != nil {
		store.Close()
		return nil, err
	}
	var pollers []*mailin.Poller
	for _, o := range deskPollers(cfg, blobs, svc, deps, m) {
		p := mailin.NewPoller(o, countingApplier{svc, m}, deps.Logger.With("component", "mailin", "mailbox", o.Mailbox))
		observePasses(p, m, deps.Now)
		pollers = append(pollers, p)
	}
	return &desk{store: store, svc: svc, pollers: pollers, sender: sender, metrics: m}, nil
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
	report(w, "imap", cfg.IMAP.Address, true, imapErr)
	smtpErr := mailout.Check(ctx, cfg.SMTP)
	report(w, "smtp", cfg.SMTP.Address, cfg.SMTP.Username != "", smtpErr)
	if err := errors.Join(imapErr, smtpErr); err != nil {
		return fmt.Errorf("check-config --connect: %w", err)
	}
	return nil
}

// report says what check-config --connect found; an SMTP server without
// a username is only connected to (there is no login to check).
func report(w io.Writer, what, addr string, login bool, err error) {
	switch {
	case err != nil:
		fmt.Fprintf(w, "  %s:        %s: FAILED: %v\n", what, addr, err)
	case login:
		fmt.Fprintf(w, "  %s:        %s: connected and logged in\n", what, addr)
	default:
		fmt.Fprintf(w, "  %s:        %s: connected (no login configured)\n", what, addr)
	}
}

// Once fetches and applies every waiting message, then delivers everything
// due in the outbox, and returns.
func Once(ctx context.Context, cfg *Config, deps Deps) error {
	deps = deps.withDefaults()
	d, err := openDesk(cfg, deps)
	if err != nil {
		return err
	}
	defer d.close(deps.Logger)
	pollErr := deliverDuring(ctx, d, deps.Logger, d.pollAll(ctx))
	checkErr := d.checkSLA(ctx, deps.Logger)
	// Deliver what is queued even when fetching failed: those mails are promised.
	var sendErr error
	asWorker(ctx, "mailout", func() { _, sendErr = d.sender.Drain(ctx) })
	return errors.Join(pollErr, checkErr, sendErr)
}

// Digest builds the managers' digest now: with dryRun it prints it to w and
// changes nothing; otherwise it queues it and delivers the outbox. A
// running daemon does it (over its admin socket) when one answers.
func Digest(ctx context.Context, cfg *Config, deps Deps, dryRun bool, w io.Writer) error {
	deps = deps.withDefaults()
	if r, ok := runningDaemon(cfg); ok {
		res, err := r.Digest(dryRun)
		if err != nil {
			return err
		}
		printDigest(w, res, dryRun, cfg.Location)
		return nil
	}
	d, err := openDigestDesk(cfg, deps, dryRun)
	if err != nil {
		return err
	}
	defer d.close(deps.Logger)
	res, err := d.sendDigest(deps.Logger, dryRun)
	if err != nil {
		return err
	}
	printDigest(w, res, dryRun, cfg.Location)
	if dryRun {
		return nil
	}
	_, err = d.sender.Drain(ctx)
	return err
}

// printDigest shows a dry-run digest, or says that one was queued, with
// its period in the desk's time zone, as the mail writes it.
func printDigest(w io.Writer, res tickets.DigestResult, dryRun bool, loc *time.Location) {
	period := fmt.Sprintf("%s – %s", res.Since.In(loc).Format("2006-01-02 15:04"), res.Until.In(loc).Format("2006-01-02 15:04 MST"))
	switch {
	case dryRun:
		fmt.Fprintf(w, "Subject: %s\n\n%s", res.Mail.Subject, res.Mail.Text)
		if len(res.Images) > 0 {
			// The text part is what is printed; the charts go in the
			// HTML part, beside it in multipart/related.
			fmt.Fprintf(w, "\n[%d charts, inline images of the HTML part (their numbers are in the text above):]\n", len(res.Images))
			for _, img := range res.Images {
				fmt.Fprintf(w, "  %s  image/png, %d bytes, <img src=\"cid:%s\">\n", img.Name, img.Size, img.ContentID)
			}
		}
	case res.AlreadySent:
		fmt.Fprintf(w, "the %s digest for %s was sent already; nothing queued\n", res.Period, period)
	default:
		fmt.Fprintf(w, "digest for %s queued to the managers\n", period)
	}
}

// checkSLA runs one escalation check: batch after batch until nothing
// more is due, each decided and committed on its own.
func (d *desk) checkSLA(ctx context.Context, log *slog.Logger) error {
	for {
		rep, err := d.svc.CheckSLA(ctx)
		if err != nil {
			log.Error("sla check", "err", err)
			return err
		}
		if rep.Tickets > 0 {
			log.Debug("sla batch committed", "tickets", rep.Tickets, "more", rep.More)
		}
		for _, e := range rep.EscalatedTo {
			d.metrics.Escalated(e.Queue, e.Tier, string(e.Type))
		}
		for _, b := range rep.Breached {
			d.metrics.SLABreached(b.Queue, b.Clock, b.Tier, string(b.Type))
		}
		if rep.Actions() > 0 {
			log.Info("sla check", "warnings", rep.Warnings, "breaches", rep.Breaches(), "escalations", rep.Escalations(), "alerts", rep.Alerts,
				"reminders", rep.Reminders, "auto_resolved", rep.AutoResolved, "auto_closed", rep.AutoClosed)
		}
		if !rep.More {
			return nil
		}
	}
}

// sendDigest queues the managers' digest (or, dryRun, only renders it).
func (d *desk) sendDigest(log *slog.Logger, dryRun bool) (tickets.DigestResult, error) {
	waitWarm(d.warmed)
	res, err := d.svc.Digest(dryRun)
	if err != nil {
		log.Error("digest", "err", err)
		return res, err
	}
	if res.Queued {
		log.Info("digest queued", "since", res.Since, "until", res.Until)
	}
	return res, nil
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
	defer d.close(deps.Logger)
	log := deps.Logger
	// Before the admin socket serves: a digest asked for during the
	// warm-up waits for it (warm.go).
	d.warmed = make(chan struct{})
	stopAdmin, err := startAdmin(cfg, d, deps)
	if err != nil {
		return err
	}
	defer stopAdmin()
	log.Info("ticketd started", "desk", cfg.Desk.Email, "imap", cfg.IMAP.Address, "smtp", cfg.SMTP.Address)
	if !cfg.RequireVerifiedAgents {
		log.Warn("agent mail is trusted by its From header alone; set security.trusted_authserv_id so forged agent mail is never relayed")
	}

	defer d.startWarmUp(log)() // waited for before the database closes

	// The first worker to stop, by a panic or an error, stops the other:
	// a daemon that sends but no longer reads mail must not look healthy.
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var wg sync.WaitGroup
	errs := make(chan error, len(d.pollers)+1)
	worker := func(name string, f func() error) {
		wg.Add(1)
		go asWorker(ctx, name, func() {
			defer wg.Done()
			defer cancel()
			errs <- guard(log, name, f)
		})
	}
	for _, p := range d.pollers {
		worker("mailin", func() error { return p.Run(ctx, cfg.PollInterval) })
	}
	worker("mailout", func() error { return d.sender.Run(ctx, d.svc.Queued()) })
	jobs, err := d.schedule(ctx, cfg, log)
	if err != nil {
		cancel()
		wg.Wait()
		return err
	}
	wg.Wait()
	<-jobs.Stop().Done() // let a check in progress finish its transaction
	close(errs)
	var all []error
	for e := range errs {
		all = append(all, e)
	}
	log.Info("ticketd stopped")
	return errors.Join(all...)
}

// schedule starts the cron jobs: the SLA check and the managers' digest,
// in the desk's time zone. A job that panics is logged and recovered; a job
// still running when its next turn comes is skipped, not run twice.
func (d *desk) schedule(ctx context.Context, cfg *Config, log *slog.Logger) (*cron.Cron, error) {
	cl := cronLogger{log}
	c := cron.New(cron.WithLocation(cfg.Location), cron.WithChain(cron.Recover(cl), cron.SkipIfStillRunning(cl)))
	if _, err := c.AddFunc(cfg.Escalation, func() { d.checkSLA(ctx, log) }); err != nil {
		return nil, fmt.Errorf("escalation.schedule: %w", err)
	}
	if cfg.Digest != "" {
		if _, err := c.AddFunc(cfg.Digest, func() { d.sendDigest(log, false) }); err != nil {
			return nil, fmt.Errorf("digest.schedule: %w", err)
		}
	}
	if err := d.scheduleAgentDigest(c, cfg, log); err != nil {
		return nil, err
	}
	c.Start()
	return c, nil
}

// cronLogger adapts slog to cron's logger (used for recovered panics).
type cronLogger struct{ log *slog.Logger }

func (l cronLogger) Info(msg string, kv ...any) { l.log.Debug("cron: "+msg, kv...) }
func (l cronLogger) Error(err error, msg string, kv ...any) {
	l.log.Error("cron: "+msg, append(kv, "err", err)...)
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

// pollAll returns one pass over every mailbox, in order; a failing
// mailbox does not keep the others from being read.
func (d *desk) pollAll(ctx context.Context) func() error {
	return func() error {
		var errs []error
		for _, p := range d.pollers {
			if _, err := p.Poll(ctx); err != nil {
				errs = append(errs, err)
			}
		}
		return errors.Join(errs...)
	}
}
