package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"

	"github.com/robfig/cron/v3"

	"github.com/ticketd/ticketd/tickets"
)

// The agents' morning mail: [digest] agents is its cron schedule ("" : no
// mail); "ticketd digest --agents" sends it now.

// loadAgentDigest validates [digest] agents, the cron schedule of the
// agents' morning mail ("" : none).
func loadAgentDigest(bad badFunc, fc *fileConfig) string {
	spec := fc.Digest.Agents
	if spec == "" {
		return ""
	}
	if _, err := cron.ParseStandard(spec); err != nil {
		bad("digest.agents", "%q is not a cron schedule: %v", spec, err)
	}
	return spec
}

// AgentDigest sends every agent's morning mail now: with dryRun it prints
// the mails to w and changes nothing; otherwise it queues them and
// delivers the outbox. A running daemon does it (over its admin socket)
// when one answers.
func AgentDigest(ctx context.Context, cfg *Config, deps Deps, dryRun bool, w io.Writer) error {
	deps = deps.withDefaults()
	if r, ok := runningDaemon(cfg); ok {
		res, err := r.AgentDigest(dryRun)
		if err != nil {
			return err
		}
		printAgentDigest(w, res, dryRun)
		return nil
	}
	d, err := openDigestDesk(cfg, deps, dryRun)
	if err != nil {
		return err
	}
	defer d.close(deps.Logger)
	res, err := d.sendAgentDigest(deps.Logger, dryRun)
	if err != nil {
		return err
	}
	printAgentDigest(w, res, dryRun)
	if dryRun || !res.Queued {
		return nil
	}
	_, err = d.sender.Drain(ctx)
	return err
}

// printAgentDigest shows the dry-run mails, or says which were queued.
func printAgentDigest(w io.Writer, res tickets.AgentDigestResult, dryRun bool) {
	if len(res.Mails) == 0 {
		fmt.Fprintln(w, "no agent has an open ticket assigned: no mail")
		return
	}
	for i, m := range res.Mails {
		if !dryRun {
			fmt.Fprintf(w, "queued to %s (queue %s): %d ticket(s)\n", m.Agent, m.Queue, m.Tickets)
			continue
		}
		if i > 0 {
			fmt.Fprintln(w)
		}
		fmt.Fprintf(w, "To: %s\nSubject: %s\n\n%s", m.Agent, m.Mail.Subject, m.Mail.Text)
	}
}

// sendAgentDigest queues the agents' morning mail (or, dryRun, only
// renders it).
func (d *desk) sendAgentDigest(log *slog.Logger, dryRun bool) (tickets.AgentDigestResult, error) {
	res, err := d.svc.AgentDigest(dryRun)
	if err != nil {
		log.Error("agent digest", "err", err)
		return res, err
	}
	if res.Queued {
		log.Info("agent digest queued", "mails", len(res.Mails))
	}
	return res, nil
}

// scheduleAgentDigest adds the agents' morning mail to the daemon's jobs.
func (d *desk) scheduleAgentDigest(c *cron.Cron, cfg *Config, log *slog.Logger) error {
	if cfg.AgentDigest == "" {
		return nil
	}
	if _, err := c.AddFunc(cfg.AgentDigest, func() { d.sendAgentDigest(log, false) }); err != nil {
		return fmt.Errorf("digest.agents: %w", err)
	}
	return nil
}
