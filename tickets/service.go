package tickets

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	bolt "go.etcd.io/bbolt"
	berrors "go.etcd.io/bbolt/errors"

	"github.com/ticketd/ticketd/templates"
	"github.com/ticketd/ticketd/tiers"
)

// Options configures a Service.
type Options struct {
	Desk      Address            // the support address and the desk's display name
	Tag       string             // subject token tag: [Tag #N]
	Language  templates.Language // language of the mails ticketd writes (templates.Languages)
	Policy    *tiers.Policy
	Templates *templates.Set
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
}

// Service is the ticket workflow: it applies received mail to tickets and
// queues the mail that follows, in one transaction per batch.
type Service struct {
	store  *Store
	opts   Options
	domain string
	token  *tokenMatcher
	wake   chan struct{}
	secret []byte // signs Message-IDs (msgid.go)
}

// NewService returns the workflow over store.
func NewService(store *Store, opts Options) (*Service, error) {
	if opts.Policy == nil || opts.Templates == nil {
		return nil, errors.New("tickets: Policy and Templates are required")
	}
	at := strings.LastIndexByte(opts.Desk.Email, '@')
	if at < 0 {
		return nil, fmt.Errorf("tickets: desk address %q has no domain", opts.Desk.Email)
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	opts.Desk.Email = NormalizeEmail(opts.Desk.Email)
	opts.Limits = opts.Limits.withDefaults()
	opts.AgentLogins, opts.SingleSenderDomains = normalizeLogins(opts.AgentLogins), normalizeDomains(opts.SingleSenderDomains)
	if opts.OnLimit == nil {
		opts.OnLimit = func(string) {}
	}
	secret, err := loadSecret(store)
	if err != nil {
		return nil, err
	}
	s := &Service{
		secret: secret,
		store:  store,
		opts:   opts,
		domain: opts.Desk.Email[at+1:],
		token:  newTokenMatcher(opts.Tag),
		wake:   make(chan struct{}, 1),
	}
	if !store.db.IsReadOnly() {
		if err := s.backfillSLA(); err != nil {
			return nil, fmt.Errorf("start SLA clocks of older tickets: %w", err)
		}
		if err := s.backfillRequesterDomains(); err != nil {
			return nil, fmt.Errorf("index requester domains: %w", err)
		}
	}
	return s, nil
}

// Queued is signalled (without blocking) after a commit that queued mail, so
// the outbox worker can deliver at once.
func (s *Service) Queued() <-chan struct{} { return s.wake }

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
	err := s.store.db.Update(func(tx *bolt.Tx) error {
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

// applier applies one message inside a transaction.
type applier struct {
	s      *Service
	tx     *bolt.Tx
	now    time.Time
	queued int
	// askRating: an agent resolved the ticket; the satisfaction question
	// goes out after the mails of the message that resolved it (the
	// answer first, then the question).
	askRating bool
	silent    bool // an imported message: record, send nothing
}

func (a *applier) apply(m *Inbound) (Result, error) {
	if m.MessageID == "" {
		return Result{}, errors.New("message has no Message-ID nor content hash")
	}
	if ticket, dir, ok := lookupMsgID(a.tx, m.MessageID); ok {
		if dir == dirSent {
			return Result{Ticket: ticket, Outcome: OutcomeIgnored, Reason: "our own mail came back"}, nil
		}
		return Result{Ticket: ticket, Outcome: OutcomeDuplicate}, nil
	}
	from := NormalizeEmail(m.From.Email)
	if from == a.s.opts.Desk.Email {
		return a.ignore(m, "sent from the support address")
	}
	switch m.Kind {
	case KindOwn:
		return a.ignore(m, "ticketd's own mail (its Message-ID)")
	case KindBounce:
		return a.bounce(m)
	}
	if !m.AutoSubmitted {
		// A person writes from this address: it receives mail again.
		if err := clearUndeliverable(a.tx, from); err != nil {
			return Result{}, err
		}
	}
	vendorLevel, isVendor := a.s.opts.Policy.VendorTier(from)
	forgedVendor := isVendor && a.s.opts.RequireVerifiedAgents && !a.deskMemberVerified(m, from)
	if forgedVendor {
		vendorLevel = 0 // its subject's vendor number threads nothing
	}
	t, found, err := a.findTicket(m, vendorLevel)
	if err != nil {
		return Result{}, err
	}
	if found && isVendor {
		if forgedVendor {
			err = a.unverifiedMail(&t, m)
		} else {
			err = a.vendorMail(&t, m, vendorLevel)
		}
		if err != nil {
			return Result{}, err
		}
		t.Updated = a.now
		return Result{Ticket: t.ID, Outcome: OutcomeAppended}, a.save(&t)
	}
	if m.AutoSubmitted {
		if !found || t.Status == StatusClosed {
			return a.ignore(m, "automatic mail (RFC 3834) does not open tickets")
		}
		return a.autoReply(&t, m, "automatic mail: not relayed, not answered")
	}
	if found && t.Status != StatusClosed {
		repeated, err := a.repeatsItself(&t, m)
		if err != nil {
			return Result{}, err
		}
		if repeated {
			return a.autoReply(&t, m, "automatic mail (repeats its sender's earlier text): not relayed, not answered")
		}
	}
	if !found {
		if statusSubject.MatchString(cleanSubject(m.Subject)) {
			return a.statusReply(m)
		}
		return a.create(m, nil, "")
	}
	if why := a.startsNewTicket(&t, from); why != "" {
		return a.create(m, &t, why)
	}
	switch {
	case !a.s.opts.Policy.IsAgent(from):
		err = a.customerMail(&t, m)
	case a.s.opts.RequireVerifiedAgents && !a.deskMemberVerified(m, from):
		err = a.unverifiedMail(&t, m)
	default:
		err = a.agentReply(&t, m)
	}
	if err == nil && a.askRating && t.Status == StatusResolved {
		err = a.askForRating(&t)
	}
	if err != nil {
		return Result{}, err
	}
	t.Updated = a.now
	return Result{Ticket: t.ID, Outcome: OutcomeAppended}, a.save(&t)
}

func (a *applier) ignore(m *Inbound, reason string) (Result, error) {
	if err := indexMsgID(a.tx, m.MessageID, 0, dirIgnored); err != nil {
		return Result{}, err
	}
	return Result{Outcome: OutcomeIgnored, Reason: reason}, nil
}

// findTicket threads m: the subject token first, then In-Reply-To and
// References (newest first) against every Message-ID ticketd has seen or
// sent, then (for mail from a vendor, vendorLevel > 0) the vendor's own
// ticket number. It finds closed tickets too: the caller decides.
func (a *applier) findTicket(m *Inbound, vendorLevel int) (Ticket, bool, error) {
	var candidates []uint64
	if n, ok := a.s.token.find(m.Subject); ok {
		candidates = append(candidates, n)
	}
	for _, id := range m.InReplyTo {
		if n, _, ok := lookupMsgID(a.tx, id); ok && n != 0 {
			candidates = append(candidates, n)
		}
	}
	for i := len(m.References) - 1; i >= 0; i-- {
		if n, _, ok := lookupMsgID(a.tx, m.References[i]); ok && n != 0 {
			candidates = append(candidates, n)
		}
	}
	if ref := a.vendorRef(m.Subject, vendorLevel); ref != "" {
		if n, ok := lookupVendorRef(a.tx, vendorLevel, ref); ok {
			candidates = append(candidates, n)
		}
	}
	// Last, ids signed by this desk that the index does not know, in the
	// headers, then in the quoted text (msgid.go).
	candidates = append(candidates, a.signedCandidates(m)...)
	candidates = append(candidates, a.bodyCandidates(m)...)
	for _, n := range candidates {
		t, err := getTicket(a.tx, n)
		if errors.Is(err, ErrNotFound) {
			continue // a token naming a ticket that does not exist
		}
		if err != nil {
			return Ticket{}, false, err
		}
		return t, true, nil
	}
	return Ticket{}, false, nil
}

// startsNewTicket says why mail from "from" on t must open a new ticket
// (linked to t) instead of joining it; "" when it joins. Agents always join.
func (a *applier) startsNewTicket(t *Ticket, from string) string {
	if a.s.opts.Policy.IsAgent(from) {
		return ""
	}
	switch {
	case t.Status == StatusClosed:
		return fmt.Sprintf("mail on closed ticket #%d", t.ID)
	case t.Status == StatusResolved && a.s.opts.ReopenWindow > 0 && a.now.Sub(t.ResolvedAt) > a.s.opts.ReopenWindow:
		return fmt.Sprintf("mail on ticket #%d, resolved more than %s ago", t.ID, a.s.opts.ReopenWindow)
	case from != t.Requester.Email && !t.isParticipant(from) && !a.s.opts.StrangersJoin:
		return fmt.Sprintf("mail naming ticket #%d from %s, who is not on it", t.ID, from)
	}
	return ""
}

// create opens a ticket for m, acknowledges it to the requester (with
// knowledge-base suggestions) and notifies the first tier. With link, the
// new ticket is linked to that one, for why.
func (a *applier) create(m *Inbound, link *Ticket, why string) (Result, error) {
	b := a.tx.Bucket(bucketTickets)
	id, err := b.NextSequence()
	if err != nil {
		return Result{}, err
	}
	subject := a.capSubject(subjectCleaner{token: a.s.token, own: a.s.opts.Templates.StripOwnPrefix}.clean(m.Subject))
	if subject == "" {
		subject = a.s.opts.Templates.Word(a.s.opts.Language, "no_subject")
	}
	t := Ticket{
		ID:                  id,
		Subject:             subject,
		Status:              StatusNew,
		Priority:            a.s.opts.Policy.DetectPriority(m.Subject, m.Priority),
		Requester:           NewAddress(m.From.Name, m.From.Email),
		Created:             a.now,
		Updated:             a.now,
		RootMessageID:       m.MessageID,
		LastPublicMessageID: m.MessageID,
	}
	if err := a.learnRequesterDomain(m, t.Requester.Email); err != nil {
		return Result{}, err
	}
	a.enterTier(&t, 1)
	if link != nil {
		if err := a.link(&t, link, why); err != nil {
			return Result{}, err
		}
	}
	if err := a.tx.Bucket(bucketRequesters).Put(requesterKey(t.Requester.Email, id), nil); err != nil {
		return Result{}, err
	}
	suggested, err := a.suggestions(t.Subject, customerText(m))
	if err != nil {
		return Result{}, err
	}
	for _, art := range suggested {
		t.Suggested = append(t.Suggested, art.ID)
		if err := countArticle(a.tx, art.ID, false); err != nil {
			return Result{}, err
		}
	}
	if err := addEvent(a.tx, Event{Ticket: id, Time: a.now, Kind: EventCreated, Actor: t.Requester.Email,
		Subject: t.Subject, To: StatusNew, Detail: "priority " + string(t.Priority)}); err != nil {
		return Result{}, err
	}
	if err := a.recordInbound(&t, m, RoleRequester, ""); err != nil {
		return Result{}, err
	}
	if len(suggested) > 0 {
		if err := addEvent(a.tx, Event{Ticket: id, Time: a.now, Kind: EventKB, Detail: fmt.Sprintf("suggested articles %v", t.Suggested)}); err != nil {
			return Result{}, err
		}
	}
	if err := a.acknowledge(&t, m, suggested); err != nil {
		return Result{}, err
	}
	if err := a.noticeNewTicket(&t, m); err != nil {
		return Result{}, err
	}
	if err := a.addParticipants(&t, m); err != nil {
		return Result{}, err
	}
	if err := a.tellDropped(&t, m); err != nil {
		return Result{}, err
	}
	return Result{Ticket: id, Outcome: OutcomeCreated}, a.save(&t)
}

// agentReply applies an agent's mail: its commands, then its text — an
// internal note, or an answer relayed to the requester and Cc participants
// from the support address, so the agent's own address is never shown.
func (a *applier) agentReply(t *Ticket, m *Inbound) error {
	agent := NormalizeEmail(m.From.Email)
	words := parseAgentText(m.Text)
	cmds := words.cmds
	if problems := a.checkAll(t, agent, cmds); len(problems) > 0 {
		// One mistake and nothing happens: a half-applied mail (resolved
		// but not relayed, say) is worse than a clear "try again".
		if err := a.recordInbound(t, m, RoleCommand, "agent: commands not understood, nothing applied"); err != nil {
			return err
		}
		return a.queue(t, outgoing{kind: templates.CommandError, to: []Address{{Email: agent}}, thread: replyThread(m),
			auto: AutoReplied, text: wholeText(m), problems: problems})
	}
	note, send := hasCommand(cmds, "note"), hasCommand(cmds, "send")
	text, relay := a.relayable(words.text)
	if !note && !send && relay && a.s.opts.CollisionCheck {
		newer, err := a.newerPublic(t, m, agent)
		if err != nil {
			return err
		}
		if newer != "" {
			return a.hold(t, m, agent, text, newer)
		}
	}
	role := RoleAgent
	if note {
		role = RoleNote
	}
	if err := a.recordInbound(t, m, role, string(role)); err != nil {
		return err
	}
	if t.Assignee == "" && !note {
		if err := a.assign(t, agent, agent); err != nil {
			return err
		}
	}
	tierBefore := t.Tier
	for _, c := range cmds {
		if err := a.runCommand(t, agent, c); err != nil {
			return err
		}
	}
	if send {
		if !relay { // the held answer, confirmed as it was
			text, relay = t.Held.Text, true
		}
		t.Held = nil
	}
	var err error
	switch {
	case note && words.text != "":
		err = a.queue(t, outgoing{kind: templates.AgentNote, to: a.noteRecipients(t, agent), thread: a.agentThread(t),
			auto: AutoGenerated, text: words.text, author: &Address{Email: agent}})
	case note || (!relay && len(cmds) > 0):
		// commands only: nothing to relay
	case !relay:
		// Tell the agent, who believes the requester has the answer; show
		// them what they sent so an inline answer is easy to re-send.
		err = addEvent(a.tx, Event{Ticket: t.ID, Time: a.now, Kind: EventStatus, Actor: agent,
			Detail: "agent reply with no new text above the quoted mail: nothing relayed"})
		if err == nil {
			err = a.queue(t, outgoing{kind: templates.AgentNotRelayed, to: []Address{{Email: agent}}, thread: replyThread(m),
				auto: AutoReplied, text: wholeText(m)})
		}
	default:
		// The new tier answers for itself: a reply sent with #escalate is the
		// old tier's, and at the vendor's tier only the vendor's answer counts.
		err = a.relayAnswer(t, m, agent, text, t.Tier == tierBefore && !a.tier(t).Vendor)
	}
	if err != nil || !words.kb {
		return err
	}
	// After the answer: "#kb" with no article saves the answer just relayed.
	return a.saveArticle(t, agent, words.article)
}

// relayAnswer sends an agent's answer (text, and the attachments of m) to
// the requester and participants; counts says whether it is the tier's
// first response.
func (a *applier) relayAnswer(t *Ticket, m *Inbound, agent, text string, counts bool) error {
	if t.FirstResponse.IsZero() {
		t.FirstResponse = a.now
	}
	if counts {
		a.responded(t)
	}
	if err := a.setStatus(t, StatusOpen, agent, StatusNew); err != nil {
		return err
	}
	a.publicMessage(t, agent)
	// The public conversation keeps the answer as the requester reads it.
	if err := addEvent(a.tx, Event{Ticket: t.ID, Time: a.now, Kind: EventAnswer, Actor: agent, Text: text}); err != nil {
		return err
	}
	err := a.queue(t, outgoing{kind: templates.Reply, to: []Address{t.Requester}, cc: t.Participants, thread: a.publicThread(t), text: text,
		attachments: storedAttachments(m)})
	if err != nil {
		return err
	}
	return a.tellDropped(t, m)
}

// replyThread threads a mail to an agent under the mail they sent.
func replyThread(m *Inbound) thread {
	return thread{inReplyTo: m.MessageID, references: []string{m.MessageID}}
}

// noteRecipients are who an internal note by author is for: the ticket's
// assignee or, while nobody has it, the agents of its tier; never the
// author. None at all (the assignee writes, or the only agent of the
// tier): the note is kept on the ticket and nobody is mailed.
func (a *applier) noteRecipients(t *Ticket, author string) []Address {
	var to []Address
	for _, r := range a.internalRecipients(t) {
		if r.Email != author {
			to = append(to, r)
		}
	}
	return to
}

// publicMessage notes that the public conversation moved on, by whom.
func (a *applier) publicMessage(t *Ticket, by string) {
	t.LastPublicAt, t.LastPublicBy = a.now, by
}

// relayable returns the part of an agent's text that may reach the
// requester: only the new text (never the quoted notification, which holds
// internal details), without the agent's sign-off (signoff.go) and with
// every agent address blanked out. It reports false when nothing is left
// to relay.
func (a *applier) relayable(text string) (string, bool) {
	text = strings.TrimSpace(text)
	if text == "" || strings.Contains(text, a.s.opts.Templates.ReplyLine(a.s.opts.Language)) {
		return "", false
	}
	text = a.blankAgents(cutSignOff(text))
	return text, strings.TrimSpace(text) != ""
}

// blankAgents removes every agent's address from text.
func (a *applier) blankAgents(text string) string {
	for _, tier := range a.s.opts.Policy.Tiers() {
		for _, agent := range tier.Agents {
			text = replaceFold(text, agent, "")
		}
	}
	return text
}

// customerText is what agents should read of a requester's mail: the new
// text, or the whole body when the mail was all quote (a forward, say).
func customerText(m *Inbound) string {
	if strings.TrimSpace(m.Text) != "" {
		return m.Text
	}
	return m.FullText
}

// wholeText is the whole readable body of m, quotes included, for giving
// a person back what they sent.
func wholeText(m *Inbound) string {
	if m.FullText != "" {
		return m.FullText
	}
	return m.Text
}

// unverifiedMail keeps mail that claims an agent's (or the vendor's,
// or with TrustedAuthResults the requester's) address but could not be
// verified: recorded and shown to the agents with a warning, never
// relayed, and it changes nothing else on the ticket.
func (a *applier) unverifiedMail(t *Ticket, m *Inbound) error {
	if err := a.recordInbound(t, m, RoleUnverified, "unverified sender: nothing applied (From may be forged)"); err != nil {
		return err
	}
	return a.notifyAgents(t, templates.AgentUpdate, m, true)
}

// customerMail adds mail from the requester (or anyone else writing on the
// ticket) and forwards it to the assignee, or the tier's agents.
func (a *applier) customerMail(t *Ticket, m *Inbound) error {
	from := NormalizeEmail(m.From.Email)
	role := RoleOther
	switch {
	case from == t.Requester.Email:
		role = RoleRequester
		if a.s.opts.TrustedAuthResults && !requesterVerified(m, from) {
			return a.unverifiedMail(t, m)
		}
		if err := a.learnRequesterDomain(m, from); err != nil {
			return err
		}
		if err := a.confirmParticipants(t, m); err != nil {
			return err
		}
		if err := a.addParticipants(t, m); err != nil {
			return err
		}
	case t.isParticipant(from):
		role = RoleParticipant
	}
	if role == RoleRequester && t.CSATAsked && t.Status != StatusOpen {
		if rating, comment, ok := parseRating(m.Subject, m.Text); ok {
			return a.rate(t, m, rating, comment)
		}
	}
	detail := string(role) // for people: nothing for the requester, as ever
	if role == RoleRequester {
		detail = ""
	}
	if err := a.recordInbound(t, m, role, detail); err != nil {
		return err
	}
	if role != RoleOther {
		t.LastPublicMessageID = m.MessageID
		a.publicMessage(t, from)
	}
	if n, ok := parseSolved(m.Text); ok && role == RoleRequester {
		return a.solvedByRequester(t, m, n)
	}
	if err := a.setStatus(t, StatusOpen, from, StatusPending, StatusResolved); err != nil {
		return err
	}
	if err := a.notifyAgents(t, templates.AgentUpdate, m, false); err != nil {
		return err
	}
	return a.tellDropped(t, m)
}

// solvedByRequester closes t at the requester's word ("#resuelto [n]"),
// crediting the n-th suggested article (the only one when there is one).
func (a *applier) solvedByRequester(t *Ticket, m *Inbound, n int) error {
	if n == 0 && len(t.Suggested) == 1 {
		n = 1
	}
	if n >= 1 && n <= len(t.Suggested) {
		t.SolvedBy = t.Suggested[n-1]
		if err := countArticle(a.tx, t.SolvedBy, true); err != nil {
			return err
		}
		if err := addEvent(a.tx, Event{Ticket: t.ID, Time: a.now, Kind: EventKB, Actor: t.Requester.Email,
			Detail: fmt.Sprintf("article %d solved it (self-service)", t.SolvedBy)}); err != nil {
			return err
		}
	}
	if err := a.setStatus(t, StatusClosed, t.Requester.Email, StatusNew, StatusOpen, StatusPending, StatusResolved); err != nil {
		return err
	}
	return a.notifyAgents(t, templates.AgentUpdate, m, false)
}

// setStatus moves t to status when its current status is one of from.
func (a *applier) setStatus(t *Ticket, to Status, actor string, from ...Status) error {
	for _, f := range from {
		if t.Status == f {
			ev := Event{Ticket: t.ID, Time: a.now, Kind: EventStatus, Actor: actor, From: t.Status, To: to}
			t.Status = to
			a.slaFollowStatus(t)
			if err := addEvent(a.tx, ev); err != nil {
				return err
			}
			switch to {
			case StatusPending:
				t.PendingSince, t.ReminderSent = a.now, false
			case StatusResolved:
				t.ResolvedAt = a.now
			}
			return nil
		}
	}
	return nil
}

// recordInbound adds m to t's timeline as a mail from role; detail says
// more, for people.
func (a *applier) recordInbound(t *Ticket, m *Inbound, role Role, detail string) error {
	if err := indexMsgID(a.tx, m.MessageID, t.ID, dirReceived); err != nil {
		return err
	}
	return addEvent(a.tx, Event{Ticket: t.ID, Time: a.now, Kind: EventInbound,
		Actor: NormalizeEmail(m.From.Email), MessageID: m.MessageID, Subject: m.Subject, Text: customerText(m), Role: role, Detail: detail,
		Attachments: m.Attachments})
}

// notifyAgents sends m to the ticket's assignee, or to every agent of its
// tier; unverified flags mail that claims an agent's address without proof.
func (a *applier) notifyAgents(t *Ticket, kind templates.Name, m *Inbound, unverified bool) error {
	author := NewAddress(m.From.Name, m.From.Email)
	return a.queue(t, outgoing{kind: kind, to: a.internalRecipients(t), thread: a.agentThread(t), auto: AutoGenerated,
		text: customerText(m), author: &author, unverified: unverified, attachments: storedAttachments(m)})
}

// tier returns the ticket's tier, or the highest configured one when the
// configuration lost tiers since the ticket climbed: its mail must still
// reach someone.
func (a *applier) tier(t *Ticket) tiers.Tier {
	if tier, ok := a.s.opts.Policy.Tier(t.Tier); ok {
		return tier
	}
	all := a.s.opts.Policy.Tiers()
	return all[len(all)-1]
}

type thread struct {
	inReplyTo  string
	references []string
}

// publicThread threads a mail to the requester under the conversation they
// started.
func (a *applier) publicThread(t *Ticket) thread {
	th := thread{inReplyTo: t.LastPublicMessageID}
	if t.RootMessageID != "" {
		th.references = append(th.references, t.RootMessageID)
	}
	if t.LastPublicMessageID != "" && t.LastPublicMessageID != t.RootMessageID {
		th.references = append(th.references, t.LastPublicMessageID)
	}
	return th
}

// outgoing is one mail to queue: which template, to whom, and what it says.
type outgoing struct {
	kind       templates.Name // template name
	to, cc     []Address
	thread     thread
	auto       AutoSubmitted // "" for a person's words
	text       string        // the message shown or relayed
	author     *Address      // who wrote text; nil: the requester
	unverified bool          // text claims an agent's address without proof
	replyTo    *Address
	notice     notice    // SLA and escalation details
	fromTier   string    // the tier a ticket left, for escalation mails
	problems   []string  // command errors
	articles   []Article // knowledge-base suggestions
	rating     int
	rateLinks  []string // the satisfaction question's mailto: links
	// attachments go out with the mail (stored content only).
	attachments []Attachment
	// addresses and code: the people a confirmation asks about, and the
	// code the requester's reply carries.
	addresses []string
	code      string
}

// queue renders o and puts it in the outbox, indexing its Message-ID so
// replies to it thread back to t.
func (a *applier) queue(t *Ticket, o outgoing) error {
	if a.silent {
		return nil // imported: recorded, never mailed
	}
	if len(o.to)+len(o.cc) == 0 {
		return a.nobodyToTell(t, o)
	}
	if dropped := a.deliverable(&o); len(o.to)+len(o.cc) == 0 {
		return a.notSent(t, o, dropped)
	}
	kind := o.kind
	author := t.Requester
	if o.author != nil {
		author = *o.author
	}
	tier := a.tier(t)
	var err error
	data := templates.Data{
		Desk:           a.s.opts.Desk.Name,
		Token:          a.s.token.format(t.ID),
		Ticket:         t.ID,
		Subject:        t.Subject,
		Requester:      displayName(t.Requester),
		RequesterEmail: t.Requester.Email,
		Author:         author.String(),
		Text:           o.text,
		Status:         string(t.Status),
		Tier:           t.Tier,
		TierName:       tier.Name,
		Unverified:     o.unverified,
		Priority:       or(string(t.Priority), "normal"),
		Reason:         o.notice.reason.words(a.s.opts.Templates, a.s.opts.Language),
		History:        o.notice.history,
		Clock:          o.notice.clock,
		Left:           humanDuration(o.notice.left),
		FromTierName:   o.fromTier,
		VendorRef:      t.VendorRef,
		Problems:       o.problems,
		Rating:         o.rating,
		RateLinks:      o.rateLinks,
		DeskAddress:    a.s.opts.Desk.Email,
		Addresses:      o.addresses,
		Code:           o.code,
	}
	if kind == templates.AgentNew {
		if data.Linked, err = a.linkedLines(t); err != nil {
			return err
		}
	}
	for i, art := range o.articles {
		data.Articles = append(data.Articles, templates.ArticleLine{N: i + 1, Title: art.Title, Text: art.Body})
	}
	r, err := a.s.opts.Templates.Render(a.s.opts.Language, kind, data)
	if err != nil {
		return fmt.Errorf("render %s: %w", kind, err)
	}
	id, err := a.tx.Bucket(bucketOutbox).NextSequence()
	if err != nil {
		return err
	}
	msgID, err := a.s.newMessageID(t.ID, id)
	if err != nil {
		return err
	}
	r.Text, r.HTML = withRef(r.Text, r.HTML, msgID)
	mail := Mail{
		ID: id, Ticket: t.ID, Kind: kind,
		From: a.s.opts.Desk, To: o.to, Cc: o.cc, ReplyTo: o.replyTo,
		Subject: r.Subject, Text: r.Text, HTML: r.HTML,
		MessageID: msgID, InReplyTo: o.thread.inReplyTo, References: o.thread.references,
		AutoSubmitted: o.auto, Attachments: o.attachments, Queued: a.now, NextAttempt: a.now,
	}
	if err := putOutbox(a.tx, &mail); err != nil {
		return err
	}
	if err := indexMsgID(a.tx, msgID, t.ID, dirSent); err != nil {
		return err
	}
	if kind.AgentNotice() && t.AgentThreadID == "" {
		t.AgentThreadID = msgID
	}
	if kind == templates.Reply {
		t.LastPublicMessageID = msgID
	}
	a.queued++
	return addEvent(a.tx, Event{Ticket: t.ID, Time: a.now, Kind: EventOutbound, MessageID: msgID,
		Subject: r.Subject, Outbox: id, Recipients: mail.Recipients(), Template: kind, Detail: string(kind)})
}

// newMessageID returns a globally unique Message-ID under the desk's
// domain, signed with the desk's secret (msgid.go).
func (s *Service) newMessageID(ticket, mail uint64) (string, error) {
	return signedMessageID(s.secret, ticket, mail, s.domain)
}

func displayName(a Address) string {
	if a.Name != "" {
		return a.Name
	}
	return a.Email
}
