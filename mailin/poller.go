package mailin

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"

	"github.com/ticketd/ticketd/connpolicy"
	"github.com/ticketd/ticketd/mailauth"
	"github.com/ticketd/ticketd/mailin/mailparse"
	"github.com/ticketd/ticketd/tickets"
)

// Keywords set on servers without MOVE (RFC 6851) in place of moving a
// message; messages carrying either are left out of later searches.
const (
	KeywordProcessed imap.Flag = "$TicketdProcessed"
	KeywordFailed    imap.Flag = "$TicketdFailed"
)

// Defaults for zero PollerOptions fields.
const (
	DefaultBatchSize      = 200
	DefaultMaxBatchBytes  = 64 << 20 // 64 MiB
	DefaultMaxMessageSize = 50 << 20 // 50 MiB
	DefaultDialTimeout    = 30 * time.Second
)

// errNoKeywords means the server can neither move nor mark mail: every
// pass would fetch and apply the same messages again, for ever.
var errNoKeywords = fmt.Errorf("server has no MOVE and does not allow the keywords %s/%s in PERMANENTFLAGS; processed mail could not be marked",
	KeywordProcessed, KeywordFailed)

// errNoBody means a FETCH response for a message carried no body, e.g.
// because an unsolicited FETCH (flags only) for that UID arrived first
// and imapclient hands a UID's first response to the command. The
// message is left for the next pass.
var errNoBody = errors.New("server returned no body")

// Applier is what the poller hands parsed mail to; *tickets.Service
// satisfies it.
type Applier interface {
	// Apply applies the messages in one committed transaction and returns
	// one Result per message, in order. An error means nothing was
	// committed. An error that errors.As to *tickets.MessageError names the
	// one message (by Index) that caused it: the poller sets that message
	// aside in the failed mailbox and applies the others again.
	Apply(ctx context.Context, msgs []tickets.Inbound) ([]tickets.Result, error)
}

// Preparer is implemented by an Applier that can do part of applying a
// message before Apply, with no database: *tickets.Service
// (Service.Prepare). The poller calls it on the parse workers, on the
// other core while the batch before is applied.
type Preparer interface {
	Prepare(m *tickets.Inbound)
}

// PollerOptions configures a Poller. Zero numeric fields take the
// defaults above.
type PollerOptions struct {
	Address   string              // host:port
	Security  connpolicy.Security // tls, starttls or none (loopback hosts only)
	TLSConfig *tls.Config         // nil: defaults; ServerName from Address when unset (connpolicy.ClientTLS)

	Username, Password string

	// Mailbox is read; ProcessedMailbox and FailedMailbox receive the
	// applied and the failed (unparseable, oversize or refused by the
	// Applier) messages, SpamMailbox those the Applier found to be spam
	// (tickets.OutcomeSpam). All are created if missing.
	Mailbox, ProcessedMailbox, FailedMailbox, SpamMailbox string
	// CreateMailbox creates Mailbox too when it is missing (a queue's own
	// mailbox, which nothing may have delivered to yet).
	CreateMailbox bool
	// Spam is passed to mailparse.ParseWithOptions: which verdicts of the
	// receiving server mark mail as spam (nil: mailparse.DefaultSpamRules).
	Spam *mailparse.SpamRules

	// BatchSize is how many messages are fetched and applied per
	// transaction; 0 means DefaultBatchSize.
	BatchSize int
	// MaxBatchBytes bounds the raw bytes (RFC822.SIZE) downloaded per
	// batch, so that memory stays bounded however large BatchSize is: a
	// batch takes at least one message and stops before the one that
	// would exceed it. 0 means DefaultMaxBatchBytes.
	MaxBatchBytes int64
	// MaxMessageSize is the largest message parsed; larger ones are not
	// downloaded but moved to FailedMailbox with the reason logged. 0
	// means DefaultMaxMessageSize.
	MaxMessageSize int64
	// Throttle, when set, is called before each batch is applied and may
	// block: flow control, so that the ingest does not run ahead of
	// delivery (cmd/ticketd's backlog gate). The batch fetched ahead
	// waits, parsed, meanwhile. An error (ctx's) ends the pass like a
	// failed Apply: the batch stays in the mailbox.
	Throttle func(ctx context.Context) error

	// DialTimeout bounds connecting, the TLS handshake and the greeting;
	// 0 means DefaultDialTimeout.
	DialTimeout time.Duration

	// TrustedAuthservID is passed to mailparse.ParseWithOptions: the authserv-id
	// of the Authentication-Results fields written by the organisation's
	// MX. Empty: no message is SenderVerified.
	TrustedAuthservID string
	// DeskAddress is passed to mailparse.ParseWithOptions: the support address,
	// whose own mail is classified KindOwn; QueueAddresses the other
	// queues' addresses, whose mail is too.
	DeskAddress    string
	QueueAddresses []string
	// Attachments and MaxAttachmentSize are passed to mailparse.ParseWithOptions:
	// where attachment content is kept (Put is called from several
	// goroutines at once: messages are parsed in parallel), and the
	// largest one kept.
	Attachments       mailparse.AttachmentStore
	MaxAttachmentSize int64

	// Auth is how to log in: "" or "password" (LOGIN with Password),
	// "xoauth2" or "oauthbearer" (AUTHENTICATE with a token from Token).
	Auth  string
	Token func(context.Context) (string, error)
	// OnAuthFailure, when set, is called once when logins start failing
	// (refused credentials, no token), and again only after a login
	// succeeded in between: one alert per failure streak (auth.go).
	OnAuthFailure func(error)
	// OnAuthRecovered, when set, is called when a login succeeds after a
	// failure streak.
	OnAuthRecovered func()
}

// Stats counts what one pass did.
type Stats struct {
	Fetched    int // messages fetched (or found oversize) in the mailbox
	Applied    int // created a ticket or were appended to one
	Duplicates int // already known to tickets
	Ignored    int // deliberately not applied by tickets
	Spam       int // spam, set aside in the spam mailbox
	Failed     int // unparseable, oversize or refused by the Applier, set aside in the failed mailbox
	Left       int // left in the mailbox for the next pass: their attachments could not be stored
}

func (s *Stats) add(o Stats) {
	s.Fetched += o.Fetched
	s.Applied += o.Applied
	s.Duplicates += o.Duplicates
	s.Ignored += o.Ignored
	s.Spam += o.Spam
	s.Failed += o.Failed
	s.Left += o.Left
}

// Poller moves mail from an IMAP mailbox into tickets. Poll runs one pass;
// Run is the daemon loop. A Poller must not run two passes at once (they
// are serialised).
type Poller struct {
	opts    PollerOptions
	applier Applier
	log     *slog.Logger

	observer func(Stats, error) // see Observe; set before the first pass

	mu sync.Mutex // serialises passes; guards last
	// last is what the latest pass saw when it selected the mailbox, so
	// that Run notices mail that arrived after the pass's search.
	last mailboxState
	// idleFailures counts IDLE waits that failed in a row; only Run's
	// goroutine touches it.
	idleFailures int
	// logins tracks refused logins (auth.go).
	logins mailauth.Streak
}

type mailboxState struct {
	uidValidity uint32
	uidNext     imap.UID
}

// NewPoller returns a Poller. A nil logger discards logs. The options are
// checked by Poll and Run (see PollerOptions.Validate).
func NewPoller(opts PollerOptions, applier Applier, logger *slog.Logger) *Poller {
	if opts.BatchSize <= 0 {
		opts.BatchSize = DefaultBatchSize
	}
	if opts.MaxBatchBytes <= 0 {
		opts.MaxBatchBytes = DefaultMaxBatchBytes
	}
	if opts.MaxMessageSize <= 0 {
		opts.MaxMessageSize = DefaultMaxMessageSize
	}
	if opts.DialTimeout <= 0 {
		opts.DialTimeout = DefaultDialTimeout
	}
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	return &Poller{opts: opts, applier: applier, log: logger,
		logins: mailauth.Streak{OnFailure: opts.OnAuthFailure, OnRecovered: opts.OnAuthRecovered}}
}

// Poll runs one complete pass: connect, log in, make sure the processed,
// failed and spam mailboxes exist, then fetch every waiting message in batches
// of at most BatchSize messages and MaxBatchBytes bytes, apply each batch
// in one Applier call and only then move the batch out of the mailbox. It
// logs out at the end.
//
// A message that cannot be parsed, is oversize or that Apply refuses with
// a *tickets.MessageError is set aside in the failed mailbox; the rest of
// its batch is applied without it. If Apply fails otherwise the pass stops
// and returns the error; the batch stays in the mailbox for the next pass.
// A message whose FETCH response has no body stays too.
//
// On a server without MOVE whose mailbox does not allow our keywords to
// be stored permanently, Poll returns an error before fetching anything.
//
// Cancelling ctx closes the connection and Poll returns ctx's error; work
// already applied stays applied, and a message applied but not yet moved
// is recognised as a duplicate later.
func (p *Poller) Poll(ctx context.Context) (st Stats, err error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	defer func() { p.observe(st, err) }()
	if err := p.opts.Validate(); err != nil {
		return Stats{}, err
	}
	if err := ctx.Err(); err != nil {
		return Stats{}, err
	}
	c, release, err := p.connect(ctx, nil)
	if err != nil {
		return Stats{}, err
	}
	defer release()

	start := time.Now()
	st, err = p.pass(ctx, c)
	if err != nil && ctx.Err() != nil {
		err = fmt.Errorf("imap pass on %q: %w", p.opts.Mailbox, ctx.Err())
	}
	if st.Fetched > 0 {
		p.log.Info("mail pass", "mailbox", p.opts.Mailbox,
			"fetched", st.Fetched, "applied", st.Applied, "duplicates", st.Duplicates,
			"ignored", st.Ignored, "spam", st.Spam, "failed", st.Failed, "left", st.Left, "duration", time.Since(start).Round(time.Millisecond))
	}
	if err != nil {
		return st, err
	}
	if err := c.Logout().Wait(); err != nil {
		p.log.Debug("imap logout", "mailbox", p.opts.Mailbox, "err", err)
	}
	return st, nil
}

// pass is Poll once logged in.
func (p *Poller) pass(ctx context.Context, c *imapclient.Client) (Stats, error) {
	var st Stats
	ensure := []string{p.opts.ProcessedMailbox, p.opts.FailedMailbox, p.opts.spamMailbox()}
	if p.opts.CreateMailbox {
		ensure = append(ensure, p.opts.Mailbox)
	}
	for _, m := range ensure {
		if err := ensureMailbox(c, m); err != nil {
			return st, err
		}
	}
	sel, err := c.Select(p.opts.Mailbox, nil).Wait()
	if err != nil {
		return st, fmt.Errorf("select %q: %w", p.opts.Mailbox, err)
	}
	p.last = mailboxState{uidValidity: sel.UIDValidity, uidNext: sel.UIDNext}
	hasMove := c.Caps().Has(imap.CapMove)
	if !hasMove && !keywordsAllowed(sel.PermanentFlags) {
		return st, fmt.Errorf("mailbox %q: %w", p.opts.Mailbox, errNoKeywords)
	}
	if sel.NumMessages == 0 {
		return st, nil
	}

	criteria := &imap.SearchCriteria{}
	if !hasMove {
		criteria.NotFlag = []imap.Flag{KeywordProcessed, KeywordFailed}
	}
	data, err := c.UIDSearch(criteria, nil).Wait()
	if err != nil {
		return st, fmt.Errorf("search %q: %w", p.opts.Mailbox, err)
	}
	uids := searchUIDs(data)

	if err := ctx.Err(); err != nil {
		return st, err
	}
	bst, err := p.runBatches(ctx, c, uids, hasMove) // pipeline.go
	st.add(bst)
	if err != nil {
		return st, err
	}
	if st.Left > 0 {
		// The pass fails, so it is tried again (with backoff) and
		// readiness shows it, once every other message is in.
		return st, fmt.Errorf("%d messages left in %q: %w", st.Left, p.opts.Mailbox, tickets.ErrStorage)
	}
	return st, nil
}

// spamMailbox is where spam goes: SpamMailbox, or DefaultSpamMailbox for
// options built before it existed.
func (o PollerOptions) spamMailbox() string {
	if o.SpamMailbox == "" {
		return DefaultSpamMailbox
	}
	return o.SpamMailbox
}

// keywordsAllowed reports whether a mailbox with these PERMANENTFLAGS
// (RFC 3501 §7.1) keeps our keywords: "\*" allows any new keyword, or
// both are listed. (go-imap cannot tell a missing PERMANENTFLAGS, which
// would allow everything, from an empty list: both are nil here and
// count as not allowed.)
func keywordsAllowed(perm []imap.Flag) bool {
	has := func(f imap.Flag) bool {
		return slices.ContainsFunc(perm, func(g imap.Flag) bool { return strings.EqualFold(string(g), string(f)) })
	}
	return has(imap.FlagWildcard) || (has(KeywordProcessed) && has(KeywordFailed))
}
