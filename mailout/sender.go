package mailout

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"runtime/debug"
	"strings"
	"sync"
	"time"

	"github.com/emersion/go-smtp"

	"github.com/ticketd/ticketd/connpolicy"
	"github.com/ticketd/ticketd/mailauth"
	"github.com/ticketd/ticketd/tickets"
)

// Queue is the durable outbox mailout drains; *tickets.Store satisfies it.
type Queue interface {
	// DueMail returns mails whose NextAttempt <= now, oldest first.
	DueMail(now time.Time, limit int) ([]tickets.Mail, error)
	// MarkSent records durably the SMTP transactions the server accepted
	// (tickets.Store.MarkSent), each settling its recipients; a mail
	// leaves the outbox once none is pending. It returns the ids of the
	// mails that left.
	MarkSent(ds []tickets.Delivery) ([]uint64, error)
	// MarkRetry records a failed attempt: Attempts++, NextAttempt = next,
	// LastError = errText.
	MarkRetry(id uint64, next time.Time, errText string) error
	// MarkFailed removes the mail from the outbox and records the permanent
	// failure on its ticket.
	MarkFailed(id uint64, now time.Time, reason string) error
	// NextMailDue returns the earliest NextAttempt in the outbox; false
	// when the outbox is empty.
	NextMailDue() (time.Time, bool, error)
}

// Rejection is one recipient the SMTP server refused permanently (5xx on
// RCPT) while it accepted other recipients of the same mail.
type Rejection = tickets.Rejection

// Stats counts what one Drain did.
type Stats struct {
	Sent     int         // mails the server accepted (for at least one recipient)
	Retried  int         // mails left in the outbox for a later attempt
	Failed   int         // mails given up on (permanent error or MaxAge)
	Rejected []Rejection // recipients refused on otherwise delivered mails
}

// Options configure a Sender. Zero values mean the documented defaults.
type Options struct {
	Address string // host:port of the submission server
	// Security is tls (implicit TLS), starttls (required, never
	// downgraded) or none (plain text, allowed to a loopback host only).
	// "" means starttls.
	Security  connpolicy.Security
	TLSConfig *tls.Config // nil: defaults; ServerName from Address when unset (connpolicy.ClientTLS)
	// Username and Password are used for AUTH PLAIN when Username != "".
	Username, Password string
	HeloName           string           // "" → "localhost"
	Now                func() time.Time // injected clock; nil → time.Now
	// MaxAge is how long after Queued a failing mail is retried before it
	// is given up on as a permanent failure; 0 → 48h.
	MaxAge      time.Duration
	BatchSize   int           // mails per SMTP connection; 0 → 100
	DialTimeout time.Duration // 0 → 30s
	// Blobs holds the content of the attachments mails carry; nil: a
	// mail with attachments fails to compose (and is recorded failed).
	Blobs BlobSource
	// Auth is how to log in when Username is set: "" or "password"
	// (AUTH PLAIN), "xoauth2" or "oauthbearer" (a token from Token).
	Auth  string
	Token func(context.Context) (string, error)
	// OnAuthFailure, when set, is called once when logins start failing,
	// and again only after a login succeeded in between (auth.go).
	OnAuthFailure func(error)

	// MaxRecipients is the most recipients one SMTP transaction carries;
	// a mail to more goes out in several transactions (0 → 50).
	// OnLimit, when set, is told "recipients_per_transaction" each time
	// a mail had to be split.
	MaxRecipients int
	OnLimit       func(limit string)

	// Connections is how many SMTP connections a Drain uses at once when
	// more than BatchSize mails are due; 0 → DefaultConnections (see
	// parallel.go). After a crash, at most one mail per connection is sent
	// twice.
	Connections int
	// OnAuthRecovered, when set, is called when a login succeeds after a
	// failure streak.
	OnAuthRecovered func()
	// StopGrace is how long a mail in flight may still take once the
	// context of Run or Drain is done (a SIGTERM): it is finished and
	// recorded, then the Sender stops. 0 → 1 minute; after it the
	// connection is closed and the mail is retried (possibly sent twice).
	StopGrace time.Duration
}

// Backoff bounds: the n-th consecutive failure waits minBackoff·2ⁿ⁻¹,
// at most maxBackoff.
const (
	minBackoff = time.Minute
	maxBackoff = time.Hour
	// Run polls the outbox at least this often, and never more often than
	// minWait, so a failing store cannot make it spin.
	maxWait = time.Minute
	minWait = time.Second
)

// Sender delivers the outbox over SMTP. Its methods are safe for concurrent
// use; deliveries are serialised.
type Sender struct {
	opts Options
	q    Queue
	log  *slog.Logger
	mu   sync.Mutex // one Drain at a time
	// logins tracks refused logins (auth.go).
	logins mailauth.Streak
}

// NewSender checks opts, fills in defaults and returns a Sender draining q.
// A nil logger discards logs.
func NewSender(opts Options, q Queue, logger *slog.Logger) (*Sender, error) {
	if q == nil {
		return nil, errors.New("mailout: nil Queue")
	}
	return newSender(opts, q, logger)
}

func newSender(opts Options, q Queue, logger *slog.Logger) (*Sender, error) {
	host, _, err := net.SplitHostPort(opts.Address)
	if err != nil {
		return nil, fmt.Errorf("mailout: smtp address %q: %w", opts.Address, err)
	}
	if opts.Security == "" {
		opts.Security = connpolicy.STARTTLS
	}
	if err := opts.Security.Check(host); err != nil {
		return nil, fmt.Errorf("mailout: smtp security: %w", err)
	}
	if !mailauth.Valid(opts.Auth) {
		return nil, fmt.Errorf("mailout: auth %q: want password, xoauth2 or oauthbearer", opts.Auth)
	}
	if mailauth.IsOAuth(opts.Auth) && (opts.Token == nil || opts.Username == "") {
		return nil, fmt.Errorf("mailout: auth %q needs a username and a token command", opts.Auth)
	}
	opts.TLSConfig = connpolicy.ClientTLS(opts.TLSConfig, host)
	if opts.HeloName == "" {
		opts.HeloName = "localhost"
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.MaxAge <= 0 {
		opts.MaxAge = 48 * time.Hour
	}
	if opts.BatchSize <= 0 {
		opts.BatchSize = 100
	}
	if opts.Connections <= 0 {
		opts.Connections = DefaultConnections
	}
	if opts.DialTimeout <= 0 {
		opts.DialTimeout = 30 * time.Second
	}
	if opts.StopGrace <= 0 {
		opts.StopGrace = time.Minute
	}
	if opts.MaxRecipients <= 0 {
		opts.MaxRecipients = DefaultMaxRecipients
	}
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	return &Sender{opts: opts, q: q, log: logger,
		logins: mailauth.Streak{OnFailure: opts.OnAuthFailure, OnRecovered: opts.OnAuthRecovered}}, nil
}

// Run drains the outbox, then waits for a wake signal, the next due mail or
// one minute, whichever comes first, and starts over. A panic in a pass is
// logged and the loop goes on. Run returns nil once ctx is done.
func (s *Sender) Run(ctx context.Context, wake <-chan struct{}) error {
	for {
		s.pass(ctx)
		timer := time.NewTimer(s.untilNext())
		select {
		case <-ctx.Done():
			timer.Stop()
			return nil
		case <-wake:
		case <-timer.C:
		}
		timer.Stop()
	}
}

// pass runs one Drain for Run, turning a panic into a log entry.
func (s *Sender) pass(ctx context.Context) {
	defer func() {
		if r := recover(); r != nil {
			s.log.Error("mailout: panic while draining the outbox", "err", fmt.Sprint(r), "stack", string(debug.Stack()))
		}
	}()
	if _, err := s.Drain(ctx); err != nil && ctx.Err() == nil {
		s.log.Error("mailout: drain outbox", "err", err)
	}
}

// untilNext is how long Run sleeps: until the next due mail, within
// [minWait, maxWait].
func (s *Sender) untilNext() time.Duration {
	next, ok, err := s.q.NextMailDue()
	if err != nil {
		s.log.Error("mailout: next due mail", "err", err)
		return maxWait
	}
	if !ok {
		return maxWait
	}
	return min(max(next.Sub(s.opts.Now()), minWait), maxWait)
}

// Drain delivers every mail due now, BatchSize mails per SMTP connection,
// and records each outcome in the Queue. Delivery problems are not errors
// of Drain: they end up as retries or failures in the Queue and in Stats.
// Drain returns an error when the Queue fails or ctx is done; mails not
// yet attempted stay due.
func (s *Sender) Drain(ctx context.Context) (Stats, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var st Stats
	// A mail the Queue hands out twice in one Drain (its Mark call did not
	// take) is left for the next Drain rather than sent in a loop.
	seen := make(map[uint64]bool)
	for {
		if err := ctx.Err(); err != nil {
			return st, err
		}
		limit := s.opts.BatchSize * s.opts.Connections
		batch, err := s.q.DueMail(s.opts.Now(), limit)
		if err != nil {
			return st, fmt.Errorf("due mail: %w", err)
		}
		full := len(batch) >= limit
		fresh := batch[:0]
		for _, m := range batch {
			if !seen[m.ID] {
				seen[m.ID] = true
				fresh = append(fresh, m)
			}
		}
		if len(fresh) == 0 {
			return st, nil
		}
		if err := s.sendParallel(ctx, fresh, &st); err != nil {
			return st, err
		}
		if !full {
			return st, nil
		}
	}
}

// retry schedules the next attempt with exponential backoff, or gives up
// when the mail has been failing for longer than MaxAge.
func (s *Sender) retry(m *tickets.Mail, cause error, st *Stats) error {
	now := s.opts.Now()
	if !m.Queued.IsZero() && now.Sub(m.Queued) >= s.opts.MaxAge {
		reason := fmt.Sprintf("gave up after %d attempts over %s: %v",
			m.Attempts+1, now.Sub(m.Queued).Round(time.Minute), cause)
		return s.fail(m, reason, st)
	}
	delay := backoff(m.Attempts)
	if err := s.q.MarkRetry(m.ID, now.Add(delay), cause.Error()); err != nil {
		return fmt.Errorf("mark retry %d: %w", m.ID, err)
	}
	st.Retried++
	s.log.Warn("mailout: delivery deferred", "ticket", m.Ticket, "msgid", m.MessageID,
		"rcpt", strings.Join(m.Recipients(), ","), "attempt", m.Attempts+1, "retry_in", delay, "err", cause.Error())
	return nil
}

func (s *Sender) fail(m *tickets.Mail, reason string, st *Stats) error {
	if err := s.q.MarkFailed(m.ID, s.opts.Now(), reason); err != nil {
		return fmt.Errorf("mark failed %d: %w", m.ID, err)
	}
	st.Failed++
	s.log.Error("mailout: delivery failed permanently", "ticket", m.Ticket, "msgid", m.MessageID,
		"rcpt", strings.Join(m.Recipients(), ","), "err", reason)
	return nil
}

func (s *Sender) logConnectError(err error) {
	var se *smtp.SMTPError
	if errors.As(err, &se) && !se.Temporary() {
		// A 5xx while connecting (wrong password, TLS required) is a
		// configuration problem: the mails wait, an operator must act.
		s.log.Error("mailout: smtp server refused the session; mails will be retried", "err", err)
		return
	}
	s.log.Warn("mailout: cannot reach smtp server; mails will be retried", "err", err)
}

// backoff is the delay after the attempts+1-th consecutive failure:
// 1m, 2m, 4m, … capped at 1h.
func backoff(attempts int) time.Duration {
	return connpolicy.Backoff(attempts+1, minBackoff, maxBackoff)
}

// permanentError marks a failure that retrying cannot fix although it did
// not come as an SMTP 5xx reply.
type permanentError struct{ error }

func (e permanentError) Unwrap() error { return e.error }

// isPermanent classifies a delivery error the way maddy does: an SMTP 5xx
// reply is permanent, a 4xx reply is temporary, and anything else (a
// broken connection, a timeout) is temporary too, since retrying is
// cheaper than losing mail.
func isPermanent(err error) bool {
	var pe permanentError
	if errors.As(err, &pe) {
		return true
	}
	var se *smtp.SMTPError
	if errors.As(err, &se) {
		return se.Code >= 500 && se.Code < 600
	}
	return false
}

// connect dials, greets, secures and authenticates one SMTP session.
func (s *Sender) connect(ctx context.Context) (*conn, error) {
	o := s.opts
	d := &net.Dialer{Timeout: o.DialTimeout}
	var (
		nc  net.Conn
		err error
	)
	if o.Security == connpolicy.TLS {
		nc, err = (&tls.Dialer{NetDialer: d, Config: o.TLSConfig}).DialContext(ctx, "tcp", o.Address)
	} else {
		nc, err = d.DialContext(ctx, "tcp", o.Address)
	}
	if err != nil {
		return nil, fmt.Errorf("smtp dial %s: %w", o.Address, err)
	}
	if err := o.Security.CheckPeer(nc.RemoteAddr()); err != nil {
		nc.Close()
		return nil, fmt.Errorf("smtp connect %s: %w", o.Address, err)
	}
	// A stopping daemon (ctx done) lets the transaction in flight finish:
	// the connection is closed only if it is still open StopGrace later
	// (a stalled server), the only way to interrupt a blocked command.
	stop := closeAfterGrace(ctx, nc, o.StopGrace, func() {
		s.log.Info("mailout: stopping after the mail in flight", "grace", o.StopGrace)
	})
	fail := func(step string, err error) (*conn, error) {
		stop()
		nc.Close()
		return nil, fmt.Errorf("smtp %s %s: %w", step, o.Address, err)
	}
	c := newSession(nc)
	// With starttls the session is upgraded before anything else is said,
	// and a server that does not offer STARTTLS is refused: no silent
	// downgrade to plain text.
	if err := c.open(o.HeloName, o.Security == connpolicy.STARTTLS, o.TLSConfig); err != nil {
		return fail("hello", err)
	}
	if o.Username != "" {
		if !c.has("AUTH") {
			return fail("auth", errors.New("server does not offer AUTH"))
		}
		if err := s.auth(ctx, c); err != nil {
			_, err = fail("auth", err)
			s.logins.Failed(err) // the first of a streak goes to OnAuthFailure
			return nil, err
		}
		s.authOK()
	}
	return &conn{s: c, stop: stop}, nil
}

// conn is one SMTP session reused for a batch of mails.
type conn struct {
	s    *session
	stop func() bool // cancels the context watcher
	// dirty is set when a transaction was left open (a refused RCPT, a
	// failed DATA): the next mail starts with RSET.
	dirty bool
	// ahead is the next transaction's envelope, sent after the last
	// mail's final dot (conn.transact); its replies are still to be read.
	ahead *envelope
}

// quit ends the session: with QUIT, unless a transaction's DATA went out
// ahead (the server would take QUIT for content) — then by closing the
// connection, which makes the server drop that transaction.
func (c *conn) quit() {
	if c.ahead != nil {
		c.close()
		return
	}
	c.s.quit()
	c.stop()
}

func (c *conn) close() {
	c.stop()
	c.s.nc.Close()
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

// Check connects, secures and authenticates one SMTP session as opts say
// and quits, sending nothing: what an admin wants to know before the first
// run.
func Check(ctx context.Context, opts Options) error {
	s, err := newSender(opts, nil, nil)
	if err != nil {
		return err
	}
	c, err := s.connect(ctx)
	if err != nil {
		return err
	}
	c.quit()
	return nil
}
