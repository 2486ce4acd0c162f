package mailout

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-message/mail"

	"github.com/ticketd/ticketd/connpolicy"
	"github.com/ticketd/ticketd/internal/testkit/smtptest"
	"github.com/ticketd/ticketd/internal/testkit/testcert"
	"github.com/ticketd/ticketd/tickets"
)

// fakeQueue is an in-memory outbox with the semantics *tickets.Store
// promises.
type fakeQueue struct {
	mu        sync.Mutex
	next      uint64
	outbox    map[uint64]*tickets.Mail
	delivered map[uint64]tickets.Mail
	failed    map[uint64]string
	rejected  map[uint64][]Rejection
	accepted  map[uint64][]string // recipients each mail was delivered to
	sent      []int               // deliveries per MarkSent call
	dueErr    error
	panics    int // DueMail panics this many more times
}

func newQueue() *fakeQueue {
	return &fakeQueue{
		outbox:    make(map[uint64]*tickets.Mail),
		delivered: make(map[uint64]tickets.Mail),
		failed:    make(map[uint64]string),
		rejected:  make(map[uint64][]Rejection),
		accepted:  make(map[uint64][]string),
	}
}

var (
	_ Queue = (*fakeQueue)(nil)
	// The real outbox must keep satisfying the interface mailout needs.
	_ Queue = (*tickets.Store)(nil)
)

// add queues a mail at queuedAt and returns its id.
func (q *fakeQueue) add(queuedAt time.Time, to ...string) uint64 {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.next++
	id := q.next
	m := &tickets.Mail{
		ID: id, Ticket: 1000 + id, Kind: "ack",
		From:    tickets.NewAddress("Mesa de ayuda", "soporte@example.com"),
		Subject: fmt.Sprintf("[Soporte #%d] Prueba ñ", 1000+id),
		Text:    "hola\n", HTML: "<p>hola</p>",
		MessageID:     fmt.Sprintf("ticket.%d.%d@example.com", 1000+id, id),
		AutoSubmitted: "auto-replied",
		Queued:        queuedAt, NextAttempt: queuedAt,
	}
	if len(to) == 0 {
		to = []string{"jose@example.com"}
	}
	m.To = []tickets.Address{tickets.NewAddress("", to[0])}
	for _, cc := range to[1:] {
		m.Cc = append(m.Cc, tickets.NewAddress("", cc))
	}
	q.outbox[id] = m
	return id
}

func (q *fakeQueue) DueMail(now time.Time, limit int) ([]tickets.Mail, error) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.panics > 0 {
		q.panics--
		panic("fakeQueue: injected panic")
	}
	if q.dueErr != nil {
		return nil, q.dueErr
	}
	var due []tickets.Mail
	for _, m := range q.outbox {
		if !m.NextAttempt.After(now) {
			c := *m
			c.Done = slices.Clone(m.Done) // as the store: a copy, decoded afresh
			due = append(due, c)
		}
	}
	sort.Slice(due, func(i, j int) bool {
		if !due[i].NextAttempt.Equal(due[j].NextAttempt) {
			return due[i].NextAttempt.Before(due[j].NextAttempt)
		}
		return due[i].ID < due[j].ID
	})
	if len(due) > limit {
		due = due[:limit]
	}
	return due, nil
}

func (q *fakeQueue) MarkSent(ds []tickets.Delivery) ([]uint64, error) {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.sent = append(q.sent, len(ds))
	var done []uint64
	for _, d := range ds {
		m, ok := q.outbox[d.ID]
		if !ok {
			continue // as the store: the delivery happened
		}
		if d.Mail != nil && !slices.Equal(d.Mail.Done, m.Done) {
			return nil, fmt.Errorf("mail %d: sender's copy has done %v, outbox %v", d.ID, d.Mail.Done, m.Done)
		}
		q.rejected[d.ID] = append(q.rejected[d.ID], d.Rejected...)
		q.accepted[d.ID] = append(q.accepted[d.ID], d.Accepted...)
		m.Done = append(m.Done, d.Accepted...)
		for _, r := range d.Rejected {
			m.Done = append(m.Done, r.Rcpt)
		}
		if len(m.Pending()) == 0 {
			delete(q.outbox, d.ID)
			q.delivered[d.ID] = *m
			done = append(done, d.ID)
		}
	}
	return done, nil
}

func (q *fakeQueue) MarkRetry(id uint64, next time.Time, errText string) error {
	q.mu.Lock()
	defer q.mu.Unlock()
	m, ok := q.outbox[id]
	if !ok {
		return fmt.Errorf("mail %d not in outbox", id)
	}
	m.Attempts++
	m.NextAttempt = next
	m.LastError = errText
	return nil
}

func (q *fakeQueue) MarkFailed(id uint64, now time.Time, reason string) error {
	q.mu.Lock()
	defer q.mu.Unlock()
	if _, ok := q.outbox[id]; !ok {
		return fmt.Errorf("mail %d not in outbox", id)
	}
	delete(q.outbox, id)
	q.failed[id] = reason
	return nil
}

func (q *fakeQueue) NextMailDue() (time.Time, bool, error) {
	q.mu.Lock()
	defer q.mu.Unlock()
	var next time.Time
	for _, m := range q.outbox {
		if next.IsZero() || m.NextAttempt.Before(next) {
			next = m.NextAttempt
		}
	}
	return next, !next.IsZero(), nil
}

func (q *fakeQueue) pending(id uint64) (tickets.Mail, bool) {
	q.mu.Lock()
	defer q.mu.Unlock()
	m, ok := q.outbox[id]
	if !ok {
		return tickets.Mail{}, false
	}
	return *m, true
}

func (q *fakeQueue) failure(id uint64) (string, bool) {
	q.mu.Lock()
	defer q.mu.Unlock()
	r, ok := q.failed[id]
	return r, ok
}

func (q *fakeQueue) isDelivered(id uint64) bool {
	q.mu.Lock()
	defer q.mu.Unlock()
	_, ok := q.delivered[id]
	return ok
}

// clock is the injected time source.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// logBuffer collects log output safely across goroutines.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *logBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *logBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

type fixture struct {
	sink  *smtptest.Server
	q     *fakeQueue
	clk   *clock
	logs  *logBuffer
	s     *Sender
	start time.Time
}

func setup(t *testing.T, mutate func(*Options)) *fixture {
	t.Helper()
	return setupSink(t, smtptest.Start(t), mutate)
}

// setupSink is setup with a sink the test started itself.
func setupSink(t *testing.T, sink *smtptest.Server, mutate func(*Options)) *fixture {
	t.Helper()
	f := &fixture{
		sink:  sink,
		q:     newQueue(),
		start: time.Date(2025, 3, 14, 9, 0, 0, 0, time.UTC),
		logs:  &logBuffer{},
	}
	f.clk = &clock{now: f.start}
	opts := Options{
		Address:  f.sink.Addr(),
		Security: "none",
		Username: "soporte@example.com",
		Password: "secret",
		HeloName: "ticketd.example.com",
		Now:      f.clk.Now,
	}
	if mutate != nil {
		mutate(&opts)
	}
	s, err := NewSender(opts, f.q, slog.New(slog.NewTextHandler(f.logs, nil)))
	if err != nil {
		t.Fatalf("NewSender: %v", err)
	}
	f.s = s
	return f
}

func (f *fixture) drain(t *testing.T) Stats {
	t.Helper()
	st, err := f.s.Drain(context.Background())
	if err != nil {
		t.Fatalf("Drain: %v", err)
	}
	return st
}

func counts(st Stats) string {
	return fmt.Sprintf("sent=%d retried=%d failed=%d rejected=%d", st.Sent, st.Retried, st.Failed, len(st.Rejected))
}

func wantStats(t *testing.T, st Stats, want string) {
	t.Helper()
	if got := counts(st); got != want {
		t.Fatalf("stats %s, want %s", got, want)
	}
}

func TestDrainDelivers(t *testing.T) {
	f := setup(t, nil)
	id1 := f.q.add(f.start.Add(-time.Second), "jose@example.com", "jefa@example.com")
	id2 := f.q.add(f.start, "ana@example.com")
	f.q.add(f.start.Add(time.Hour)) // not due yet

	wantStats(t, f.drain(t), "sent=2 retried=0 failed=0 rejected=0")
	msgs := f.sink.Messages()
	if len(msgs) != 2 {
		t.Fatalf("got %d messages, want 2", len(msgs))
	}
	m := msgs[0]
	if m.From != "soporte@example.com" || !slices.Equal(m.To, []string{"jose@example.com", "jefa@example.com"}) {
		t.Errorf("envelope %s → %v", m.From, m.To)
	}
	if m.Username != "soporte@example.com" {
		t.Errorf("AUTH PLAIN user = %q", m.Username)
	}
	mr, err := mail.CreateReader(bytes.NewReader(m.Data))
	if err != nil {
		t.Fatal(err)
	}
	if id, _ := mr.Header.MessageID(); id != "ticket.1001.1@example.com" {
		t.Errorf("Message-Id = %q", id)
	}
	if msgs[1].To[0] != "ana@example.com" {
		t.Errorf("second mail went to %v (oldest first)", msgs[1].To)
	}
	if !f.q.isDelivered(id1) || !f.q.isDelivered(id2) {
		t.Error("delivered mails not marked delivered")
	}
	if _, ok := f.q.pending(3); !ok {
		t.Error("the mail not yet due was touched")
	}
	if logs := f.logs.String(); !strings.Contains(logs, "level=INFO") || !strings.Contains(logs, "msgid=ticket.1001.1@example.com") || !strings.Contains(logs, "rcpts=2") {
		t.Errorf("no delivery log:\n%s", logs)
	}
	if strings.Contains(f.logs.String(), "secret") {
		t.Error("password in the logs")
	}
	// Nothing left: a second Drain does nothing and does not connect.
	conns := f.sink.Connections()
	wantStats(t, f.drain(t), "sent=0 retried=0 failed=0 rejected=0")
	if f.sink.Connections() != conns {
		t.Error("Drain connected with nothing to send")
	}
}

// TestDrainConnections: one connection carries a whole batch; BatchSize
// bounds the mails per connection.
func TestDrainConnections(t *testing.T) {
	for _, tc := range []struct{ batchSize, wantConns int }{{0, 1}, {2, 3}} {
		f := setup(t, func(o *Options) { o.BatchSize = tc.batchSize })
		for i := range 5 {
			f.q.add(f.start.Add(time.Duration(i-5) * time.Second))
		}
		wantStats(t, f.drain(t), "sent=5 retried=0 failed=0 rejected=0")
		if n := f.sink.Connections(); n != tc.wantConns {
			t.Errorf("5 mails with BatchSize %d used %d connections, want %d", tc.batchSize, n, tc.wantConns)
		}
	}
}

func TestTemporaryFailureRetriesWithBackoff(t *testing.T) {
	f := setup(t, nil)
	id := f.q.add(f.start)
	f.sink.FailData(451, 3)

	for i, wait := range []time.Duration{time.Minute, 2 * time.Minute, 4 * time.Minute} {
		wantStats(t, f.drain(t), "sent=0 retried=1 failed=0 rejected=0")
		m, ok := f.q.pending(id)
		if !ok {
			t.Fatalf("attempt %d: mail left the outbox", i+1)
		}
		if m.Attempts != i+1 || !m.NextAttempt.Equal(f.clk.Now().Add(wait)) {
			t.Fatalf("attempt %d: attempts=%d next=%v, want %d and now+%v", i+1, m.Attempts, m.NextAttempt, i+1, wait)
		}
		if !strings.Contains(m.LastError, "451") {
			t.Errorf("LastError = %q, want the 451 reply", m.LastError)
		}
		// Not due before the backoff has passed.
		f.clk.Advance(wait - time.Second)
		wantStats(t, f.drain(t), "sent=0 retried=0 failed=0 rejected=0")
		f.clk.Advance(time.Second)
	}
	wantStats(t, f.drain(t), "sent=1 retried=0 failed=0 rejected=0")
	if !f.q.isDelivered(id) || len(f.sink.Messages()) != 1 {
		t.Fatal("mail not delivered after the temporary failures")
	}
	if !strings.Contains(f.logs.String(), "level=WARN") {
		t.Errorf("no Warn log for the retries:\n%s", f.logs.String())
	}
}

func TestBackoff(t *testing.T) {
	want := []time.Duration{time.Minute, 2 * time.Minute, 4 * time.Minute, 8 * time.Minute, 16 * time.Minute, 32 * time.Minute, time.Hour, time.Hour}
	for attempts, w := range want {
		if got := backoff(attempts); got != w {
			t.Errorf("backoff(%d) = %v, want %v", attempts, got, w)
		}
	}
	if backoff(1000) != time.Hour {
		t.Error("backoff does not cap at 1h for many attempts")
	}
}

func TestPermanentFailure(t *testing.T) {
	f := setup(t, nil)
	id := f.q.add(f.start)
	f.sink.FailData(550, 1)
	wantStats(t, f.drain(t), "sent=0 retried=0 failed=1 rejected=0")
	reason, ok := f.q.failure(id)
	if !ok || !strings.Contains(reason, "550") || !strings.Contains(reason, "injected failure") {
		t.Fatalf("failure reason = %q (recorded %v), want the 550 reply", reason, ok)
	}
	logs := f.logs.String()
	if !strings.Contains(logs, "level=ERROR") || !strings.Contains(logs, "ticket=1001") || !strings.Contains(logs, "rcpt=jose@example.com") {
		t.Errorf("no Error log with ticket and rcpt:\n%s", logs)
	}
}

func TestEveryRecipientRefusedFails(t *testing.T) {
	f := setup(t, nil)
	bad := f.q.add(f.start.Add(-time.Second), "nobody@example.com")
	good := f.q.add(f.start, "jose@example.com")
	f.sink.FailRcpt("nobody@example.com", 550)
	wantStats(t, f.drain(t), "sent=1 retried=0 failed=1 rejected=0")
	if reason, _ := f.q.failure(bad); !strings.Contains(reason, "550") || !strings.Contains(reason, "nobody@example.com") {
		t.Errorf("reason = %q", reason)
	}
	// The aborted transaction was reset and the connection reused.
	if !f.q.isDelivered(good) || f.sink.Connections() != 1 {
		t.Errorf("delivered=%v connections=%d, want true and 1", f.q.isDelivered(good), f.sink.Connections())
	}
	if msgs := f.sink.Messages(); len(msgs) != 1 || !slices.Equal(msgs[0].To, []string{"jose@example.com"}) {
		t.Errorf("messages: %+v", msgs)
	}
}

func TestPartialRecipientRejection(t *testing.T) {
	f := setup(t, nil)
	id := f.q.add(f.start, "a@example.com", "b@example.com", "c@example.com")
	f.sink.FailRcpt("b@example.com", 550)
	st := f.drain(t)
	wantStats(t, st, "sent=1 retried=0 failed=0 rejected=1")
	if r := st.Rejected[0]; r.Rcpt != "b@example.com" || r.Mail != id || r.Ticket != 1001 || !strings.Contains(r.Reason, "550") {
		t.Errorf("rejection = %+v", r)
	}
	msgs := f.sink.Messages()
	if len(msgs) != 1 || !slices.Equal(msgs[0].To, []string{"a@example.com", "c@example.com"}) {
		t.Fatalf("messages: %+v", msgs)
	}
	if !f.q.isDelivered(id) {
		t.Error("mail not marked delivered")
	}
	f.q.mu.Lock()
	rec := f.q.rejected[id]
	f.q.mu.Unlock()
	if len(rec) != 1 || rec[0].Rcpt != "b@example.com" {
		t.Errorf("MarkSent recorded rejections %+v", rec)
	}
	logs := f.logs.String()
	if !strings.Contains(logs, "level=ERROR") || !strings.Contains(logs, "rcpt=b@example.com") {
		t.Errorf("no Error log naming the refused recipient:\n%s", logs)
	}
}

// TestTemporaryRecipientRefusalDefersOnlyThatRecipient: a 452 to a
// participant never holds back the requester's copy; the retry goes to
// the participant only.
func TestTemporaryRecipientRefusalDefersOnlyThatRecipient(t *testing.T) {
	f := setup(t, nil)
	id := f.q.add(f.start, "requester@example.com", "participant@example.com")
	f.sink.FailRcpt("participant@example.com", 452)
	wantStats(t, f.drain(t), "sent=1 retried=1 failed=0 rejected=0")
	msgs := f.sink.Messages()
	if len(msgs) != 1 || !slices.Equal(msgs[0].To, []string{"requester@example.com"}) {
		t.Fatalf("first attempt sent %+v, want the requester's copy", msgs)
	}
	m, ok := f.q.pending(id)
	if !ok || !slices.Equal(m.Pending(), []string{"participant@example.com"}) || m.Attempts != 1 || !strings.Contains(m.LastError, "452") {
		t.Fatalf("after the 452: pending %v attempts %d error %q (in outbox %v)", m.Pending(), m.Attempts, m.LastError, ok)
	}
	f.sink.FailRcpt("participant@example.com", 0)
	f.clk.Advance(time.Minute)
	wantStats(t, f.drain(t), "sent=1 retried=0 failed=0 rejected=0")
	msgs = f.sink.Messages()
	if len(msgs) != 2 || !slices.Equal(msgs[1].To, []string{"participant@example.com"}) {
		t.Fatalf("retry sent %+v, want the participant only", msgs[1:])
	}
	if !f.q.isDelivered(id) {
		t.Fatal("mail not delivered after the retry")
	}
}

// TestRecipientsSplitIntoTransactions: a mail to more than MaxRecipients
// goes out in several transactions, each recorded as it is accepted; a 452
// and a 550 in the middle touch only their own recipients.
func TestRecipientsSplitIntoTransactions(t *testing.T) {
	var limits []string
	f := setup(t, func(o *Options) {
		o.MaxRecipients = 3
		o.OnLimit = func(l string) { limits = append(limits, l) }
	})
	var rcpts []string
	for i := range 8 {
		rcpts = append(rcpts, fmt.Sprintf("p%d@example.com", i))
	}
	id := f.q.add(f.start, rcpts...)
	f.sink.FailRcpt("p4@example.com", 452)
	f.sink.FailRcpt("p5@example.com", 550)
	st := f.drain(t)
	wantStats(t, st, "sent=1 retried=1 failed=0 rejected=1")
	var got [][]string
	for _, m := range f.sink.Messages() {
		got = append(got, m.To)
	}
	want := [][]string{rcpts[0:3], {"p3@example.com"}, rcpts[6:8]}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("transactions %v, want %v", got, want)
	}
	if !slices.Equal(limits, []string{"recipients_per_transaction"}) {
		t.Errorf("OnLimit told %v, want the limit once", limits)
	}
	m, _ := f.q.pending(id)
	if !slices.Equal(m.Pending(), []string{"p4@example.com"}) {
		t.Fatalf("pending after the first attempt: %v", m.Pending())
	}
	f.q.mu.Lock()
	sent, rejected := slices.Clone(f.q.sent), f.q.rejected[id]
	f.q.mu.Unlock()
	if len(sent) != 3 { // one recording per accepted transaction
		t.Errorf("deliveries recorded in %d calls (%v), want 3", len(sent), sent)
	}
	if len(rejected) != 1 || rejected[0].Rcpt != "p5@example.com" || !strings.Contains(rejected[0].Reason, "550") {
		t.Errorf("recorded refusals %+v", rejected)
	}
	f.sink.FailRcpt("p4@example.com", 0)
	f.clk.Advance(time.Minute)
	wantStats(t, f.drain(t), "sent=1 retried=0 failed=0 rejected=0")
	if last := f.sink.Messages()[3]; !slices.Equal(last.To, []string{"p4@example.com"}) || !f.q.isDelivered(id) {
		t.Fatalf("retry went to %v (delivered %v)", last.To, f.q.isDelivered(id))
	}
}

func TestMaxAgeExpiry(t *testing.T) {
	f := setup(t, func(o *Options) { o.MaxAge = 2 * time.Hour })
	old := f.q.add(f.start.Add(-2 * time.Hour))
	young := f.q.add(f.start.Add(-time.Hour))
	f.sink.FailData(451, 2)
	wantStats(t, f.drain(t), "sent=0 retried=1 failed=1 rejected=0")
	reason, ok := f.q.failure(old)
	if !ok || !strings.Contains(reason, "gave up") || !strings.Contains(reason, "451") {
		t.Errorf("old mail: failed=%v reason=%q", ok, reason)
	}
	if _, ok := f.q.pending(young); !ok {
		t.Error("young mail given up too early")
	}
	// The default MaxAge is 48h.
	f2 := setup(t, nil)
	id := f2.q.add(f2.start.Add(-47 * time.Hour))
	f2.sink.FailData(451, 1)
	wantStats(t, f2.drain(t), "sent=0 retried=1 failed=0 rejected=0")
	f2.clk.Advance(time.Hour)
	f2.sink.FailData(451, 1)
	wantStats(t, f2.drain(t), "sent=0 retried=0 failed=1 rejected=0")
	if _, ok := f2.q.failure(id); !ok {
		t.Error("mail older than 48h not given up")
	}
}

func TestUnreachableServerRetries(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close() // nothing listens there now
	f := setup(t, func(o *Options) { o.Address = addr })
	id := f.q.add(f.start)
	old := f.q.add(f.start.Add(-49 * time.Hour))
	wantStats(t, f.drain(t), "sent=0 retried=1 failed=1 rejected=0")
	m, _ := f.q.pending(id)
	if m.Attempts != 1 || !strings.Contains(m.LastError, "dial") {
		t.Errorf("attempts=%d LastError=%q", m.Attempts, m.LastError)
	}
	if r, _ := f.q.failure(old); !strings.Contains(r, "gave up") {
		t.Errorf("old mail reason = %q", r)
	}
}

func TestBrokenSessionReconnects(t *testing.T) {
	f := setup(t, nil)
	first := f.q.add(f.start.Add(-time.Second))
	second := f.q.add(f.start)
	// 421: the server is closing the session; the client must not reuse it.
	f.sink.FailData(421, 1)
	wantStats(t, f.drain(t), "sent=1 retried=1 failed=0 rejected=0")
	if _, ok := f.q.pending(first); !ok || !f.q.isDelivered(second) {
		t.Fatal("want the first mail deferred and the second delivered")
	}
	if n := f.sink.Connections(); n != 2 {
		t.Errorf("connections = %d, want 2 (reconnect after 421)", n)
	}
}

func TestStartTLSIsRequired(t *testing.T) {
	// The sink offers no STARTTLS: the sender must not fall back to
	// plain text.
	f := setup(t, func(o *Options) { o.Security = "starttls" })
	id := f.q.add(f.start)
	wantStats(t, f.drain(t), "sent=0 retried=1 failed=0 rejected=0")
	if len(f.sink.Messages()) != 0 {
		t.Fatal("mail sent without STARTTLS")
	}
	if m, _ := f.q.pending(id); !strings.Contains(m.LastError, "STARTTLS") {
		t.Errorf("LastError = %q", m.LastError)
	}
}

func TestNewSenderChecksOptions(t *testing.T) {
	q := newQueue()
	for _, tc := range []struct {
		addr, security string
		ok             bool
	}{
		{"smtp.example.com:25", "none", false},
		{"192.0.2.1:25", "none", false},
		{"localhost:25", "none", true},
		{"127.0.0.1:25", "none", true},
		{"[::1]:25", "none", true},
		{"[::ffff:127.0.0.1]:25", "none", false},
		{"127.1:25", "none", false},
		{"mail.localhost:25", "none", false},
		{"smtp.example.com:465", "tls", true},
		{"smtp.example.com:587", "starttls", true},
		{"smtp.example.com:587", "", true},
		{"smtp.example.com:587", "ssl", false},
		{"smtp.example.com", "tls", false},
	} {
		_, err := NewSender(Options{Address: tc.addr, Security: connpolicy.Security(tc.security)}, q, nil)
		if (err == nil) != tc.ok {
			t.Errorf("NewSender(%s, %q): err = %v, want ok=%v", tc.addr, tc.security, err, tc.ok)
		}
	}
	if _, err := NewSender(Options{Address: "localhost:25"}, nil, nil); err == nil {
		t.Error("NewSender accepted a nil Queue")
	}
}

func TestDrainReportsQueueErrors(t *testing.T) {
	f := setup(t, nil)
	f.q.dueErr = errors.New("disk on fire")
	if _, err := f.s.Drain(context.Background()); err == nil || !strings.Contains(err.Error(), "disk on fire") {
		t.Errorf("Drain err = %v", err)
	}
	f.q.dueErr = nil
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	f.q.add(f.start)
	if _, err := f.s.Drain(ctx); !errors.Is(err, context.Canceled) {
		t.Errorf("Drain with a cancelled context: err = %v", err)
	}
	if len(f.sink.Messages()) != 0 {
		t.Error("sent after the context was cancelled")
	}
}

func TestRunDrainsOnWakeRecoversAndStops(t *testing.T) {
	f := setup(t, nil)
	f.q.panics = 1 // the first pass panics; Run must survive it
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	wake := make(chan struct{}, 1)
	done := make(chan error, 1)
	go func() { done <- f.s.Run(ctx, wake) }()

	f.q.add(f.start)
	wake <- struct{}{}
	msgs := f.sink.WaitFor(1, 10*time.Second)
	if len(msgs) != 1 {
		t.Fatalf("got %d messages", len(msgs))
	}
	f.q.add(f.start)
	wake <- struct{}{}
	f.sink.WaitFor(2, 10*time.Second)

	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("Run returned %v, want nil", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Run did not stop after cancel")
	}
	if !strings.Contains(f.logs.String(), "panic") {
		t.Errorf("the panic was not logged:\n%s", f.logs.String())
	}
}

func TestUntilNext(t *testing.T) {
	f := setup(t, nil)
	if d := f.s.untilNext(); d != maxWait {
		t.Errorf("empty outbox: wait %v, want %v", d, maxWait)
	}
	id := f.q.add(f.start.Add(20 * time.Second))
	if d := f.s.untilNext(); d != 20*time.Second {
		t.Errorf("mail due in 20s: wait %v", d)
	}
	f.q.outbox[id].NextAttempt = f.start.Add(-time.Hour)
	if d := f.s.untilNext(); d != minWait {
		t.Errorf("overdue mail: wait %v, want %v", d, minWait)
	}
	f.q.outbox[id].NextAttempt = f.start.Add(time.Hour)
	if d := f.s.untilNext(); d != maxWait {
		t.Errorf("mail due in 1h: wait %v, want %v", d, maxWait)
	}
}

// tlsSink starts a sink that speaks TLS with cert (implicit for "tls",
// STARTTLS for "starttls") and takes mail only after AUTH PLAIN with the
// fixture's credentials.
func tlsSink(t *testing.T, security string, cert *testcert.Cert) *smtptest.Server {
	t.Helper()
	return smtptest.StartWith(t, smtptest.Options{
		TLSConfig:   cert.ServerConfig(),
		ImplicitTLS: security == "tls",
		RequireAuth: true,
		Username:    "soporte@example.com",
		Password:    "secret",
	})
}

func TestDeliversOverTLS(t *testing.T) {
	for _, security := range []string{"tls", "starttls"} {
		t.Run(security, func(t *testing.T) {
			cert := testcert.New(t)
			f := setupSink(t, tlsSink(t, security, cert), func(o *Options) {
				o.Security = connpolicy.Security(security)
				// As cmd/ticketd builds it from ca_file: RootCAs only,
				// ServerName filled in from Address.
				o.TLSConfig = &tls.Config{RootCAs: cert.Pool, MinVersion: tls.VersionTLS12}
			})
			id := f.q.add(f.start, "jose@example.com")
			wantStats(t, f.drain(t), "sent=1 retried=0 failed=0 rejected=0")
			if !f.q.isDelivered(id) {
				t.Fatal("mail not marked delivered")
			}
			msgs := f.sink.Messages()
			if len(msgs) != 1 {
				t.Fatalf("sink got %d messages, want 1", len(msgs))
			}
			if m := msgs[0]; !m.TLS || m.Username != "soporte@example.com" || !slices.Equal(m.To, []string{"jose@example.com"}) {
				t.Errorf("message over TLS=%v, AUTH user %q, to %v", m.TLS, m.Username, m.To)
			}
			if err := Check(context.Background(), f.s.opts); err != nil {
				t.Errorf("Check: %v", err)
			}
		})
	}
}

func TestUntrustedCertificateRetries(t *testing.T) {
	// The server's certificate comes from a CA the sender does not trust:
	// nothing may be sent (not even the password), and the mail waits for
	// an operator to fix the trust, as a temporary failure.
	for _, security := range []string{"tls", "starttls"} {
		t.Run(security, func(t *testing.T) {
			f := setupSink(t, tlsSink(t, security, testcert.New(t)), func(o *Options) {
				o.Security = connpolicy.Security(security)
				o.TLSConfig = &tls.Config{RootCAs: testcert.New(t).Pool}
			})
			id := f.q.add(f.start, "jose@example.com")
			wantStats(t, f.drain(t), "sent=0 retried=1 failed=0 rejected=0")
			if n := len(f.sink.Messages()); n != 0 {
				t.Fatalf("%d messages sent to an untrusted server", n)
			}
			m, ok := f.q.pending(id)
			if !ok || m.Attempts != 1 || !m.NextAttempt.After(f.start) {
				t.Fatalf("mail not deferred: pending=%v %+v", ok, m)
			}
			if !strings.Contains(m.LastError, "certificate") {
				t.Errorf("LastError = %q, want it to mention the certificate", m.LastError)
			}
			t.Logf("LastError: %s", m.LastError)
			if logs := f.logs.String(); !strings.Contains(logs, "level=WARN") || !strings.Contains(logs, "certificate") {
				t.Errorf("no warning naming the certificate:\n%s", logs)
			}
			if err := Check(context.Background(), f.s.opts); err == nil || !strings.Contains(err.Error(), "certificate") {
				t.Errorf("Check = %v, want a certificate error", err)
			}
		})
	}
}

func TestTLSToPlainTextServerFails(t *testing.T) {
	// security = "tls" against a server that speaks plain text first: the
	// handshake fails and the mail waits; nothing is sent in the clear.
	f := setup(t, func(o *Options) { o.Security = "tls" })
	id := f.q.add(f.start)
	st, err := f.s.Drain(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	wantStats(t, st, "sent=0 retried=1 failed=0 rejected=0")
	if len(f.sink.Messages()) != 0 {
		t.Fatal("mail sent without TLS")
	}
	if m, _ := f.q.pending(id); !strings.Contains(m.LastError, "tls") {
		t.Errorf("LastError = %q", m.LastError)
	}
}
