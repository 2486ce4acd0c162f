package main

import (
	"context"
	"io"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/ticketd/ticketd/mailin"
	"github.com/ticketd/ticketd/mailout"
	"github.com/ticketd/ticketd/metrics"
	"github.com/ticketd/ticketd/tickets"
	"github.com/ticketd/ticketd/tiers"
)

// configLogger is the daemon's logger as log_level and log_format say,
// over a logWriter (logwriter.go): call flushLog (desk.close does)
// before the command ends.
func configLogger(w io.Writer, cfg *Config) *slog.Logger {
	var l slog.Level
	_ = l.UnmarshalText([]byte(cfg.LogLevel)) // validated by LoadConfig
	opts := &slog.HandlerOptions{Level: l}
	handler := func(w io.Writer) slog.Handler { return slog.NewTextHandler(w, opts) }
	if cfg.Admin.LogFormat == "json" {
		handler = func(w io.Writer) slog.Handler { return slog.NewJSONHandler(w, opts) }
	}
	lw := newLogWriter(w)
	return slog.New(&logHandler{now: handler(lw), held: handler(holdingWriter{lw}), w: lw})
}

// newMetrics returns the daemon's metrics, reading the gauges from store's
// counters, so a scrape costs the same at any number of tickets (tickets
// labelled with cfg's queue names; tickets stored before types existed
// count as their queue's default type).
func newMetrics(store *tickets.Store, cfg *Config) *metrics.Metrics {
	return metrics.New(func() (metrics.Snapshot, error) {
		st, err := store.Stats()
		if err != nil {
			return metrics.Snapshot{}, err
		}
		st.DefaultTypes(cfg.queueDefaultType)
		snap := metrics.Snapshot{Outbox: st.Outbox, Failed: st.Failed}
		snap.Tickets = ticketCounts(cfg, st.Counts)
		for _, r := range st.ByType {
			snap.Times = append(snap.Times, metrics.Times{Type: string(r.Type),
				FirstResponseSummary: summaryOf(r.FirstResponseTimes), ResolutionSummary: summaryOf(r.ResolutionTimes)})
		}
		return snap, nil
	})
}

// summaryOf is a summary of the figures of the counters' histograms (the
// sum is N × the mean, whole seconds).
func summaryOf(d tickets.DurationFigures) *metrics.Summary {
	return &metrics.Summary{Count: uint64(d.N), Sum: d.Mean.Seconds() * float64(d.N), Median: d.Median.Seconds(), P90: d.P90.Seconds()}
}

// queueDefaultType is the type of the untyped tickets (stored before
// types existed) of the queue a ticket's stored Queue names.
func (c *Config) queueDefaultType(stored string) tiers.Type {
	for _, q := range c.Queues {
		if strings.EqualFold(q.Name, stored) {
			return q.Intake.Default()
		}
	}
	return c.Intake.Default()
}

// ticketCounts labels counts with queue names, adding up the counts that
// land on the same labels: tickets of a queue the configuration no longer
// has count as the default queue's, and two const metrics with the same
// labels would fail the whole scrape.
func ticketCounts(cfg *Config, counts []tickets.Count) []metrics.TicketCount {
	var out []metrics.TicketCount
	at := map[metrics.TicketCount]int{} // labels (N 0) → index in out
	for _, c := range counts {
		k := metrics.TicketCount{Queue: cfg.queueName(c.Queue), Status: string(c.Status), Tier: c.Tier, Type: string(c.Type)}
		if i, ok := at[k]; ok {
			out[i].N += c.N
			continue
		}
		at[k] = len(out)
		k.N = c.N
		out = append(out, k)
	}
	return out
}

// typeNames are the ticket types, as the metrics label them.
func typeNames() []string {
	var out []string
	for _, t := range tiers.Types {
		out = append(out, string(t))
	}
	return out
}

// queueLadders lists the tier levels of each queue's ladder, by queue
// name, for the series that start at zero (metrics.Known).
func queueLadders(cfg *Config) map[string][]int {
	levels := func(p *tiers.Policy) []int {
		var l []int
		for _, t := range p.Tiers() {
			l = append(l, t.Level)
		}
		return l
	}
	ladders := map[string][]int{cfg.QueueName: levels(cfg.Policy)}
	for _, q := range cfg.Queues {
		ladders[q.Name] = levels(q.Policy) // every queue has its own (loadQueues)
	}
	return ladders
}

// observePasses reports every mail pass of p to m.
func observePasses(p *mailin.Poller, m *metrics.Metrics, now func() time.Time) {
	p.Observe(func(st mailin.Stats, err error) {
		m.PassDone(metrics.Pass{Fetched: st.Fetched, Applied: st.Applied, Duplicates: st.Duplicates,
			Ignored: st.Ignored, Failed: st.Failed}, err, now())
	})
}

// countingApplier counts the outcome of every applied message.
type countingApplier struct {
	mailin.Applier
	m *metrics.Metrics
}

func (a countingApplier) Apply(ctx context.Context, msgs []tickets.Inbound) ([]tickets.Result, error) {
	res, err := a.Applier.Apply(ctx, msgs)
	if err == nil {
		for _, r := range res {
			a.m.Applied(string(r.Outcome))
			if r.Spam != "" { // "": filed as spam before, counted then
				a.m.Spam(string(r.Spam))
			}
		}
	}
	return res, err
}

var _ mailin.Preparer = countingApplier{}

// Prepare hands mailin's parse workers on to the wrapped applier when it
// can prepare (mailin.Preparer): the embedded interface alone would hide
// the service's Prepare, and every message's preparation would fall back
// into the serial transaction.
func (a countingApplier) Prepare(m *tickets.Inbound) {
	if p, ok := a.Applier.(mailin.Preparer); ok {
		p.Prepare(m)
	}
}

// countingQueue counts deliveries and failed attempts by mail kind. It
// remembers the kind of each mail it handed out until its outcome comes.
type countingQueue struct {
	*tickets.Store
	m     *metrics.Metrics
	mu    sync.Mutex
	kinds map[uint64]string
}

var _ mailout.Queue = (*countingQueue)(nil)

func newCountingQueue(s *tickets.Store, m *metrics.Metrics) *countingQueue {
	return &countingQueue{Store: s, m: m, kinds: make(map[uint64]string)}
}

func (q *countingQueue) DueMail(now time.Time, limit int) ([]tickets.Mail, error) {
	ms, err := q.Store.DueMail(now, limit)
	q.mu.Lock()
	for _, m := range ms {
		q.kinds[m.ID] = string(m.Kind)
	}
	q.mu.Unlock()
	return ms, err
}

// kind returns and forgets the kind of mail id.
func (q *countingQueue) kind(id uint64) string {
	q.mu.Lock()
	defer q.mu.Unlock()
	k, ok := q.kinds[id]
	if !ok {
		return "unknown"
	}
	delete(q.kinds, id)
	return k
}

// MarkSent counts a mail once it left the outbox: all its recipients
// settled (a mail split into several transactions counts once).
func (q *countingQueue) MarkSent(ds []tickets.Delivery) ([]uint64, error) {
	done, err := q.Store.MarkSent(ds)
	if err != nil {
		return nil, err
	}
	for _, id := range done {
		q.m.Sent(q.kind(id))
	}
	return done, nil
}

// LogSent is MarkSent through the store's delivery log (mailout.DeliveryLog).
func (q *countingQueue) LogSent(ds []tickets.Delivery) ([]uint64, error) {
	done, err := q.Store.LogSent(ds)
	if err != nil {
		return nil, err
	}
	for _, id := range done {
		q.m.Sent(q.kind(id))
	}
	return done, nil
}

func (q *countingQueue) MarkRetry(id uint64, next time.Time, errText string) error {
	if err := q.Store.MarkRetry(id, next, errText); err != nil {
		return err
	}
	q.m.SendFailed(q.kind(id), false)
	return nil
}

func (q *countingQueue) MarkFailed(id uint64, now time.Time, reason string) error {
	if err := q.Store.MarkFailed(id, now, reason); err != nil {
		return err
	}
	q.m.SendFailed(q.kind(id), true)
	return nil
}
