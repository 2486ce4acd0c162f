package mailin

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
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

// PollerOptions configures a Poller. Zero numeric fields take the
// defaults above.
type PollerOptions struct {
	Address   string              // host:port
	Security  connpolicy.Security // tls, starttls or none (loopback hosts only)
	TLSConfig *tls.Config         // nil: defaults; ServerName from Address when unset (connpolicy.ClientTLS)

	Username, Password string

	// Mailbox is read; ProcessedMailbox and FailedMailbox receive the
	// applied and the failed (unparseable, oversize or refused by the
	// Applier) messages. Both are created if missing.
	Mailbox, ProcessedMailbox, FailedMailbox string

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
	// DialTimeout bounds connecting, the TLS handshake and the greeting;
	// 0 means DefaultDialTimeout.
	DialTimeout time.Duration

	// TrustedAuthservID is passed to mailparse.ParseWithOptions: the authserv-id
	// of the Authentication-Results fields written by the organisation's
	// MX. Empty: no message is SenderVerified.
	TrustedAuthservID string
	// DeskAddress is passed to mailparse.ParseWithOptions: the support address,
	// whose own mail is classified KindOwn.
	DeskAddress string
	// Attachments and MaxAttachmentSize are passed to mailparse.ParseWithOptions:
	// where attachment content is kept, and the largest one kept.
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
	Failed     int // unparseable, oversize or refused by the Applier, set aside in the failed mailbox
	Left       int // left in the mailbox for the next pass: their attachments could not be stored
}

func (s *Stats) add(o Stats) {
	s.Fetched += o.Fetched
	s.Applied += o.Applied
	s.Duplicates += o.Duplicates
	s.Ignored += o.Ignored
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

// Poll runs one complete pass: connect, log in, make sure the processed
// and failed mailboxes exist, then fetch every waiting message in batches
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
	c, err := p.dial(ctx, nil)
	if err != nil {
		return Stats{}, err
	}
	defer c.Close()
	// go-imap v2 has no contexts: closing the client is what aborts a
	// blocked command.
	stop := context.AfterFunc(ctx, func() { c.Close() })
	defer stop()

	start := time.Now()
	st, err = p.pass(ctx, c)
	if err != nil && ctx.Err() != nil {
		err = fmt.Errorf("imap pass on %q: %w", p.opts.Mailbox, ctx.Err())
	}
	if st.Fetched > 0 {
		p.log.Info("mail pass", "mailbox", p.opts.Mailbox,
			"fetched", st.Fetched, "applied", st.Applied, "duplicates", st.Duplicates,
			"ignored", st.Ignored, "failed", st.Failed, "left", st.Left, "duration", time.Since(start).Round(time.Millisecond))
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
	for _, m := range []string{p.opts.ProcessedMailbox, p.opts.FailedMailbox} {
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

	for len(uids) > 0 {
		if err := ctx.Err(); err != nil {
			return st, err
		}
		// Sizes first, so that an oversize message is never downloaded
		// and a batch stays within MaxBatchBytes.
		next := uids[:min(p.opts.BatchSize, len(uids))]
		sizes, err := fetchSizes(c, next)
		if err != nil {
			return st, err
		}
		n, wanted, failed := p.plan(next, sizes)
		bst, err := p.batch(ctx, c, wanted, failed, hasMove)
		st.add(bst)
		if err != nil {
			return st, err
		}
		uids = uids[n:]
	}
	if st.Left > 0 {
		// The pass fails, so it is tried again (with backoff) and
		// readiness shows it, once every other message is in.
		return st, fmt.Errorf("%d messages left in %q: %w", st.Left, p.opts.Mailbox, tickets.ErrStorage)
	}
	return st, nil
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

// plan picks the next batch from uids, in order: the messages to download
// (wanted, at most MaxBatchBytes together but at least one) and the
// oversize ones (failed, never downloaded). n is how many of uids it
// accounted for, including those gone since the search; the others are
// left for the next batch.
func (p *Poller) plan(uids []imap.UID, sizes map[imap.UID]int64) (n int, wanted []imap.UID, failed []failure) {
	var total int64
	for _, uid := range uids {
		size, ok := sizes[uid]
		switch {
		case !ok:
			// Gone since the search (another client moved it).
		case size > p.opts.MaxMessageSize:
			failed = append(failed, failure{uid, size,
				fmt.Errorf("message size %d exceeds the limit of %d bytes", size, p.opts.MaxMessageSize)})
		case len(wanted) > 0 && total+size > p.opts.MaxBatchBytes:
			return n, wanted, failed
		default:
			wanted = append(wanted, uid)
			total += size
		}
		n++
	}
	return n, wanted, failed
}

// searchUIDs returns the UIDs of a search result in ascending order. A
// dynamic set ("*") would be a server bug and yields nothing rather than
// the panic of SearchData.AllUIDs.
func searchUIDs(data *imap.SearchData) []imap.UID {
	set, ok := data.All.(imap.UIDSet)
	if !ok {
		return nil
	}
	uids, ok := set.Nums()
	if !ok {
		return nil
	}
	uids = slices.DeleteFunc(uids, func(u imap.UID) bool { return u == 0 })
	slices.Sort(uids)
	return slices.Compact(uids)
}

// failure is a message that goes to the failed mailbox.
type failure struct {
	uid    imap.UID
	size   int64
	reason error
}

// batch downloads, parses, applies and moves one batch of messages:
// wanted are downloaded; failed (oversize) go to the failed mailbox with
// those that cannot be parsed.
func (p *Poller) batch(ctx context.Context, c *imapclient.Client, wanted []imap.UID, failed []failure, hasMove bool) (Stats, error) {
	var st Stats
	var (
		okUIDs []imap.UID
		msgs   []tickets.Inbound
	)
	if len(wanted) > 0 {
		err := p.fetchBodies(c, wanted, func(uid imap.UID, size int64, raw []byte, ferr error) {
			if errors.Is(ferr, errNoBody) {
				// Not the message's fault: leave it in the mailbox.
				p.log.Warn("message left for the next pass", "mailbox", p.opts.Mailbox, "uid", uint32(uid), "err", ferr)
				return
			}
			if ferr == nil {
				var in tickets.Inbound
				if in, ferr = mailparse.ParseWithOptions(raw, mailparse.Options{TrustedAuthservID: p.opts.TrustedAuthservID, DeskAddress: p.opts.DeskAddress,
					Attachments: p.opts.Attachments, MaxAttachmentSize: p.opts.MaxAttachmentSize}); ferr == nil {
					okUIDs = append(okUIDs, uid)
					msgs = append(msgs, in)
					return
				}
				if errors.Is(ferr, tickets.ErrStorage) {
					// The disk failed, not the message: an operator
					// must act; the message waits in the mailbox.
					p.log.Error("attachment not stored; message left for the next pass", "mailbox", p.opts.Mailbox,
						"uid", uint32(uid), "err", ferr)
					st.Left++
					return
				}
			}
			failed = append(failed, failure{uid, size, ferr})
		})
		if err != nil {
			return st, err
		}
	}
	st.Fetched = len(msgs) + len(failed) + st.Left

	// Unparseable mail is set aside first: it does not depend on Apply.
	if len(failed) > 0 {
		for _, f := range failed {
			p.log.Warn("unparseable message set aside", "mailbox", p.opts.Mailbox, "uid", uint32(f.uid),
				"size", f.size, "to", p.opts.FailedMailbox, "err", f.reason)
		}
		set := uidSet(failedUIDs(failed))
		if err := p.setAside(c, set, p.opts.FailedMailbox, KeywordFailed, hasMove); err != nil {
			return st, err
		}
		st.Failed = len(failed)
	}

	// Each MessageError takes one message out, so this ends.
	var results []tickets.Result
	for len(msgs) > 0 {
		if err := ctx.Err(); err != nil {
			return st, err
		}
		var err error
		results, err = p.applier.Apply(ctx, msgs)
		if err == nil {
			break
		}
		var merr *tickets.MessageError
		if !errors.As(err, &merr) || merr.Index < 0 || merr.Index >= len(msgs) {
			return st, fmt.Errorf("apply %d messages: %w", len(msgs), err)
		}
		// Nothing was committed and this one message is the cause: set
		// it aside so that it cannot stall the mailbox, then apply the
		// others again.
		i := merr.Index
		p.log.Warn("message refused by tickets set aside", "mailbox", p.opts.Mailbox, "uid", uint32(okUIDs[i]),
			"msgid", msgs[i].MessageID, "to", p.opts.FailedMailbox, "err", err)
		if err := p.setAside(c, uidSet(okUIDs[i:i+1]), p.opts.FailedMailbox, KeywordFailed, hasMove); err != nil {
			return st, err
		}
		st.Failed++
		okUIDs = slices.Delete(okUIDs, i, i+1)
		msgs = slices.Delete(msgs, i, i+1)
	}
	if len(msgs) == 0 {
		return st, nil
	}
	if len(results) != len(msgs) {
		// Committed, but we cannot tell which message got which result:
		// leave them; the next pass sees them as duplicates.
		return st, fmt.Errorf("apply %d messages: got %d results", len(msgs), len(results))
	}
	for i, r := range results {
		switch r.Outcome {
		case tickets.OutcomeCreated, tickets.OutcomeAppended:
			st.Applied++
		case tickets.OutcomeDuplicate:
			st.Duplicates++
		case tickets.OutcomeIgnored:
			st.Ignored++
		}
		p.log.Info("message applied", "mailbox", p.opts.Mailbox, "uid", uint32(okUIDs[i]),
			"msgid", msgs[i].MessageID, "ticket", r.Ticket, "outcome", string(r.Outcome), "reason", r.Reason)
	}
	if err := p.setAside(c, uidSet(okUIDs), p.opts.ProcessedMailbox, KeywordProcessed, hasMove); err != nil {
		return st, err
	}
	return st, nil
}

func failedUIDs(fs []failure) []imap.UID {
	uids := make([]imap.UID, len(fs))
	for i, f := range fs {
		uids[i] = f.uid
	}
	return uids
}

func uidSet(uids []imap.UID) imap.UIDSet {
	var set imap.UIDSet
	set.AddNum(uids...)
	return set
}

// fetchSizes returns RFC822.SIZE by UID.
func fetchSizes(c *imapclient.Client, uids []imap.UID) (map[imap.UID]int64, error) {
	cmd := c.Fetch(uidSet(uids), &imap.FetchOptions{UID: true, RFC822Size: true})
	bufs, err := cmd.Collect() // small items only; Collect closes cmd
	if err != nil {
		return nil, fmt.Errorf("fetch sizes: %w", err)
	}
	sizes := make(map[imap.UID]int64, len(bufs))
	for _, b := range bufs {
		if b.UID != 0 {
			sizes[b.UID] = b.RFC822Size
		}
	}
	return sizes, nil
}

// fetchBodies streams UID, RFC822.SIZE and BODY.PEEK[] for uids, calling
// fn once per message with its raw bytes or the reason it has none. The
// fetch is always read to the end (or closed), or the connection stalls.
func (p *Poller) fetchBodies(c *imapclient.Client, uids []imap.UID, fn func(uid imap.UID, size int64, raw []byte, err error)) error {
	section := &imap.FetchItemBodySection{Peek: true}
	cmd := c.Fetch(uidSet(uids), &imap.FetchOptions{
		UID:         true,
		RFC822Size:  true,
		BodySection: []*imap.FetchItemBodySection{section},
	})
	defer cmd.Close()
	limit := p.opts.MaxMessageSize
	for {
		msg := cmd.Next()
		if msg == nil {
			break
		}
		var (
			uid     imap.UID
			size    int64
			raw     []byte
			gotBody bool
			tooBig  error
		)
		for {
			item := msg.Next()
			if item == nil {
				break
			}
			switch item := item.(type) {
			case imapclient.FetchItemDataUID:
				uid = item.UID
			case imapclient.FetchItemDataRFC822Size:
				size = item.Size
			case imapclient.FetchItemDataBodySection:
				if item.Literal == nil {
					break // NIL: the server has no content to give now
				}
				gotBody = true
				if n := item.Literal.Size(); n > limit {
					// Grew since the size fetch? Not read: msg.Next
					// discards the rest.
					tooBig = fmt.Errorf("message size %d exceeds the limit of %d bytes", n, limit)
					break
				}
				var err error
				raw, err = io.ReadAll(io.LimitReader(item.Literal, limit+1))
				if err != nil {
					// Reading a literal fails only when the connection
					// does; that is never the message's fault.
					return fmt.Errorf("fetch messages: %w", err)
				}
				if int64(len(raw)) > limit {
					tooBig = fmt.Errorf("message exceeds the limit of %d bytes", limit)
					raw = nil
				}
			}
		}
		if uid == 0 {
			continue // not one of ours (unsolicited FETCH)
		}
		if size == 0 {
			size = int64(len(raw))
		}
		switch {
		case tooBig != nil:
			fn(uid, size, nil, tooBig)
		case !gotBody:
			fn(uid, size, nil, errNoBody)
		default:
			fn(uid, size, raw, nil)
		}
	}
	if err := cmd.Close(); err != nil {
		return fmt.Errorf("fetch messages: %w", err)
	}
	return nil
}

// setAside moves the messages to mailbox, or, without MOVE, marks them
// \Seen and keyword. Mail is never deleted or expunged here.
func (p *Poller) setAside(c *imapclient.Client, set imap.UIDSet, mailbox string, keyword imap.Flag, hasMove bool) error {
	if len(set) == 0 {
		return nil
	}
	if hasMove {
		// Only ever called with MOVE advertised: imapclient's Move
		// otherwise falls back to COPY + \Deleted + EXPUNGE.
		if _, err := c.Move(set, mailbox).Wait(); err != nil {
			return fmt.Errorf("move %s to %q: %w", set, mailbox, err)
		}
		return nil
	}
	store := &imap.StoreFlags{Op: imap.StoreFlagsAdd, Silent: true, Flags: []imap.Flag{imap.FlagSeen, keyword}}
	if err := c.Store(set, store, nil).Close(); err != nil {
		return fmt.Errorf("flag %s %s: %w", set, keyword, err)
	}
	return nil
}
