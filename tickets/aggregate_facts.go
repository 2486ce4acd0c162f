package tickets

import (
	"strconv"
	"time"
)

// The facts a ticket and its events contribute to the reports (the rules
// are in aggregate.go's doc). Both report implementations start here.

// class is what groups every fact of a ticket alike: its current queue,
// type, category and priority.
type class struct {
	queue, typ, category, priority string
}

// durKind says which duration histogram a fact feeds.
type durKind uint8

const (
	durNone durKind = iota
	durFirstResponse
	durResolution
)

// fact is one counted thing: at (unix seconds), by tier and agent,
// adding one to counter c (unless noCounter) and secs to dur's histogram.
type fact struct {
	at    int64
	tier  int
	agent string
	c     counter
	dur   durKind
	secs  int64
}

const noCounter counter = -1

// span is the stretch a ticket was open: from start until end (unix
// seconds; 0 while still open), counted at tier.
type span struct {
	start, end int64
	tier       int
}

func unixOf(t time.Time) int64 { return t.Unix() }

func secsOf(d time.Duration) int64 { return max(int64(d/time.Second), 0) }

// classOf is t's class.
func classOf(t *Ticket) class {
	return class{queue: t.Queue, typ: string(t.Type), category: t.Category, priority: string(t.Priority)}
}

// ticketFacts returns what t counts for; ok is false for a ticket that
// counts nowhere (closed as spam).
func ticketFacts(t *Ticket) (facts []fact, sp span, ok bool) {
	if t.CloseReason == CloseSpam || t.Created.IsZero() {
		return nil, span{}, false
	}
	legacy := t.OpenedTier == 0
	opened := t.OpenedTier
	if legacy {
		opened = 1
	}
	facts = append(facts, fact{at: unixOf(t.Created), tier: opened, c: cOpened})
	for _, m := range t.Reopened {
		facts = append(facts, fact{at: unixOf(m.At), tier: m.Tier, agent: m.Agent, c: cReopened})
	}
	answered, resolved := t.Answered, t.Resolved
	done := t.Status == StatusResolved || t.Status == StatusClosed
	if legacy {
		if answered.At.IsZero() && !t.FirstResponse.IsZero() {
			answered = Mark{At: t.FirstResponse, Work: t.FirstResponse.Sub(t.Created)}
		}
		if resolved.At.IsZero() && !t.ResolvedAt.IsZero() && done {
			resolved = Mark{At: t.ResolvedAt, Work: t.ResolvedAt.Sub(t.Created)}
		}
	}
	if !answered.At.IsZero() {
		facts = append(facts, fact{at: unixOf(answered.At), tier: answered.Tier, agent: answered.Agent, c: noCounter,
			dur: durFirstResponse, secs: secsOf(answered.Work)})
	}
	if !resolved.At.IsZero() {
		facts = append(facts, fact{at: unixOf(resolved.At), tier: resolved.Tier, agent: resolved.Agent, c: cResolved,
			dur: durResolution, secs: secsOf(resolved.Work)})
	}
	// SLA: a breach, else met when the target was reached.
	if b := t.FirstResponseBreach; !b.At.IsZero() {
		facts = append(facts, fact{at: unixOf(b.At), tier: b.Tier, c: cFRBreached})
	} else if !answered.At.IsZero() {
		facts = append(facts, fact{at: unixOf(answered.At), tier: answered.Tier, agent: answered.Agent, c: cFRMet})
	}
	if b := t.ResolutionBreach; !b.At.IsZero() {
		facts = append(facts, fact{at: unixOf(b.At), tier: b.Tier, c: cResBreached})
	} else if !resolved.At.IsZero() {
		facts = append(facts, fact{at: unixOf(resolved.At), tier: resolved.Tier, agent: resolved.Agent, c: cResMet})
	}
	if t.Rating >= 1 && t.Rating <= 5 {
		rated := t.Rated
		if rated.At.IsZero() && legacy {
			rated = Mark{At: t.ResolvedAt}
		}
		if !rated.At.IsZero() {
			facts = append(facts, fact{at: unixOf(rated.At), tier: rated.Tier, agent: rated.Agent, c: cRating1 + counter(t.Rating-1)})
		}
	}
	sp = span{start: unixOf(t.Created), tier: t.Tier}
	if done {
		end := t.DoneAt
		if end.IsZero() { // stored before DoneAt
			end = t.ResolvedAt
			if end.IsZero() || t.Status == StatusClosed && t.ResolvedAt.Before(t.Created) {
				end = t.Updated
			}
		}
		sp.end = max(unixOf(end), sp.start)
	}
	return facts, sp, true
}

// eventFact returns what e counts for: an agent's answer, an escalation.
func eventFact(e *Event) (fact, bool) {
	if e.MergedFrom != 0 {
		return fact{}, false // counted on the ticket it happened on
	}
	switch {
	case e.Kind == EventAnswer && e.Actor != "":
		return fact{at: unixOf(e.Time), tier: e.FromTier, agent: e.Actor, c: cAnswers}, true
	case e.Kind == EventEscalated && e.ToTier > e.FromTier:
		return fact{at: unixOf(e.Time), tier: e.FromTier, agent: e.Actor, c: cEscalated}, true
	}
	return fact{}, false
}

// add counts f in a.
func (a *acc) add(f *fact, n int64) {
	if f.c != noCounter {
		a.n[f.c] += n
	}
	switch f.dur {
	case durFirstResponse:
		a.fr.add(f.secs, n)
	case durResolution:
		a.res.add(f.secs, n)
	}
}

// dimValue is the group value of dim d for a fact of class cl at tier
// and agent, at unix second at.
func dimValue(d Dim, cl *class, tier int, agent string, at int64, loc *time.Location) string {
	switch d {
	case DimTier:
		if tier == 0 {
			return ""
		}
		return strconv.Itoa(tier)
	case DimAgent:
		return agent
	case DimQueue:
		return cl.queue
	case DimType:
		return cl.typ
	case DimCategory:
		return cl.category
	case DimPriority:
		return cl.priority
	}
	return periodOf(d, time.Unix(at, 0), loc)
}
