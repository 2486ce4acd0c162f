// Package metrics holds ticketd's Prometheus metrics: one registry, the
// counters every part of ticketd reports to, and the gauges read from the
// database when scraped.
//
// It is a leaf package (it imports nothing of ticketd), so any package may
// report to it; all methods are safe on a nil *Metrics, which records
// nothing, so callers need no "if m != nil".
package metrics

import (
	"net/http"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Pass is what one mail pass did, as mailin.Stats reports it.
type Pass struct {
	Fetched, Applied, Duplicates, Ignored, Failed int
}

// TicketCount is how many tickets of one queue and one type have one
// status at one tier.
type TicketCount struct {
	Queue  string // the queue's name
	Status string
	Tier   int
	N      int
	Type   string
}

// Times are the first-response and resolution times of the tickets of
// one type that have them, in seconds (any order), or their summaries
// when already summed up (then the values are not read).
type Times struct {
	Type                                    string
	FirstResponse, Resolution               []float64
	FirstResponseSummary, ResolutionSummary *Summary
}

// Summary is a set of times summed up: count, sum, median and 90th
// percentile, in seconds.
type Summary struct {
	Count            uint64
	Sum, Median, P90 float64
}

// Snapshot is what the database holds when scraped.
type Snapshot struct {
	Tickets []TicketCount
	Times   []Times
	Outbox  int // mails waiting for delivery
	Failed  int // mails given up on
}

// Metrics is ticketd's set of metrics.
type Metrics struct {
	reg *prometheus.Registry

	fetched     prometheus.Counter
	applied     *prometheus.CounterVec
	failedMsgs  prometheus.Counter
	passes      *prometheus.CounterVec
	imapErrors  prometheus.Counter
	lastPoll    prometheus.Gauge
	sent        *prometheus.CounterVec
	sendFails   *prometheus.CounterVec
	smtpErrors  prometheus.Counter
	escalations *prometheus.CounterVec
	breaches    *prometheus.CounterVec
	limitHits   *prometheus.CounterVec
	spam        *prometheus.CounterVec
	// Login failures (auth.go).
	authFailing *prometheus.GaugeVec
	authStreaks *prometheus.CounterVec

	mu          sync.Mutex
	lastSuccess time.Time
}

// New returns metrics registered in a fresh registry, with Go runtime and
// process metrics. snapshot, when not nil, is called on every scrape for
// the ticket and outbox gauges.
func New(snapshot func() (Snapshot, error)) *Metrics {
	m := &Metrics{reg: prometheus.NewRegistry()}
	f := factory{m.reg}
	m.fetched = f.counter("ticketd_messages_fetched_total", "Messages fetched from the IMAP mailbox.")
	m.applied = f.counterVec("ticketd_messages_applied_total", "Messages applied to tickets, by outcome (created, appended, duplicate, ignored, spam).", "outcome")
	m.failedMsgs = f.counter("ticketd_messages_failed_total", "Messages set aside in the failed mailbox (unparseable, oversize, refused).")
	m.passes = f.counterVec("ticketd_mail_passes_total", "IMAP mail passes, by result (ok, error).", "result")
	m.imapErrors = f.counter("ticketd_imap_errors_total", "Mail passes that failed with an IMAP or store error.")
	m.lastPoll = f.gauge("ticketd_last_successful_poll_timestamp_seconds", "Unix time of the last mail pass that succeeded.")
	m.sent = f.counterVec("ticketd_mails_sent_total", "Outgoing mails the SMTP server accepted, by template kind.", "kind")
	m.sendFails = f.counterVec("ticketd_mail_send_failures_total", "Failed delivery attempts, by template kind and whether they are permanent (true) or will be retried (false).", "kind", "permanent")
	m.smtpErrors = f.counter("ticketd_smtp_errors_total", "Delivery attempts that failed (connection, TLS, AUTH or SMTP replies).")
	m.escalations = f.counterVec("ticketd_escalations_total", "Tickets escalated, by queue, the tier they went to and ticket type.", "queue", "tier", "type")
	m.breaches = f.counterVec("ticketd_sla_breaches_total", "SLA targets breached, by queue, target (first_response, resolution), tier and ticket type.", "queue", "target", "tier", "type")
	m.limitHits = f.counterVec("ticketd_limit_hits_total", "Times a configured cap ([limits]) was reached, by limit.", "limit")
	m.spam = f.counterVec("ticketd_spam_total", "Messages kept out as spam (set aside in the spam mailbox), by reason (flag, score, dmarc, blocked).", "reason")
	for _, r := range SpamReasons {
		m.spam.WithLabelValues(r) // every reason scraped from the start, at 0
	}
	m.registerAuth(f)
	// The root package's collectors are the very ones package collectors
	// wraps (it calls these two, same options, same series), deprecated
	// only in favour of that wrapper; importing it would also link
	// database/sql and run its regexps' init in every command (~0.2 ms).
	//nolint:staticcheck // SA1019: see above.
	m.reg.MustRegister(prometheus.NewGoCollector(), prometheus.NewProcessCollector(prometheus.ProcessCollectorOpts{}))
	if snapshot != nil {
		m.reg.MustRegister(&dbCollector{snapshot: snapshot})
	}
	return m
}

type factory struct{ reg *prometheus.Registry }

func (f factory) counter(name, help string) prometheus.Counter {
	c := prometheus.NewCounter(prometheus.CounterOpts{Name: name, Help: help})
	f.reg.MustRegister(c)
	return c
}

func (f factory) counterVec(name, help string, labels ...string) *prometheus.CounterVec {
	c := prometheus.NewCounterVec(prometheus.CounterOpts{Name: name, Help: help}, labels)
	f.reg.MustRegister(c)
	return c
}

func (f factory) gauge(name, help string) prometheus.Gauge {
	g := prometheus.NewGauge(prometheus.GaugeOpts{Name: name, Help: help})
	f.reg.MustRegister(g)
	return g
}

// Handler serves the metrics in the Prometheus exposition format.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{})
}

// Registry is the registry the metrics live in.
func (m *Metrics) Registry() *prometheus.Registry { return m.reg }

// PassDone records one mail pass that ended at end; err is its error (nil:
// it succeeded).
func (m *Metrics) PassDone(p Pass, err error, end time.Time) {
	if m == nil {
		return
	}
	m.fetched.Add(float64(p.Fetched))
	m.failedMsgs.Add(float64(p.Failed))
	if err != nil {
		m.passes.WithLabelValues("error").Inc()
		m.imapErrors.Inc()
		return
	}
	m.passes.WithLabelValues("ok").Inc()
	m.lastPoll.Set(float64(end.UnixNano()) / 1e9)
	m.mu.Lock()
	m.lastSuccess = end
	m.mu.Unlock()
}

// LastSuccessfulPass is when the last mail pass succeeded; zero before.
func (m *Metrics) LastSuccessfulPass() time.Time {
	if m == nil {
		return time.Time{}
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.lastSuccess
}

// Applied records one message applied with outcome.
func (m *Metrics) Applied(outcome string) {
	if m == nil {
		return
	}
	m.applied.WithLabelValues(outcome).Inc()
}

// SpamReasons are the reasons Spam is given (tickets.SpamReason).
var SpamReasons = []string{"flag", "score", "dmarc", "blocked"}

// Spam records one message kept out as spam, and why.
func (m *Metrics) Spam(reason string) {
	if m == nil {
		return
	}
	m.spam.WithLabelValues(reason).Inc()
}

// Sent records one mail of kind accepted by the SMTP server.
func (m *Metrics) Sent(kind string) {
	if m == nil {
		return
	}
	m.sent.WithLabelValues(kind).Inc()
}

// SendFailed records one failed delivery attempt of a mail of kind.
func (m *Metrics) SendFailed(kind string, permanent bool) {
	if m == nil {
		return
	}
	m.sendFails.WithLabelValues(kind, strconv.FormatBool(permanent)).Inc()
	m.smtpErrors.Inc()
}

// LimitHit records one hit of the cap named limit (a [limits] key).
func (m *Metrics) LimitHit(limit string) {
	if m == nil {
		return
	}
	m.limitHits.WithLabelValues(limit).Inc()
}

// Escalated records one ticket of type typ in queue escalated to tier.
// For the SLA code.
func (m *Metrics) Escalated(queue string, tier int, typ string) {
	if m == nil {
		return
	}
	m.escalations.WithLabelValues(queue, strconv.Itoa(tier), typ).Inc()
}

// SLABreached records one SLA target ("first_response", "resolution")
// breached at tier by a ticket of type typ in queue. For the SLA code.
func (m *Metrics) SLABreached(queue, target string, tier int, typ string) {
	if m == nil {
		return
	}
	m.breaches.WithLabelValues(queue, target, strconv.Itoa(tier), typ).Inc()
}

// dbCollector reads the gauges from the database on each scrape, so they
// are never stale and cost nothing between scrapes.
type dbCollector struct {
	snapshot func() (Snapshot, error)
}

var (
	ticketsDesc = prometheus.NewDesc("ticketd_tickets", "Tickets by queue, status, tier and type.", []string{"queue", "status", "tier", "type"}, nil)
	firstDesc   = prometheus.NewDesc("ticketd_first_response_seconds", "Time from a ticket's opening to its first public answer, by ticket type (tickets answered so far).", []string{"type"}, nil)
	resolveDesc = prometheus.NewDesc("ticketd_resolution_seconds", "Time from a ticket's opening to its resolution, by ticket type (tickets resolved or closed after a resolution).", []string{"type"}, nil)
	outboxDesc  = prometheus.NewDesc("ticketd_outbox_depth", "Mails waiting in the outbox for delivery.", nil, nil)
	failedDesc  = prometheus.NewDesc("ticketd_outbox_failed", "Mails given up on (see ticketd outbox).", nil, nil)
)

func (c *dbCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- ticketsDesc
	ch <- firstDesc
	ch <- resolveDesc
	ch <- outboxDesc
	ch <- failedDesc
}

func (c *dbCollector) Collect(ch chan<- prometheus.Metric) {
	s, err := c.snapshot()
	if err != nil {
		ch <- prometheus.NewInvalidMetric(ticketsDesc, err)
		return
	}
	for _, t := range s.Tickets {
		ch <- prometheus.MustNewConstMetric(ticketsDesc, prometheus.GaugeValue, float64(t.N), t.Queue, t.Status, strconv.Itoa(t.Tier), t.Type)
	}
	for _, tm := range s.Times {
		ch <- summarise(firstDesc, tm.FirstResponseSummary, tm.FirstResponse, tm.Type)
		ch <- summarise(resolveDesc, tm.ResolutionSummary, tm.Resolution, tm.Type)
	}
	ch <- prometheus.MustNewConstMetric(outboxDesc, prometheus.GaugeValue, float64(s.Outbox))
	ch <- prometheus.MustNewConstMetric(failedDesc, prometheus.GaugeValue, float64(s.Failed))
}

// summarise is the constant summary s, or when nil that of values.
func summarise(desc *prometheus.Desc, s *Summary, values []float64, label string) prometheus.Metric {
	if s == nil {
		return summary(desc, values, label)
	}
	q := map[float64]float64{}
	if s.Count > 0 {
		q[0.5], q[0.9] = s.Median, s.P90
	}
	return prometheus.MustNewConstSummary(desc, s.Count, s.Sum, q, label)
}

// summary is a constant summary of values: count, sum, median and 90th
// percentile.
func summary(desc *prometheus.Desc, values []float64, label string) prometheus.Metric {
	vs := slices.Clone(values)
	slices.Sort(vs)
	sum := 0.0
	for _, v := range vs {
		sum += v
	}
	q := map[float64]float64{}
	if len(vs) > 0 {
		for _, p := range []float64{0.5, 0.9} {
			q[p] = vs[min(len(vs)-1, int(p*float64(len(vs))))]
		}
	}
	return prometheus.MustNewConstSummary(desc, uint64(len(vs)), sum, q, label)
}
