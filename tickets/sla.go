package tickets

import (
	"context"
	"errors"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/ticketd/ticketd/templates"
	"github.com/ticketd/ticketd/tiers"
)

// The SLA clocks of a ticket are two tiers.Countdowns (first response,
// resolution) that restart whenever it enters a tier. The ticket is filed in
// the sla_due index under the earliest instant one of them needs attention
// (a warning or a breach), so a check reads only the tickets that are due.
// Every decision — warning, breach, escalation, alert — is taken, recorded
// on the ticket and its mails queued in the same transaction that refiles
// it: a crash or a second check never repeats or skips one.

// checkBatch bounds the tickets decided in one transaction of a check, so a
// burst of due tickets does not hold the write lock for long.
const checkBatch = 200

// CheckReport counts what one SLA check did.
type CheckReport struct {
	Tickets  int // tickets decided on
	Warnings int
	Alerts   int
	// Lifecycle steps taken.
	Reminders, AutoResolved, AutoClosed int
	// EscalatedTo lists each escalation (the tier it went to); Breached
	// each target missed (metrics count them by tier and type).
	EscalatedTo []Escalation
	Breached    []Breach
	// More is true when more tickets were due than one batch holds: call
	// CheckSLA again.
	More bool
}

// CheckSLA acts on up to one batch of tickets whose SLA needs attention at
// the current time: warnings at the configured fraction of a target,
// escalation to the next tier on a breach, an alert to the managers on a
// breach at the last tier. It reads the due index, so its cost follows the
// due tickets, and decides them all in one transaction. Report.More says
// that more are due.
func (s *Service) CheckSLA(ctx context.Context) (CheckReport, error) {
	if err := ctx.Err(); err != nil {
		return CheckReport{}, err
	}
	now := s.opts.Now()
	var rep CheckReport
	queued := 0
	err := s.store.update(func(tx *bolt.Tx) error {
		due, err := dueTickets(tx, now, checkBatch+1)
		if err != nil {
			return err
		}
		if len(due) > checkBatch {
			due, rep.More = due[:checkBatch], true
		}
		for _, key := range due {
			id := u64From(key[8:])
			a := applier{s: s, tx: tx, now: now}
			t, err := getTicket(tx, id)
			a.on(&t)
			if errors.Is(err, ErrNotFound) { // a dangling entry must not come back every check
				if err := dropDue(tx, key); err != nil {
					return err
				}
				continue
			}
			if err != nil {
				return err
			}
			before := rep.Actions()
			if err := a.checkTicket(&t, &rep); err != nil {
				return fmt.Errorf("ticket %d: %w", id, err)
			}
			if rep.Actions() > before {
				t.Updated = now // the digest reads the tickets updated in its period
			}
			next := a.nextCheck(&t)
			if !next.IsZero() && !next.After(now) {
				// Still due right after being checked: a decision that
				// cannot be taken now. Look again in a minute, so one such
				// ticket can never keep every check busy.
				next = now.Add(time.Minute)
			}
			if err := a.file(&t, next); err != nil {
				return err
			}
			rep.Tickets++
			queued += a.queued
		}
		return nil
	})
	if err != nil {
		return CheckReport{}, fmt.Errorf("sla check: %w", err)
	}
	if queued > 0 {
		s.Wake()
	}
	return rep, nil
}

// Escalations and Breaches count EscalatedTo and Breached.
func (r CheckReport) Escalations() int { return len(r.EscalatedTo) }
func (r CheckReport) Breaches() int    { return len(r.Breached) }

// Actions counts what the check did, every kind together.
func (r CheckReport) Actions() int {
	return r.Warnings + r.Breaches() + r.Escalations() + r.Alerts + r.Reminders + r.AutoResolved + r.AutoClosed
}

// Breach is one SLA target missed: "first_response" or "resolution", at
// Tier, by a ticket of Type in Queue (the queue's name).
type Breach struct {
	Clock string
	Tier  int
	Type  tiers.Type
	Queue string
}

// Escalation is one ticket of Type in Queue escalated to Tier by the SLA
// check.
type Escalation struct {
	Tier  int
	Type  tiers.Type
	Queue string
}

// checkTicket takes the lifecycle steps and SLA decisions due for t at a.now.
func (a *applier) checkTicket(t *Ticket, rep *CheckReport) error {
	if err := a.checkLifecycle(t, rep); err != nil {
		return err
	}
	type clock struct {
		c    *tiers.Countdown
		name string
		mark *Mark
	}
	for _, k := range []clock{{&t.SLA.FirstResponse, "first_response", &t.FirstResponseBreach}, {&t.SLA.Resolution, "resolution", &t.ResolutionBreach}} {
		switch {
		case k.c.BreachDue(a.now):
			k.c.Breached, k.c.Warned = true, true
			a.markBreach(t, k.mark)
			rep.Breached = append(rep.Breached, Breach{Clock: k.name, Tier: t.Tier, Type: a.s.typeOf(t), Queue: a.s.QueueName(t)})
			why := breachReason(k.name, k.c.Target, t.Tier)
			if err := addEvent(a.tx, Event{Ticket: t.ID, Time: a.now, Kind: EventSLABreach, Detail: why.String(), FromTier: t.Tier}); err != nil {
				return err
			}
			if err := logForDigest(a.tx, a.now, t.ID, markBreached); err != nil {
				return err
			}
			if t.Tier < a.policy(t).Last() {
				rep.EscalatedTo = append(rep.EscalatedTo, Escalation{Tier: t.Tier + 1, Type: a.s.typeOf(t), Queue: a.s.QueueName(t)})
				// The new tier's countdowns replace both of this tier's.
				return a.escalate(t, why, "")
			}
			rep.Alerts++
			if err := a.alertManagers(t, why); err != nil {
				return err
			}
		case k.c.WarnDue(a.now):
			k.c.Warned = true
			rep.Warnings++
			left := k.c.Due.Sub(a.now).Round(time.Second)
			why := reason{phrase: "reason_warning", clock: k.name, target: k.c.Target, left: left, tier: t.Tier}
			detail := fmt.Sprintf("%s target %s at tier %d will be breached at %s", k.name, k.c.Target, t.Tier,
				k.c.Due.In(a.s.location()).Format("2006-01-02 15:04"))
			if err := addEvent(a.tx, Event{Ticket: t.ID, Time: a.now, Kind: EventSLAWarning, Detail: detail, FromTier: t.Tier}); err != nil {
				return err
			}
			if err := a.notifyInternal(t, templates.SLAWarning, notice{reason: why, left: left, clock: k.name}); err != nil {
				return err
			}
		}
	}
	return nil
}

// enterTier moves t to level and starts that tier's countdowns at a.now
// (paused at once while the ticket waits on the requester).
func (a *applier) enterTier(t *Ticket, level int) {
	a.leaveTier(t)
	p := a.policy(t)
	t.Tier, t.TierSince = level, a.now
	target := a.tier(t).Target(a.s.typeOf(t), t.Priority)
	clock := p.Clock(t.Tier)
	t.SLA.FirstResponse.Start(a.now, target.FirstResponse, clock, p.WarnAt())
	t.SLA.Resolution.Start(a.now, target.Resolution, clock, p.WarnAt())
	if t.Status == StatusPending || t.Problem != 0 {
		a.slaFollowStatus(t)
	}
}

// slaFollowStatus pauses, resumes or stops the countdowns for t's status;
// an incident of an open problem keeps them paused (problems.go).
func (a *applier) slaFollowStatus(t *Ticket) {
	p := a.policy(t)
	clock := p.Clock(t.Tier)
	fr, res := &t.SLA.FirstResponse, &t.SLA.Resolution
	switch t.Status {
	case StatusPending:
		fr.Pause(a.now, clock)
		res.Pause(a.now, clock)
	case StatusResolved, StatusClosed:
		fr.Stop(a.now, clock)
		res.Stop(a.now, clock)
	default:
		fr.Resume(a.now, clock, p.WarnAt())
		if !res.Met.IsZero() { // reopened
			res.Reopen(a.now, clock, p.WarnAt())
		} else {
			res.Resume(a.now, clock, p.WarnAt())
		}
		if a.heldByProblem(t) {
			fr.Pause(a.now, clock)
			res.Pause(a.now, clock)
		}
	}
}

// responded stops the first-response countdown: an agent answered publicly.
func (a *applier) responded(t *Ticket) {
	t.SLA.FirstResponse.Stop(a.now, a.policy(t).Clock(t.Tier))
}

// setPriority changes t's priority and retargets its countdowns.
func (a *applier) setPriority(t *Ticket, pr tiers.Priority, actor string) error {
	if pr == t.Priority {
		return nil
	}
	ev := Event{Ticket: t.ID, Time: a.now, Kind: EventPriority, Actor: actor, Detail: fmt.Sprintf("%s → %s", or(string(t.Priority), "normal"), pr)}
	t.Priority = pr
	a.retarget(t)
	return addEvent(a.tx, ev)
}

// setType changes t's type and retargets its countdowns, as a priority
// change does: the new targets apply to the time already used.
func (a *applier) setType(t *Ticket, typ tiers.Type, actor string) error {
	from := a.s.typeOf(t)
	t.Type = typ
	if typ == from {
		return nil
	}
	a.retarget(t)
	return addEvent(a.tx, Event{Ticket: t.ID, Time: a.now, Kind: EventType, Actor: actor, Detail: fmt.Sprintf("%s → %s", from, typ)})
}

// retarget gives t's running countdowns the targets of its tier for its
// type and priority.
func (a *applier) retarget(t *Ticket) {
	p := a.policy(t)
	target := a.tier(t).Target(a.s.typeOf(t), t.Priority)
	clock := p.Clock(t.Tier)
	t.SLA.FirstResponse.Retarget(a.now, target.FirstResponse, clock, p.WarnAt())
	t.SLA.Resolution.Retarget(a.now, target.Resolution, clock, p.WarnAt())
}

// save writes t and files it in the SLA due index under its next check.
func (a *applier) save(t *Ticket) error { return a.file(t, a.nextCheck(t)) }

// file writes t filed in the SLA due index under next (zero: not filed).
func (a *applier) file(t *Ticket, next time.Time) error {
	if !next.Equal(t.NextCheck) {
		if err := refileDue(a.tx, t.ID, t.NextCheck, next); err != nil {
			return err
		}
		t.NextCheck = next
	}
	return putTicket(a.tx, t)
}

// nextCheck is the earliest instant one of t's countdowns or lifecycle
// timers needs attention; zero when none will.
func (a *applier) nextCheck(t *Ticket) time.Time {
	next := a.lifecycleNext(t)
	if t.Status == StatusClosed || t.Status == StatusResolved {
		return next
	}
	for _, c := range []*tiers.Countdown{&t.SLA.FirstResponse, &t.SLA.Resolution} {
		if at, ok := c.Next(); ok && (next.IsZero() || at.Before(next)) {
			next = at
		}
	}
	return next
}

// backfillSLA starts the clocks of open tickets stored before SLA clocks
// existed (schema 1), once, at their current tier from now, and files
// every ticket under its requester.
func (s *Service) backfillSLA() error {
	now := s.opts.Now()
	pending := false
	if err := s.store.view(func(tx *bolt.Tx) error {
		pending = slaBackfillPending(tx)
		return nil
	}); err != nil || !pending {
		return err // no write (a commit, two fsyncs) at every start
	}
	return s.store.update(func(tx *bolt.Tx) error {
		if !slaBackfillPending(tx) {
			return nil
		}
		var todo []Ticket
		err := forTickets(tx, func(t Ticket) error {
			if err := indexRequester(tx, t.Requester.Email, t.ID); err != nil {
				return err
			}
			if t.TierSince.IsZero() && t.Status != StatusClosed && t.Status != StatusResolved {
				todo = append(todo, t)
			}
			return nil
		})
		if err != nil {
			return err
		}
		for i := range todo {
			a := applier{s: s, tx: tx, now: now}
			t := &todo[i]
			if t.Priority == "" {
				t.Priority = tiers.PriorityNormal
			}
			a.enterTier(t, max(t.Tier, 1))
			if !t.FirstResponse.IsZero() {
				a.responded(t)
			}
			if err := a.save(t); err != nil {
				return err
			}
		}
		return slaBackfillDone(tx)
	})
}

func or(s, def string) string {
	if s == "" {
		return def
	}
	return s
}
