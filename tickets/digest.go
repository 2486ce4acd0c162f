package tickets

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/ticketd/ticketd/templates"
)

// ErrNoManagers is returned by Digest when no manager address is configured.
var ErrNoManagers = errors.New("no managers configured ([digest] managers)")

// digestOldest is how many of the oldest open tickets a digest lists.
const digestOldest = 5

// DigestResult is a digest as rendered, and whether it was queued.
type DigestResult struct {
	Since, Until time.Time
	Mail         templates.Rendered
	Queued       bool
}

// Digest builds the managers' digest for the time since the previous one
// (the last 24 hours for the first) and, unless dryRun, queues it to the
// managers and records its time in the same transaction, so the next
// digest starts where this one ended.
func (s *Service) Digest(dryRun bool) (DigestResult, error) {
	now := s.opts.Now()
	if !dryRun && len(s.opts.Managers) == 0 {
		return DigestResult{}, ErrNoManagers
	}
	var res DigestResult
	build := func(tx *bolt.Tx) error {
		since := now.Add(-24 * time.Hour)
		if v := tx.Bucket(bucketMeta).Get(keyLastDigest); len(v) == 8 {
			since = time.Unix(0, int64(binary.BigEndian.Uint64(v)))
		}
		d, err := s.digestData(tx, since, now)
		if err != nil {
			return err
		}
		r, err := s.opts.Templates.Render(s.opts.Language, templates.ManagerDigest, templates.Data{Desk: s.opts.Desk.Name, Digest: d})
		if err != nil {
			return fmt.Errorf("render digest: %w", err)
		}
		res = DigestResult{Since: since, Until: now, Mail: r}
		if dryRun {
			return nil
		}
		if err := s.queueDigest(tx, r, now); err != nil {
			return err
		}
		res.Queued = true
		return tx.Bucket(bucketMeta).Put(keyLastDigest, u64(uint64(now.UnixNano())))
	}
	var err error
	if dryRun {
		err = s.store.db.View(build)
	} else {
		err = s.store.db.Update(build)
	}
	if err != nil {
		return DigestResult{}, fmt.Errorf("digest: %w", err)
	}
	if res.Queued {
		s.signalQueued()
	}
	return res, nil
}

func (s *Service) queueDigest(tx *bolt.Tx, r templates.Rendered, now time.Time) error {
	m := Mail{Kind: templates.ManagerDigest, From: s.opts.Desk, To: addresses(s.opts.Managers), Subject: r.Subject, Text: r.Text, HTML: r.HTML,
		AutoSubmitted: "auto-generated", Queued: now, NextAttempt: now}
	return s.queueMail(tx, &m)
}

// queueMail puts a mail that belongs to no ticket (digests, status
// replies) in the outbox, with a new Message-ID.
func (s *Service) queueMail(tx *bolt.Tx, m *Mail) error {
	id, err := tx.Bucket(bucketOutbox).NextSequence()
	if err != nil {
		return err
	}
	msgID, err := s.newMessageID(0, id)
	if err != nil {
		return err
	}
	m.ID, m.MessageID = id, msgID
	if err := putOutbox(tx, m); err != nil {
		return err
	}
	return indexMsgID(tx, msgID, 0, dirSent)
}

// digestData gathers the figures of the period (since, until].
func (s *Service) digestData(tx *bolt.Tx, since, until time.Time) (*templates.Digest, error) {
	loc := s.location()
	d := &templates.Digest{
		From: since.In(loc).Format("2006-01-02 15:04"),
		To:   until.In(loc).Format("2006-01-02 15:04"),
	}
	// (since, until]: what happened at the very instant of a digest is in
	// it, and not again in the next one.
	in := func(t time.Time) bool { return t.After(since) && !t.After(until) }
	tiersList := s.opts.Policy.Tiers()
	backlog := make([]templates.BacklogRow, len(tiersList))
	for i, tier := range tiersList {
		backlog[i].Tier = tier.Name
	}
	escalatedTo := make([]int, len(tiersList)+1)
	var open []Ticket
	var firstResp, resolution []time.Duration
	ratings, ratingSum := 0, 0
	err := tx.Bucket(bucketTickets).ForEach(func(k, v []byte) error {
		var t Ticket
		if err := json.Unmarshal(v, &t); err != nil {
			return fmt.Errorf("ticket %x: %w", k, err)
		}
		if in(t.Created) {
			d.New++
		}
		switch t.Status {
		case StatusNew, StatusOpen, StatusPending:
			open = append(open, t)
			if i := t.Tier - 1; i >= 0 && i < len(backlog) {
				row := &backlog[i]
				row.Total++
				switch t.Status {
				case StatusNew:
					row.New++
				case StatusOpen:
					row.Open++
				default:
					row.Pending++
				}
			}
		}
		if in(t.FirstResponse) {
			firstResp = append(firstResp, t.FirstResponse.Sub(t.Created))
		}
		if !t.Updated.After(since) {
			return nil // nothing of it happened in the period
		}
		if t.Rating > 0 {
			ratings++
			ratingSum += t.Rating
		}
		return forEvents(tx, t.ID, func(e Event) {
			if !in(e.Time) {
				return
			}
			switch e.Kind {
			case EventEscalated:
				d.Escalated++
				if e.ToTier > 0 && e.ToTier < len(escalatedTo) {
					escalatedTo[e.ToTier]++
				}
				d.EscalatedTickets = appendLine(d.EscalatedTickets, s.ticketLine(&t, until))
			case EventSLABreach:
				d.Breaches++
				d.BreachedTickets = appendLine(d.BreachedTickets, s.ticketLine(&t, until))
			case EventStatus:
				if e.To == StatusResolved {
					d.Resolved++
					resolution = append(resolution, e.Time.Sub(t.Created))
				}
			}
		})
	})
	if err != nil {
		return nil, err
	}
	for level := 2; level < len(escalatedTo); level++ {
		if escalatedTo[level] > 0 {
			d.EscalatedByTier = append(d.EscalatedByTier, templates.Count{Label: tiersList[level-1].Name, N: escalatedTo[level]})
		}
	}
	most := 0
	for _, r := range backlog {
		most = max(most, r.Total)
		d.Open += r.Total
	}
	for i := range backlog {
		if most > 0 {
			backlog[i].Bar = (backlog[i].Total*barWidth + most - 1) / most
		}
	}
	d.Backlog = backlog
	sort.Slice(open, func(i, j int) bool { return open[i].Created.Before(open[j].Created) })
	for _, t := range open[:min(len(open), digestOldest)] {
		d.Oldest = append(d.Oldest, s.ticketLine(&t, until))
	}
	d.MedianFirstResponse = humanDuration(median(firstResp))
	d.MedianResolution = humanDuration(median(resolution))
	if ratings > 0 {
		d.Satisfaction = fmt.Sprintf("%.1f / 5 (%d)", float64(ratingSum)/float64(ratings), ratings)
	}
	d.Empty = d.New == 0 && d.Resolved == 0 && d.Escalated == 0 && d.Breaches == 0 && d.Open == 0
	return d, nil
}

// barWidth is the length of the longest backlog bar, in characters (text)
// and tens of pixels (HTML).
const barWidth = 30

func appendLine(lines []templates.TicketLine, l templates.TicketLine) []templates.TicketLine {
	if len(lines) > 0 && lines[len(lines)-1].Ticket == l.Ticket {
		return lines // one line per ticket, however often it happened
	}
	return append(lines, l)
}

func (s *Service) ticketLine(t *Ticket, now time.Time) templates.TicketLine {
	return templates.TicketLine{
		Ticket: t.ID, Token: s.token.format(t.ID), Subject: t.Subject, Status: string(t.Status),
		Tier: t.Tier, Priority: or(string(t.Priority), "normal"), Age: humanDuration(now.Sub(t.Created)),
	}
}

// median returns the median of ds, 0 for none.
func median(ds []time.Duration) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	ds = slices.Clone(ds)
	slices.Sort(ds)
	n := len(ds)
	if n%2 == 1 {
		return ds[n/2]
	}
	return (ds[n/2-1] + ds[n/2]) / 2
}

// humanDuration writes d for people, the same in Spanish and English:
// "2 d 3 h", "2 h 30 min", "45 s"; "" for 0.
func humanDuration(d time.Duration) string {
	if d <= 0 {
		return ""
	}
	if d < time.Minute {
		return fmt.Sprintf("%d s", int(d.Round(time.Second).Seconds()))
	}
	d = d.Round(time.Minute)
	days, d := d/(24*time.Hour), d%(24*time.Hour)
	hours, mins := d/time.Hour, (d%time.Hour)/time.Minute
	var parts []string
	if days > 0 {
		parts = append(parts, fmt.Sprintf("%d d", days))
	}
	if hours > 0 {
		parts = append(parts, fmt.Sprintf("%d h", hours))
	}
	if mins > 0 && days == 0 {
		parts = append(parts, fmt.Sprintf("%d min", mins))
	}
	return strings.Join(parts, " ")
}
