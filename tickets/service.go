package tickets

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"regexp"
	"sync"
	"time"

	bolt "go.etcd.io/bbolt"
	berrors "go.etcd.io/bbolt/errors"

	"github.com/ticketd/ticketd/langdetect"
	"github.com/ticketd/ticketd/templates"
	"github.com/ticketd/ticketd/tiers"
)

// Options configures a Service.
type Options struct {
	Desk     Address            // the support address and the desk's display name
	Tag      string             // subject token tag: [Tag #N]
	Language templates.Language // language of the desk's mails, and of requesters' when unknown (templates.Languages)
	// Languages are the languages requesters may be written in (every
	// queue's Language always is); empty: every language of Templates.
	Languages []templates.Language
	// DetectLanguage decides each requester's language from their mail
	// and remembers it (language.go); off, only #language sets one.
	DetectLanguage bool
	Policy         *tiers.Policy
	// QueueName names the default queue (the one Desk, Tag, Language and
	// Policy describe) in commands and reports; "": Tag in lower case,
	// "-" for spaces.
	// Aliases are its other addresses (queue.go).
	QueueName string
	Aliases   []string
	// Queues are the desk's other queues (queue.go); none: one queue.
	Queues    []Queue
	Templates *templates.Set
	// Intake classifies new tickets: type and category (intake.go).
	Intake Intake
	// RequireVerifiedAgents makes mail from an agent address count as the
	// agent's only when Inbound.SenderVerified: otherwise anyone could
	// forge From and have the desk relay their words to a requester.
	RequireVerifiedAgents bool
	// AgentLogins maps an agent's or a vendor's address to SMTP AUTH
	// logins that are theirs besides the address itself (verify.go).
	AgentLogins map[string][]string
	// SingleSenderDomains are the domains whose addresses only their owner
	// can send from, so a DKIM/SPF/DMARC pass names the person; nil: every
	// domain no requester has written from (verify.go). Empty: none.
	SingleSenderDomains []string
	// TrustedAuthResults: the MX's Authentication-Results are read
	// (trusted_authserv_id is set), so requester mail is judged by them
	// too; without, new participants need the requester's confirmation.
	TrustedAuthResults bool
	// CollisionCheck holds an agent's answer to a notification older than
	// the newest public message from someone else, until they confirm it.
	CollisionCheck bool
	// CSAT asks the requester to rate the help when a ticket is
	// resolved; a rating of LowRating or less is sent to the desk.
	CSAT      bool
	LowRating int
	// ReopenWindow is how long after its resolution a requester's reply
	// reopens a ticket; later replies open a new ticket linked to it.
	ReopenWindow time.Duration
	// AutoClose closes resolved tickets after this long (0: never).
	AutoClose time.Duration
	// PendingReminder reminds a silent requester this long after the
	// ticket became pending; PendingResolve resolves it this long after
	// the reminder (0: never).
	PendingReminder, PendingResolve time.Duration
	// StrangersJoin lets mail from someone who is neither requester,
	// participant nor agent join the ticket its token names; by default
	// it opens a new ticket linked to that one.
	StrangersJoin bool
	// AssignForwarder makes the agent who forwards a customer's mail to
	// the desk the assignee of the ticket it opens (onbehalf.go).
	AssignForwarder bool
	// KBSuggestions is how many knowledge-base articles an
	// acknowledgement offers at most (0: none); KBMinScore the BM25 score
	// an article needs.
	KBSuggestions int
	KBMinScore    float64
	// Managers (addresses, normalised) get SLA alerts at the last tier
	// and the digests.
	Managers []string
	// NotifyRequesterOnEscalation sends the requester a short notice when
	// the ticket climbs a tier.
	NotifyRequesterOnEscalation bool
	// Location is the time zone of dates shown in mails (nil: UTC).
	Location *time.Location
	Now      func() time.Time // nil: time.Now
	// AckLimit bounds acknowledgements per sender (ratelimit.go); zero:
	// DefaultAckLimit.
	AckLimit AckLimit
	// ImportBefore, when set, is the import cut-off: mail dated before it
	// is applied (tickets created, messages recorded) but causes no mail.
	ImportBefore time.Time
	// ImportAll applies every message as imported (ticketd once --import).
	ImportAll bool
	// Admins receive operational alerts (alert.go); none: alerts are
	// only logged.
	Admins []string
	// Limits caps what one sender or one mail can cause (limits.go);
	// OnLimit, when set, is told the name of each limit hit (it is
	// called inside a transaction: it must be quick and must not block).
	Limits  Limits
	OnLimit func(limit string)
	// Spam is the block list and what #spam does (spam.go).
	Spam SpamOptions
	// DigestPeriod is what the managers' digest covers ("": daily).
	DigestPeriod DigestPeriod
	// Blobs is the attachment store the digest's charts are kept in
	// until sent; nil: digests carry no charts, only their numbers.
	Blobs *Blobs
}

// Service is the ticket workflow: it applies received mail to tickets and
// queues the mail that follows, in one transaction per batch.
type Service struct {
	store  *Store
	opts   Options
	queues *queues
	token  *tokenMatcher // any queue's tag
	wake   chan struct{}
	secret []byte // signs Message-IDs (msgid.go)
	// languages requesters may be written in, and the detector over
	// their stop words (language.go), built on first use: only reading
	// mail needs it, and a one-shot command (a digest, a report) would
	// spend a few milliseconds building it for nothing.
	languages []templates.Language
	detector  func() *langdetect.Detector
	// ratingSubject finds a rating in a reply's subject, in every
	// language (csat.go); compiled on first use, as the detector is built.
	ratingSubject func() *regexp.Regexp
}

// NewService returns the workflow over store.
func NewService(store *Store, opts Options) (*Service, error) {
	if opts.Policy == nil || opts.Templates == nil {
		return nil, errors.New("tickets: Policy and Templates are required")
	}
	opts.Desk.Email = NormalizeEmail(opts.Desk.Email)
	if domainOf(opts.Desk.Email) == "" {
		return nil, fmt.Errorf("tickets: desk address %q has no domain", opts.Desk.Email)
	}
	qs, err := newQueues(&opts)
	if err != nil {
		return nil, fmt.Errorf("tickets: %w", err)
	}
	tags := make([]string, len(qs.all))
	for i, q := range qs.all {
		tags[i] = q.Tag
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	opts.Limits = opts.Limits.withDefaults()
	opts.Spam.Block = normalizeBlock(opts.Spam.Block)
	opts.AgentLogins, opts.SingleSenderDomains = normalizeLogins(opts.AgentLogins), normalizeDomains(opts.SingleSenderDomains)
	if opts.OnLimit == nil {
		opts.OnLimit = func(string) {}
	}
	langs, err := languagesOf(opts)
	if err != nil {
		return nil, err
	}
	secret, err := loadSecret(store)
	if err != nil {
		return nil, err
	}
	s := &Service{
		secret: secret,
		store:  store,
		opts:   opts,
		queues: qs,
		token:  newTokenMatcher(tags...),
		wake:   make(chan struct{}, 1),

		languages:     langs,
		detector:      sync.OnceValue(func() *langdetect.Detector { return newDetector(opts.Templates, langs) }),
		ratingSubject: sync.OnceValue(func() *regexp.Regexp { return ratingSubjectPattern(opts.Templates) }),
	}
	if !store.db.IsReadOnly() {
		if err := s.backfillSLA(); err != nil {
			return nil, fmt.Errorf("start SLA clocks of older tickets: %w", err)
		}
		if err := s.backfillRequesterDomains(); err != nil {
			return nil, fmt.Errorf("index requester domains: %w", err)
		}
		// The report aggregates count days in the desk's time zone.
		if err := store.useZone(s.location(), slog.Default()); err != nil {
			return nil, fmt.Errorf("report aggregates: %w", err)
		}
	}
	return s, nil
}

// Queued is signalled (without blocking) after a commit that queued mail, so
// the outbox worker can deliver at once.
func (s *Service) Queued() <-chan struct{} { return s.wake }

// UntriedMail is the store's count of outbox mails never attempted, and a
// channel closed when it next changes (Store.UntriedMail): what the
// ingest's flow control waits on.
func (s *Service) UntriedMail() (int, <-chan struct{}) { return s.store.UntriedMail() }

// Apply applies msgs in ONE transaction and returns one Result per message,
// in order. On error nothing was committed and the caller keeps the
// messages to try again.
func (s *Service) Apply(ctx context.Context, msgs []Inbound) ([]Result, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	now := s.opts.Now()
	var results []Result
	queued := 0
	err := s.store.update(func(tx *bolt.Tx) error {
		for i := range msgs {
			a := applier{s: s, tx: tx, now: now, silent: s.imported(&msgs[i])}
			r, err := a.apply(&msgs[i])
			if errors.Is(err, berrors.ErrTxClosed) || errors.Is(err, berrors.ErrTxNotWritable) || errors.Is(err, berrors.ErrDatabaseNotOpen) {
				return err // the store's state, not the message's fault
			}
			if err != nil {
				// What a message does happens here, before the commit
				// (where disk errors show): an error now comes from this
				// message, or from the records it touches.
				return &MessageError{Index: i, MessageID: msgs[i].MessageID, Err: err}
			}
			results = append(results, r)
			queued += a.queued
		}
		return nil
	})
	var msgErr *MessageError
	if errors.As(err, &msgErr) {
		return nil, msgErr
	}
	if err != nil {
		return nil, fmt.Errorf("apply: %w", err)
	}
	if queued > 0 {
		s.Wake()
	}
	return results, nil
}

// Wake tells the outbox worker that mail may be due now (just queued, or
// after an admin's retry), without blocking.
func (s *Service) Wake() {
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

func (s *Service) location() *time.Location {
	if s.opts.Location == nil {
		return time.UTC
	}
	return s.opts.Location
}
