// Package metrics holds ticketd's Prometheus metrics: the counters every
// part of ticketd reports to, the gauges read from the database when
// scraped, and the Go runtime and process series, written in the
// Prometheus text format by a small writer of its own (expo.go) rather
// than the Go client, whose packages cost every command ~2 ms and ~125
// page faults at start.
//
// It is a leaf package (it imports nothing of ticketd), so any package may
// report to it; all methods are safe on a nil *Metrics, which records
// nothing, so callers need no "if m != nil".
package metrics

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
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
	fetched     *vec
	applied     *vec
	failedMsgs  *vec
	passes      *vec
	imapErrors  *vec
	lastPoll    *vec
	sent        *vec
	sendFails   *vec
	smtpErrors  *vec
	escalations *vec
	breaches    *vec
	limitHits   *vec
	spam        *vec
	// Login failures (auth.go).
	authFailing *vec
	authStreaks *vec

	snapshot func() (Snapshot, error) // nil: no database gauges

	mu          sync.Mutex
	lastSuccess time.Time
}

// New returns ticketd's metrics, with the Go runtime and process metrics.
// snapshot, when not nil, is called on every scrape for the ticket and
// outbox gauges.
func New(snapshot func() (Snapshot, error)) *Metrics {
	m := &Metrics{
		fetched:     newVec("counter", "ticketd_messages_fetched_total", "Messages fetched from the IMAP mailbox."),
		applied:     newVec("counter", "ticketd_messages_applied_total", "Messages applied to tickets, by outcome (created, appended, duplicate, ignored, spam).", "outcome"),
		failedMsgs:  newVec("counter", "ticketd_messages_failed_total", "Messages set aside in the failed mailbox (unparseable, oversize, refused)."),
		passes:      newVec("counter", "ticketd_mail_passes_total", "IMAP mail passes, by result (ok, error).", "result"),
		imapErrors:  newVec("counter", "ticketd_imap_errors_total", "Mail passes that failed with an IMAP or store error."),
		lastPoll:    newVec("gauge", "ticketd_last_successful_poll_timestamp_seconds", "Unix time of the last mail pass that succeeded."),
		sent:        newVec("counter", "ticketd_mails_sent_total", "Outgoing mails the SMTP server accepted, by template kind.", "kind"),
		sendFails:   newVec("counter", "ticketd_mail_send_failures_total", "Failed delivery attempts, by template kind and whether they are permanent (true) or will be retried (false).", "kind", "permanent"),
		smtpErrors:  newVec("counter", "ticketd_smtp_errors_total", "Delivery attempts that failed (connection, TLS, AUTH or SMTP replies)."),
		escalations: newVec("counter", "ticketd_escalations_total", "Tickets escalated, by queue, the tier they went to and ticket type.", "queue", "tier", "type"),
		breaches:    newVec("counter", "ticketd_sla_breaches_total", "SLA targets breached, by queue, target (first_response, resolution), tier and ticket type.", "queue", "target", "tier", "type"),
		limitHits:   newVec("counter", "ticketd_limit_hits_total", "Times a configured cap ([limits]) was reached, by limit.", "limit"),
		spam:        newVec("counter", "ticketd_spam_total", "Messages kept out as spam (set aside in the spam mailbox), by reason (flag, score, dmarc, blocked).", "reason"),
		snapshot:    snapshot,
	}
	for _, r := range SpamReasons {
		m.spam.add(0, r) // every reason scraped from the start, at 0
	}
	m.newAuth()
	return m
}

// vecs are the metrics ticketd updates.
func (m *Metrics) vecs() []*vec {
	return []*vec{m.fetched, m.applied, m.failedMsgs, m.passes, m.imapErrors, m.lastPoll, m.sent, m.sendFails,
		m.smtpErrors, m.escalations, m.breaches, m.limitHits, m.spam, m.authFailing, m.authStreaks}
}

// Handler serves the metrics in the Prometheus text format. A scrape
// whose database read fails is answered 500, so Prometheus marks the
// target down rather than storing gauges that are missing.
func (m *Metrics) Handler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fams, err := m.gather()
		if err != nil {
			http.Error(w, fmt.Sprintf("read the metrics: %v", err), http.StatusInternalServerError)
			return
		}
		var b bytes.Buffer
		_ = writeText(&b, fams) // a bytes.Buffer takes every write
		w.Header().Set("Content-Type", contentType)
		if !strings.Contains(r.Header.Get("Accept-Encoding"), "gzip") {
			w.Write(b.Bytes())
			return
		}
		// Prometheus asks for gzip; the Go client gave it.
		w.Header().Set("Content-Encoding", "gzip")
		zw := gzip.NewWriter(w)
		zw.Write(b.Bytes())
		zw.Close()
	})
}

// gather reads every metric family now.
func (m *Metrics) gather() ([]family, error) {
	var fams []family
	if m.snapshot != nil {
		s, err := m.snapshot()
		if err != nil {
			return nil, err
		}
		fams = dbFamilies(s)
	}
	for _, v := range m.vecs() {
		fams = append(fams, v.family())
	}
	fams = append(fams, goFamilies()...)
	return append(fams, processFamilies()...), nil
}

// PassDone records one mail pass that ended at end; err is its error (nil:
// it succeeded).
func (m *Metrics) PassDone(p Pass, err error, end time.Time) {
	if m == nil {
		return
	}
	m.fetched.add(float64(p.Fetched))
	m.failedMsgs.add(float64(p.Failed))
	if err != nil {
		m.passes.add(1, "error")
		m.imapErrors.add(1)
		return
	}
	m.passes.add(1, "ok")
	m.lastPoll.set(float64(end.UnixNano()) / 1e9)
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
	m.applied.add(1, outcome)
}

// SpamReasons are the reasons Spam is given (tickets.SpamReason).
var SpamReasons = []string{"flag", "score", "dmarc", "blocked"}

// Spam records one message kept out as spam, and why.
func (m *Metrics) Spam(reason string) {
	if m == nil {
		return
	}
	m.spam.add(1, reason)
}

// Sent records one mail of kind accepted by the SMTP server.
func (m *Metrics) Sent(kind string) {
	if m == nil {
		return
	}
	m.sent.add(1, kind)
}

// SendFailed records one failed delivery attempt of a mail of kind.
func (m *Metrics) SendFailed(kind string, permanent bool) {
	if m == nil {
		return
	}
	m.sendFails.add(1, kind, strconv.FormatBool(permanent))
	m.smtpErrors.add(1)
}

// LimitHit records one hit of the cap named limit (a [limits] key).
func (m *Metrics) LimitHit(limit string) {
	if m == nil {
		return
	}
	m.limitHits.add(1, limit)
}

// Escalated records one ticket of type typ in queue escalated to tier.
// For the SLA code.
func (m *Metrics) Escalated(queue string, tier int, typ string) {
	if m == nil {
		return
	}
	m.escalations.add(1, queue, strconv.Itoa(tier), typ)
}

// SLABreached records one SLA target ("first_response", "resolution")
// breached at tier by a ticket of type typ in queue. For the SLA code.
func (m *Metrics) SLABreached(queue, target string, tier int, typ string) {
	if m == nil {
		return
	}
	m.breaches.add(1, queue, target, strconv.Itoa(tier), typ)
}

// dbFamilies are the gauges and summaries read from the database on each
// scrape, so they are never stale and cost nothing between scrapes.
func dbFamilies(s Snapshot) []family {
	tickets := family{name: "ticketd_tickets", help: "Tickets by queue, status, tier and type.", kind: "gauge", labels: []string{"queue", "status", "tier", "type"}}
	for _, t := range s.Tickets {
		tickets.metrics = append(tickets.metrics, metric{values: []string{t.Queue, t.Status, strconv.Itoa(t.Tier), t.Type}, value: float64(t.N)})
	}
	first := family{name: "ticketd_first_response_seconds", help: "Time from a ticket's opening to its first public answer, by ticket type (tickets answered so far).", kind: "summary", labels: []string{"type"}}
	resolve := family{name: "ticketd_resolution_seconds", help: "Time from a ticket's opening to its resolution, by ticket type (tickets resolved or closed after a resolution).", kind: "summary", labels: []string{"type"}}
	for _, tm := range s.Times {
		first.metrics = append(first.metrics, summarise(tm.FirstResponseSummary, tm.FirstResponse, tm.Type))
		resolve.metrics = append(resolve.metrics, summarise(tm.ResolutionSummary, tm.Resolution, tm.Type))
	}
	return []family{tickets, first, resolve,
		gauge("ticketd_outbox_depth", "Mails waiting in the outbox for delivery.", float64(s.Outbox)),
		gauge("ticketd_outbox_failed", "Mails given up on (see ticketd outbox).", float64(s.Failed))}
}

// summarise is the summary s labelled type, or when s is nil that of
// values: count, sum, median and 90th percentile.
func summarise(s *Summary, values []float64, typ string) metric {
	if s == nil {
		s = summary(values)
	}
	m := metric{values: []string{typ}, count: s.Count, sum: s.Sum}
	if s.Count > 0 {
		m.quantiles = []quantile{{0.5, s.Median}, {0.9, s.P90}}
	}
	return m
}

// summary sums up values.
func summary(values []float64) *Summary {
	vs := slices.Clone(values)
	slices.Sort(vs)
	s := &Summary{Count: uint64(len(vs))}
	for _, v := range vs {
		s.Sum += v
	}
	if len(vs) > 0 {
		at := func(p float64) float64 { return vs[min(len(vs)-1, int(p*float64(len(vs))))] }
		s.Median, s.P90 = at(0.5), at(0.9)
	}
	return s
}
