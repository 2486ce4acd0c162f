package mailin

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"log/slog"
	"net"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"
	"github.com/emersion/go-imap/v2/imapserver"
	"github.com/emersion/go-imap/v2/imapserver/imapmemserver"

	"github.com/ticketd/ticketd/connpolicy"
	"github.com/ticketd/ticketd/tickets"
)

const (
	testUser      = "soporte@example.com"
	testPassword  = "secreto"
	testProcessed = "Procesados"
	testFailed    = "Fallidos"
)

// testServer is an in-process IMAP server on 127.0.0.1.
type testServer struct {
	addr string
	user *imapmemserver.User
}

// startServer starts go-imap's in-memory server advertising caps.
func startServer(t *testing.T, caps imap.CapSet) *testServer {
	return startServerHooks(t, caps, sessionHooks{})
}

// sessionHooks change what the in-memory server answers, to play servers
// that behave differently. Nil fields keep imapmemserver's behaviour.
type sessionHooks struct {
	// permanentFlags replaces the PERMANENTFLAGS of every SELECT.
	permanentFlags func() []imap.Flag
	// beforeFetch runs before a FETCH is answered; it may write extra
	// responses.
	beforeFetch func(w *imapserver.FetchWriter, numSet imap.NumSet, options *imap.FetchOptions)
}

// hookSession is an imapmemserver session with sessionHooks applied.
type hookSession struct {
	*imapmemserver.UserSession // nil until login
	user                       *imapmemserver.User
	hooks                      sessionHooks
}

func (s *hookSession) Login(username, password string) error {
	if err := s.user.Login(username, password); err != nil {
		return err
	}
	s.UserSession = imapmemserver.NewUserSession(s.user)
	return nil
}

func (s *hookSession) Select(name string, options *imap.SelectOptions) (*imap.SelectData, error) {
	data, err := s.UserSession.Select(name, options)
	if err == nil && s.hooks.permanentFlags != nil {
		data.PermanentFlags = s.hooks.permanentFlags()
	}
	return data, err
}

func (s *hookSession) Fetch(w *imapserver.FetchWriter, numSet imap.NumSet, options *imap.FetchOptions) error {
	if s.hooks.beforeFetch != nil {
		s.hooks.beforeFetch(w, numSet, options)
	}
	return s.UserSession.Fetch(w, numSet, options)
}

// startServerHooks is startServer with sessionHooks.
func startServerHooks(t *testing.T, caps imap.CapSet, hooks sessionHooks) *testServer {
	t.Helper()
	return serveMem(t, caps, func(user *imapmemserver.User) imapserver.Session {
		return &hookSession{user: user, hooks: hooks}
	})
}

// serveMem serves the test user, with an INBOX, on 127.0.0.1 through the
// sessions newSession makes, advertising caps.
func serveMem(t *testing.T, caps imap.CapSet, newSession func(*imapmemserver.User) imapserver.Session) *testServer {
	t.Helper()
	user := imapmemserver.NewUser(testUser, testPassword)
	// memserver users start without any mailbox, not even INBOX.
	if err := user.Create("INBOX", nil); err != nil {
		t.Fatal(err)
	}
	srv := imapserver.New(&imapserver.Options{
		NewSession: func(*imapserver.Conn) (imapserver.Session, *imapserver.GreetingData, error) {
			return newSession(user), nil, nil
		},
		Caps:         caps,
		InsecureAuth: true,
		Logger:       log.New(io.Discard, "", 0),
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	return &testServer{addr: ln.Addr().String(), user: user}
}

func withMove() imap.CapSet {
	return imap.CapSet{imap.CapIMAP4rev1: {}, imap.CapMove: {}, imap.CapUIDPlus: {}}
}

func (s *testServer) deliver(t *testing.T, raw string) {
	t.Helper()
	if _, err := s.user.Append("INBOX", bytes.NewReader([]byte(raw)), &imap.AppendOptions{}); err != nil {
		t.Fatal(err)
	}
}

// deliverTestMails puts testMail(1) … testMail(n) in the INBOX, in order.
func (s *testServer) deliverTestMails(t *testing.T, n int) {
	t.Helper()
	for i := 1; i <= n; i++ {
		s.deliver(t, testMail(i))
	}
}

func (s *testServer) count(t *testing.T, mailbox string) int {
	t.Helper()
	st, err := s.user.Status(mailbox, &imap.StatusOptions{NumMessages: true})
	if err != nil {
		t.Fatalf("status %s: %v", mailbox, err)
	}
	return int(*st.NumMessages)
}

// flags returns the flags of every message in mailbox, in UID order.
func (s *testServer) flags(t *testing.T, mailbox string) [][]imap.Flag {
	t.Helper()
	c, err := imapclient.DialInsecure(s.addr, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := c.Login(testUser, testPassword).Wait(); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Select(mailbox, &imap.SelectOptions{ReadOnly: true}).Wait(); err != nil {
		t.Fatal(err)
	}
	bufs, err := c.Fetch(imap.SeqSet{{Start: 1, Stop: 0}}, &imap.FetchOptions{UID: true, Flags: true}).Collect()
	if err != nil {
		t.Fatal(err)
	}
	slices.SortFunc(bufs, func(a, b *imapclient.FetchMessageBuffer) int { return int(a.UID) - int(b.UID) })
	var out [][]imap.Flag
	for _, b := range bufs {
		out = append(out, b.Flags)
	}
	return out
}

func testMail(i int) string {
	return strings.ReplaceAll(fmt.Sprintf(`From: Usuario %d <user%d@example.com>
To: soporte@example.com
Subject: Mensaje %d
Date: Mon, 3 Mar 2025 09:15:00 -0500
Message-ID: <msg%d@example.com>
Content-Type: text/plain; charset=utf-8

Cuerpo %d.
`, i, i, i, i, i), "\n", "\r\n")
}

// brokenMail has a readable header but no From: Parse rejects it. (A
// message with an unreadable header would do too, but imapmemserver
// serves such a message with an empty body.)
const brokenMail = "To: soporte@example.com\r\nSubject: sin remitente\r\nMessage-ID: <broken@example.com>\r\n\r\nbody\r\n"

// The real workflow satisfies Applier.
var _ Applier = (*tickets.Service)(nil)

// fakeApplier stands in for tickets.Service: it records what it is given
// and answers Created (or fails while err is set; refuses a batch holding
// a Message-ID in reject with a *tickets.MessageError; panics while
// panics > 0).
type fakeApplier struct {
	mu     sync.Mutex
	calls  [][]tickets.Inbound
	err    error
	reject map[string]bool
	panics int
	next   uint64
}

func (f *fakeApplier) Apply(ctx context.Context, msgs []tickets.Inbound) ([]tickets.Result, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, slices.Clone(msgs))
	if f.panics > 0 {
		f.panics--
		panic("fake applier exploded")
	}
	if f.err != nil {
		return nil, f.err
	}
	for i, m := range msgs {
		if f.reject[m.MessageID] {
			// Wrapped, as a real service might: the poller must use
			// errors.As.
			return nil, fmt.Errorf("apply batch: %w", &tickets.MessageError{
				Index: i, MessageID: m.MessageID, Err: errors.New("ticket is locked"),
			})
		}
	}
	res := make([]tickets.Result, len(msgs))
	for i := range msgs {
		f.next++
		res[i] = tickets.Result{Ticket: f.next, Outcome: tickets.OutcomeCreated}
	}
	return res, nil
}

func (f *fakeApplier) setErr(err error) {
	f.mu.Lock()
	f.err = err
	f.mu.Unlock()
}

// subjects returns the subjects of every successful or failed call, per call.
func (f *fakeApplier) subjects() [][]string {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out [][]string
	for _, c := range f.calls {
		var s []string
		for _, m := range c {
			s = append(s, m.Subject)
		}
		out = append(out, s)
	}
	return out
}

func (f *fakeApplier) total() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	n := 0
	for _, c := range f.calls {
		n += len(c)
	}
	return n
}

func testOptions(addr string) PollerOptions {
	return PollerOptions{
		Address:          addr,
		Security:         connpolicy.None,
		Username:         testUser,
		Password:         testPassword,
		Mailbox:          "INBOX",
		ProcessedMailbox: testProcessed,
		FailedMailbox:    testFailed,
		DialTimeout:      5 * time.Second,
	}
}

func testLogger(t *testing.T) *slog.Logger {
	w := &testWriter{t: t}
	t.Cleanup(func() {
		w.mu.Lock()
		w.done = true
		w.mu.Unlock()
	})
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

// testWriter sends log lines to t.Log while the test runs.
type testWriter struct {
	mu   sync.Mutex
	t    *testing.T
	done bool
}

func (w *testWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if !w.done {
		w.t.Log(strings.TrimSpace(string(p)))
	}
	return len(p), nil
}

// logRecorder keeps the records at Warn and above, for tests that check
// what an operator would see; it passes everything on to next.
type logRecorder struct {
	next slog.Handler
	mu   *sync.Mutex
	recs *[]slog.Record
}

func newLogRecorder(t *testing.T) (*slog.Logger, *logRecorder) {
	r := &logRecorder{next: testLogger(t).Handler(), mu: new(sync.Mutex), recs: new([]slog.Record)}
	return slog.New(r), r
}

func (r *logRecorder) Enabled(ctx context.Context, l slog.Level) bool { return r.next.Enabled(ctx, l) }

func (r *logRecorder) Handle(ctx context.Context, rec slog.Record) error {
	if rec.Level >= slog.LevelWarn {
		r.mu.Lock()
		*r.recs = append(*r.recs, rec.Clone())
		r.mu.Unlock()
	}
	return r.next.Handle(ctx, rec)
}

func (r *logRecorder) WithAttrs(as []slog.Attr) slog.Handler {
	return &logRecorder{next: r.next.WithAttrs(as), mu: r.mu, recs: r.recs}
}

func (r *logRecorder) WithGroup(name string) slog.Handler {
	return &logRecorder{next: r.next.WithGroup(name), mu: r.mu, recs: r.recs}
}

// find returns the attributes of the first record at level whose message
// contains msg, and whether there is one.
func (r *logRecorder) find(level slog.Level, msg string) (map[string]string, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, rec := range *r.recs {
		if rec.Level == level && strings.Contains(rec.Message, msg) {
			attrs := map[string]string{}
			rec.Attrs(func(a slog.Attr) bool {
				attrs[a.Key] = a.Value.String()
				return true
			})
			return attrs, true
		}
	}
	return nil, false
}

func testContext(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func TestPollMovesProcessedAndFailed(t *testing.T) {
	srv := startServer(t, withMove())
	srv.deliverTestMails(t, 3)
	srv.deliver(t, brokenMail)

	app := &fakeApplier{}
	p := NewPoller(testOptions(srv.addr), app, testLogger(t))
	ctx := testContext(t)
	st, err := p.Poll(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if want := (Stats{Fetched: 4, Applied: 3, Failed: 1}); st != want {
		t.Errorf("stats = %+v, want %+v", st, want)
	}
	if got, want := app.subjects(), [][]string{{"Mensaje 1", "Mensaje 2", "Mensaje 3"}}; !slices.EqualFunc(got, want, slices.Equal) {
		t.Errorf("applied %q, want %q", got, want)
	}
	if n := srv.count(t, "INBOX"); n != 0 {
		t.Errorf("INBOX has %d messages, want 0", n)
	}
	if n := srv.count(t, testProcessed); n != 3 {
		t.Errorf("%s has %d messages, want 3", testProcessed, n)
	}
	if n := srv.count(t, testFailed); n != 1 {
		t.Errorf("%s has %d messages, want 1", testFailed, n)
	}

	// A second pass over the empty inbox changes nothing.
	st, err = p.Poll(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if st != (Stats{}) {
		t.Errorf("second pass stats = %+v, want zero", st)
	}
	if len(app.subjects()) != 1 {
		t.Errorf("Apply called again on an empty inbox")
	}
	if n := srv.count(t, testProcessed); n != 3 {
		t.Errorf("%s has %d messages after re-poll, want 3", testProcessed, n)
	}
}

func TestPollBatches(t *testing.T) {
	srv := startServer(t, withMove())
	srv.deliverTestMails(t, 7)
	app := &fakeApplier{}
	opts := testOptions(srv.addr)
	opts.BatchSize = 3
	st, err := NewPoller(opts, app, testLogger(t)).Poll(testContext(t))
	if err != nil {
		t.Fatal(err)
	}
	if want := (Stats{Fetched: 7, Applied: 7}); st != want {
		t.Errorf("stats = %+v, want %+v", st, want)
	}
	want := [][]string{
		{"Mensaje 1", "Mensaje 2", "Mensaje 3"},
		{"Mensaje 4", "Mensaje 5", "Mensaje 6"},
		{"Mensaje 7"},
	}
	if got := app.subjects(); !slices.EqualFunc(got, want, slices.Equal) {
		t.Errorf("batches %q, want %q", got, want)
	}
	if n := srv.count(t, testProcessed); n != 7 {
		t.Errorf("%s has %d messages, want 7", testProcessed, n)
	}
	if n := srv.count(t, "INBOX"); n != 0 {
		t.Errorf("INBOX has %d messages, want 0", n)
	}
}

func TestPollApplyErrorMovesNothing(t *testing.T) {
	srv := startServer(t, withMove())
	srv.deliverTestMails(t, 4)
	app := &fakeApplier{err: errors.New("database is locked")}
	opts := testOptions(srv.addr)
	opts.BatchSize = 2
	p := NewPoller(opts, app, testLogger(t))
	ctx := testContext(t)

	st, err := p.Poll(ctx)
	if err == nil || !strings.Contains(err.Error(), "database is locked") {
		t.Fatalf("Poll error = %v, want the Apply error", err)
	}
	if st.Applied != 0 {
		t.Errorf("stats = %+v, want nothing applied", st)
	}
	if n := len(app.subjects()); n != 1 {
		t.Errorf("Apply called %d times, want 1 (the pass stops)", n)
	}
	if n := srv.count(t, "INBOX"); n != 4 {
		t.Errorf("INBOX has %d messages, want all 4", n)
	}
	if n := srv.count(t, testProcessed); n != 0 {
		t.Errorf("%s has %d messages, want 0", testProcessed, n)
	}

	// Once Apply works again, the next pass takes everything.
	app.setErr(nil)
	st, err = p.Poll(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if st.Applied != 4 || srv.count(t, "INBOX") != 0 || srv.count(t, testProcessed) != 4 {
		t.Errorf("after recovery: stats %+v, INBOX %d, processed %d", st, srv.count(t, "INBOX"), srv.count(t, testProcessed))
	}
}

func TestPollOversize(t *testing.T) {
	srv := startServer(t, withMove())
	srv.deliver(t, testMail(1))
	big := strings.Replace(testMail(2), "Cuerpo 2.", strings.Repeat("x", 2000), 1)
	srv.deliver(t, big)
	app := &fakeApplier{}
	opts := testOptions(srv.addr)
	opts.MaxMessageSize = 1000
	st, err := NewPoller(opts, app, testLogger(t)).Poll(testContext(t))
	if err != nil {
		t.Fatal(err)
	}
	if want := (Stats{Fetched: 2, Applied: 1, Failed: 1}); st != want {
		t.Errorf("stats = %+v, want %+v", st, want)
	}
	if got := app.subjects(); len(got) != 1 || !slices.Equal(got[0], []string{"Mensaje 1"}) {
		t.Errorf("applied %q", got)
	}
	if srv.count(t, testFailed) != 1 || srv.count(t, testProcessed) != 1 || srv.count(t, "INBOX") != 0 {
		t.Errorf("failed %d, processed %d, inbox %d", srv.count(t, testFailed), srv.count(t, testProcessed), srv.count(t, "INBOX"))
	}
}

func TestPollWithoutMove(t *testing.T) {
	// IMAP4rev1 without MOVE (or IMAP4rev2) in Caps: imapserver then
	// does not advertise MOVE, so the poller must flag instead.
	srv := startServer(t, imap.CapSet{imap.CapIMAP4rev1: {}})
	srv.deliver(t, testMail(1))
	srv.deliver(t, brokenMail)
	srv.deliver(t, testMail(2))
	app := &fakeApplier{}
	p := NewPoller(testOptions(srv.addr), app, testLogger(t))
	ctx := testContext(t)

	st, err := p.Poll(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if want := (Stats{Fetched: 3, Applied: 2, Failed: 1}); st != want {
		t.Errorf("stats = %+v, want %+v", st, want)
	}
	// Nothing moved, nothing deleted or expunged.
	if n := srv.count(t, "INBOX"); n != 3 {
		t.Errorf("INBOX has %d messages, want 3 (never expunge)", n)
	}
	if n := srv.count(t, testProcessed) + srv.count(t, testFailed); n != 0 {
		t.Errorf("%d messages moved without MOVE", n)
	}
	flags := srv.flags(t, "INBOX")
	wantKW := []imap.Flag{KeywordProcessed, KeywordFailed, KeywordProcessed}
	for i, f := range flags {
		// Keywords are case-insensitive; imapmemserver lower-cases them.
		if !hasFlag(f, imap.FlagSeen) || !hasFlag(f, wantKW[i]) || hasFlag(f, imap.FlagDeleted) {
			t.Errorf("message %d flags %v, want \\Seen and %s, not \\Deleted", i+1, f, wantKW[i])
		}
	}

	// The flagged messages are not fetched again; new mail is.
	srv.deliver(t, testMail(3))
	secondPassTakes(t, p, app, "Mensaje 3")
}

func TestValidateSecurity(t *testing.T) {
	base := testOptions("127.0.0.1:143")
	tests := []struct {
		addr     string
		security connpolicy.Security
		ok       bool
	}{
		{"127.0.0.1:143", "none", true},
		{"127.1.2.3:143", "none", true},
		{"[::1]:143", "none", true},
		{"localhost:143", "none", true},
		{"LocalHost.:143", "none", true},
		{"192.0.2.10:143", "none", false},
		{"imap.example.com:143", "none", false},
		{"[2001:db8::1]:143", "none", false},
		{"localhost.example.com:143", "none", false},
		{"imap.localhost:143", "none", false},     // RFC 6761, but resolvers may ask DNS
		{"[::ffff:127.0.0.1]:143", "none", false}, // IPv4-mapped: refused, one spelling per address
		{"imap.example.com:993", "tls", true},
		{"imap.example.com:143", "starttls", true},
		{"imap.example.com:143", "ssl", false},
		{"imap.example.com", "tls", false},
	}
	for _, tt := range tests {
		o := base
		o.Address, o.Security = tt.addr, tt.security
		if err := o.Validate(); (err == nil) != tt.ok {
			t.Errorf("Validate(%s, %s) = %v, want ok=%v", tt.addr, tt.security, err, tt.ok)
		}
	}
	o := base
	o.ProcessedMailbox = "inbox"
	if err := o.Validate(); err == nil {
		t.Error("processed mailbox = INBOX accepted")
	}
}

func TestPollRefusesPlaintextToRemoteHost(t *testing.T) {
	// 192.0.2.0/24 is TEST-NET-1: nothing must even be dialled.
	opts := testOptions("192.0.2.10:143")
	p := NewPoller(opts, &fakeApplier{}, testLogger(t))
	start := time.Now()
	_, err := p.Poll(testContext(t))
	if err == nil || !strings.Contains(err.Error(), "loopback") {
		t.Fatalf("Poll = %v, want a loopback-only error", err)
	}
	if time.Since(start) > time.Second {
		t.Error("Poll tried to connect")
	}
	if err := p.Run(testContext(t), time.Second); err == nil {
		t.Error("Run accepted plaintext to a remote host")
	}
}

func TestPollBadPassword(t *testing.T) {
	srv := startServer(t, withMove())
	opts := testOptions(srv.addr)
	opts.Password = "wrong-password-value"
	_, err := NewPoller(opts, &fakeApplier{}, testLogger(t)).Poll(testContext(t))
	if err == nil {
		t.Fatal("login with a wrong password succeeded")
	}
	if strings.Contains(err.Error(), opts.Password) {
		t.Errorf("error reveals the password: %v", err)
	}
}

func TestPollCancelled(t *testing.T) {
	srv := startServer(t, withMove())
	srv.deliver(t, testMail(1))
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	app := &fakeApplier{}
	if _, err := NewPoller(testOptions(srv.addr), app, testLogger(t)).Poll(ctx); !errors.Is(err, context.Canceled) {
		t.Errorf("Poll = %v, want context.Canceled", err)
	}
	if app.total() != 0 || srv.count(t, "INBOX") != 1 {
		t.Error("a cancelled pass did work")
	}
}

// waitFor polls cond until it holds or the deadline passes.
func waitFor(t *testing.T, d time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestRunIdleWakesOnNewMail(t *testing.T) {
	srv := startServer(t, withMove())
	srv.deliver(t, testMail(1))
	app := &fakeApplier{}
	p := NewPoller(testOptions(srv.addr), app, testLogger(t))

	ctx, cancel := context.WithCancel(testContext(t))
	done := make(chan error, 1)
	// The interval is far longer than the test: only IDLE can wake Run.
	go func() { done <- p.Run(ctx, time.Hour) }()

	waitFor(t, 5*time.Second, "first pass", func() bool { return app.total() == 1 })
	// Let Run settle into IDLE, then deliver more mail (twice, so one
	// of the deliveries certainly lands while IDLE is running).
	time.Sleep(200 * time.Millisecond)
	srv.deliver(t, testMail(2))
	waitFor(t, 5*time.Second, "IDLE wake-up", func() bool { return app.total() == 2 })
	time.Sleep(200 * time.Millisecond)
	srv.deliver(t, testMail(3))
	waitFor(t, 5*time.Second, "second IDLE wake-up", func() bool { return app.total() == 3 })
	waitFor(t, 5*time.Second, "moves", func() bool { return srv.count(t, testProcessed) == 3 })

	stopRun(t, cancel, done)
}

func TestRunRetriesAfterError(t *testing.T) {
	srv := startServer(t, withMove())
	srv.deliver(t, testMail(1))
	app := &fakeApplier{err: errors.New("temporary failure")}
	p := NewPoller(testOptions(srv.addr), app, testLogger(t))

	ctx, cancel := context.WithCancel(testContext(t))
	done := make(chan error, 1)
	go func() { done <- p.Run(ctx, 2*time.Second) }()

	waitFor(t, 5*time.Second, "first, failing pass", func() bool { return len(app.subjects()) >= 1 })
	app.setErr(nil)
	waitFor(t, 10*time.Second, "retry", func() bool { return srv.count(t, testProcessed) == 1 })
	stopRun(t, cancel, done)
}

// stopRun cancels a running Run and checks that it returns nil promptly.
func stopRun(t *testing.T, cancel context.CancelFunc, done <-chan error) {
	t.Helper()
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("Run = %v, want nil", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Run did not return after cancel")
	}
}

// secondPassTakes runs another pass and checks that it applied exactly one
// message, the one with subject, as Apply's second call.
func secondPassTakes(t *testing.T, p *Poller, app *fakeApplier, subject string) {
	t.Helper()
	st, err := p.Poll(testContext(t))
	if err != nil {
		t.Fatal(err)
	}
	if want := (Stats{Fetched: 1, Applied: 1}); st != want {
		t.Errorf("second pass stats = %+v, want %+v", st, want)
	}
	if got := app.subjects(); len(got) != 2 || !slices.Equal(got[1], []string{subject}) {
		t.Errorf("applied %q", got)
	}
}

func hasFlag(flags []imap.Flag, f imap.Flag) bool {
	return slices.ContainsFunc(flags, func(g imap.Flag) bool { return strings.EqualFold(string(g), string(f)) })
}

func TestIdleNoticesMailFromDuringPass(t *testing.T) {
	srv := startServer(t, withMove())
	app := &fakeApplier{}
	p := NewPoller(testOptions(srv.addr), app, testLogger(t))
	ctx := testContext(t)
	if _, err := p.Poll(ctx); err != nil {
		t.Fatal(err)
	}

	// Nothing new: IDLE lasts until the deadline.
	start := time.Now()
	if err := p.idleUntil(ctx, time.Now().Add(300*time.Millisecond)); err != nil {
		t.Fatal(err)
	}
	if d := time.Since(start); d < 250*time.Millisecond {
		t.Errorf("idle returned after %v with no new mail", d)
	}

	// Mail delivered after the pass (and before IDLE starts) is never
	// announced by IDLE; the UIDNEXT check must catch it at once.
	srv.deliver(t, testMail(1))
	start = time.Now()
	if err := p.idleUntil(ctx, time.Now().Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("idle took %v to notice mail delivered during the pass", d)
	}
}
