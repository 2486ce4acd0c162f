package tiers

import "time"

// Countdown is one service-level clock of a ticket at its tier: first
// response or resolution. It counts time on a Clock toward Target, pauses
// (waiting on the requester) and resumes, and remembers whether its warning
// and its breach have been acted on, so a restart never repeats them.
//
// The zero Countdown is stopped and never due.
type Countdown struct {
	Target time.Duration `json:"target,omitempty"`
	// Used is the counted time before Since.
	Used time.Duration `json:"used,omitempty"`
	// Since is when the running stretch began; zero while paused or stopped.
	Since time.Time `json:"since,omitzero"`
	// WarnAt and Due are the instants of the warning and the breach while
	// running; zero otherwise.
	WarnAt   time.Time `json:"warn_at,omitzero"`
	Due      time.Time `json:"due,omitzero"`
	Warned   bool      `json:"warned,omitempty"`
	Breached bool      `json:"breached,omitempty"`
	// Met is when the target was achieved (the clock then stops for good).
	Met time.Time `json:"met,omitzero"`
}

// Start begins a new countdown of target at now.
func (c *Countdown) Start(now time.Time, target time.Duration, clock Clock, warnAt float64) {
	*c = Countdown{Target: target}
	c.Resume(now, clock, warnAt)
}

// Running reports whether the countdown is counting.
func (c *Countdown) Running() bool { return !c.Since.IsZero() }

// Pause stops counting at now, keeping the time used.
func (c *Countdown) Pause(now time.Time, clock Clock) {
	if !c.Running() {
		return
	}
	c.Used += clock.Elapsed(c.Since, now)
	c.Since, c.WarnAt, c.Due = time.Time{}, time.Time{}, time.Time{}
}

// Resume counts again from now (no-op when running, met or never started).
func (c *Countdown) Resume(now time.Time, clock Clock, warnAt float64) {
	if c.Running() || !c.Met.IsZero() || c.Target <= 0 {
		return
	}
	c.Since = now
	c.schedule(clock, warnAt)
}

// Retarget changes the target (a new priority), keeping the time used.
func (c *Countdown) Retarget(now time.Time, target time.Duration, clock Clock, warnAt float64) {
	if !c.Met.IsZero() {
		return
	}
	running := c.Running()
	c.Pause(now, clock)
	c.Target = target
	// A longer target earns a new warning and breach; a shorter one that
	// is already exceeded breaches at once (Due ≤ now).
	if c.Used < target {
		c.Breached = false
		if warnAt > 0 && float64(c.Used) < warnAt*float64(target) {
			c.Warned = false
		}
	}
	if running {
		c.Resume(now, clock, warnAt)
	}
}

// Stop ends the countdown because its target was met at now.
func (c *Countdown) Stop(now time.Time, clock Clock) {
	if !c.Met.IsZero() || c.Target <= 0 {
		return
	}
	c.Pause(now, clock)
	c.Met = now
}

// Reopen lets a met countdown run again from now (a resolved ticket that
// the requester reopened), keeping the time already used.
func (c *Countdown) Reopen(now time.Time, clock Clock, warnAt float64) {
	c.Met = time.Time{}
	c.Resume(now, clock, warnAt)
}

func (c *Countdown) schedule(clock Clock, warnAt float64) {
	c.Due = clock.Add(c.Since, c.Target-c.Used)
	c.WarnAt = time.Time{}
	if warnAt > 0 {
		if w := time.Duration(warnAt * float64(c.Target)); w > c.Used {
			c.WarnAt = clock.Add(c.Since, w-c.Used)
		}
	}
}

// Next returns when the countdown next needs attention (its warning or its
// breach, whichever is not yet acted on); false when never.
func (c *Countdown) Next() (time.Time, bool) {
	if !c.Running() || c.Breached {
		return time.Time{}, false
	}
	if !c.Warned && !c.WarnAt.IsZero() && c.WarnAt.Before(c.Due) {
		return c.WarnAt, true
	}
	return c.Due, true
}

// WarnDue reports whether the warning is due at now and not yet given.
func (c *Countdown) WarnDue(now time.Time) bool {
	return c.Running() && !c.Warned && !c.Breached && !c.WarnAt.IsZero() && !now.Before(c.WarnAt) && now.Before(c.Due)
}

// BreachDue reports whether the target is breached at now and not yet acted on.
func (c *Countdown) BreachDue(now time.Time) bool {
	return c.Running() && !c.Breached && !now.Before(c.Due)
}
