package tickets

import (
	"time"

	"github.com/ticketd/ticketd/tiers"
)

// The workflow records the reports' facts on the ticket when they happen
// (Ticket.Answered, Resolved, Reopened, the breaches, ...), measured on
// the clock of the tier the ticket is at, so the aggregates (aggregate.go)
// are a function of the stored ticket and never of the configuration of
// the day they are rebuilt.

// counted is the time countdown c of t's current tier has counted by now.
func (a *applier) counted(t *Ticket, c *tiers.Countdown) time.Duration {
	used := c.Used
	if c.Running() {
		used += a.policy(t).Clock(t.Tier).Elapsed(c.Since, a.now)
	}
	return used
}

// leaveTier adds what the current tier's countdowns counted to
// t.PriorWork, before enterTier restarts them.
func (a *applier) leaveTier(t *Ticket) {
	if t.TierSince.IsZero() {
		return // not yet at a tier: a new ticket
	}
	t.PriorWork.FirstResponse += a.counted(t, &t.SLA.FirstResponse)
	t.PriorWork.Resolution += a.counted(t, &t.SLA.Resolution)
}

// markAnswered records agent's public answer: the first one is the
// ticket's first response; one the tier answers after its target ran out
// (before a check noticed) is a breach.
func (a *applier) markAnswered(t *Ticket, agent string, tier int) {
	if !t.Answered.At.IsZero() {
		return
	}
	fr := &t.SLA.FirstResponse
	used := a.counted(t, fr)
	t.Answered = Mark{At: a.now, Tier: tier, Agent: agent, Work: t.PriorWork.FirstResponse + used}
	if fr.Target > 0 && used > fr.Target {
		a.markBreach(t, &t.FirstResponseBreach)
	}
}

// markBreach records the first breach of a target (sticky across tiers).
func (a *applier) markBreach(t *Ticket, m *Mark) {
	if m.At.IsZero() {
		*m = Mark{At: a.now, Tier: t.Tier}
	}
}

// markStatus records what a status change from → t.Status means for the
// reports: a resolution, a reopening, the end of the open stretch.
func (a *applier) markStatus(t *Ticket, from Status, actor string) {
	open := func(s Status) bool { return s == StatusNew || s == StatusOpen || s == StatusPending }
	switch {
	case open(from) && !open(t.Status):
		t.DoneAt = a.now
	case !open(from) && open(t.Status):
		t.Reopened = append(t.Reopened, Mark{At: a.now, Tier: t.Tier, Agent: agentOrNone(a, t, actor)})
		t.Resolved = Mark{}
		return
	}
	if t.Status == StatusResolved && from != StatusResolved {
		res := &t.SLA.Resolution
		used := a.counted(t, res)
		t.Resolved = Mark{At: a.now, Tier: t.Tier, Agent: agentOrNone(a, t, actor), Work: t.PriorWork.Resolution + used}
		if res.Target > 0 && used > res.Target {
			a.markBreach(t, &t.ResolutionBreach)
		}
	}
}

// agentOrNone is actor when an agent of t's desk, else "": the requester
// and ticketd are nobody's figures.
func agentOrNone(a *applier, t *Ticket, actor string) string {
	if actor == "" || actor == t.Requester.Email || !a.policy(t).IsAgent(actor) {
		return ""
	}
	return actor
}
