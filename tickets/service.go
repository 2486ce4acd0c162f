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
	Desk      Address // the support address and the desk's display name
	Tag       string  // subject token tag: [Tag #N]
	Language  string  // language of the mails ticketd writes: "es" or "en"
	Policy    *tiers.Policy
	Templates *templates.Set
	// RequireVerifiedAgents makes mail from an agent address count as the
	// agent's only when Inbound.SenderVerified: otherwise anyone could
	// forge From and have the desk relay their words to a requester.
	RequireVerifiedAgents bool
	Now                   func() time.Time // nil: time.Now
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
	secret, err := loadSecret(store)
	if err != nil {
		return nil, err
	}
	return &Service{
		secret: secret,
		store:  store,
		opts:   opts,
		domain: opts.Desk.Email[at+1:],
		token:  newTokenMatcher(opts.Tag),
		wake:   make(chan struct{}, 1),
	}, nil
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
		select {
		case s.wake <- struct{}{}:
		default:
		}
	}
	return results, nil
}

// applier applies one message inside a transaction.
type applier struct {
	s      *Service
	tx     *bolt.Tx
	now    time.Time
	queued int
	silent bool // an imported message: record, send nothing
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
	t, found, err := a.findTicket(m)
	if err != nil {
		return Result{}, err
	}
	if m.AutoSubmitted {
		if !found {
			return a.ignore(m, "automatic mail (RFC 3834) does not open tickets")
		}
		// Recorded, but never answered nor forwarded: two robots must not talk.
		if err := a.recordInbound(&t, m, "automatic mail"); err != nil {
			return Result{}, err
		}
		return Result{Ticket: t.ID, Outcome: OutcomeAppended}, putTicket(a.tx, &t)
	}
	if !found {
		return a.create(m)
	}
	switch {
	case !a.s.opts.Policy.IsAgent(from):
		err = a.customerMail(&t, m)
	case a.s.opts.RequireVerifiedAgents && !m.SenderVerified:
		err = a.unverifiedAgentMail(&t, m)
	default:
		err = a.agentReply(&t, m)
	}
	if err != nil {
		return Result{}, err
	}
	t.Updated = a.now
	return Result{Ticket: t.ID, Outcome: OutcomeAppended}, putTicket(a.tx, &t)
}

func (a *applier) ignore(m *Inbound, reason string) (Result, error) {
	if err := indexMsgID(a.tx, m.MessageID, 0, dirIgnored); err != nil {
		return Result{}, err
	}
	return Result{Outcome: OutcomeIgnored, Reason: reason}, nil
}

// findTicket threads m: the subject token first, then In-Reply-To and
// References (newest first) against every Message-ID ticketd has seen or
// sent. A closed ticket is not reopened: its thread starts a new ticket.
func (a *applier) findTicket(m *Inbound) (Ticket, bool, error) {
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
	// Last, ids signed by this desk that the index does not know.
	candidates = append(candidates, a.signedCandidates(m)...)
	for _, n := range candidates {
		t, err := getTicket(a.tx, n)
		if errors.Is(err, ErrNotFound) {
			continue // a token naming a ticket that does not exist
		}
		if err != nil {
			return Ticket{}, false, err
		}
		if t.Status == StatusClosed {
			return Ticket{}, false, nil
		}
		return t, true, nil
	}
	return Ticket{}, false, nil
}

// create opens a ticket for m, acknowledges it to the requester and
// notifies the first tier.
func (a *applier) create(m *Inbound) (Result, error) {
	b := a.tx.Bucket(bucketTickets)
	id, err := b.NextSequence()
	if err != nil {
		return Result{}, err
	}
	subject := cleanSubject(a.s.token.strip(m.Subject))
	if subject == "" {
		subject = "(sin asunto)"
		if a.s.opts.Language == "en" {
			subject = "(no subject)"
		}
	}
	t := Ticket{
		ID:                  id,
		Subject:             subject,
		Status:              StatusNew,
		Tier:                1,
		Requester:           NewAddress(m.From.Name, m.From.Email),
		Created:             a.now,
		Updated:             a.now,
		RootMessageID:       m.MessageID,
		LastPublicMessageID: m.MessageID,
	}
	a.addParticipants(&t, m)
	if err := addEvent(a.tx, Event{Ticket: id, Time: a.now, Kind: EventCreated, Actor: t.Requester.Email,
		Subject: t.Subject, To: StatusNew}); err != nil {
		return Result{}, err
	}
	if err := a.recordInbound(&t, m, ""); err != nil {
		return Result{}, err
	}
	if err := a.acknowledge(&t, m); err != nil {
		return Result{}, err
	}
	if err := a.notifyAgents(&t, "agent_new", m, false); err != nil {
		return Result{}, err
	}
	if err := a.tellDropped(&t, m); err != nil {
		return Result{}, err
	}
	return Result{Ticket: id, Outcome: OutcomeCreated}, putTicket(a.tx, &t)
}

// agentReply relays an agent's answer to the requester and Cc participants
// from the support address, so the agent's own address is never shown.
func (a *applier) agentReply(t *Ticket, m *Inbound) error {
	agent := NormalizeEmail(m.From.Email)
	if err := a.recordInbound(t, m, "agent"); err != nil {
		return err
	}
	if t.Assignee == "" {
		t.Assignee = agent
		if err := addEvent(a.tx, Event{Ticket: t.ID, Time: a.now, Kind: EventAssigned, Actor: agent, Detail: agent}); err != nil {
			return err
		}
	}
	text, ok := a.relayable(m.Text)
	if !ok {
		// Tell the agent, who believes the requester has the answer; show
		// them what they sent so an inline answer is easy to re-send.
		err := addEvent(a.tx, Event{Ticket: t.ID, Time: a.now, Kind: EventStatus, Actor: agent,
			Detail: "agent reply with no new text above the quoted mail: nothing relayed"})
		if err != nil {
			return err
		}
		th := thread{inReplyTo: m.MessageID, references: []string{m.MessageID}}
		return a.queue(t, outgoing{kind: "agent_not_relayed", to: []Address{{Email: agent}}, thread: th,
			auto: "auto-replied", text: m.FullText})
	}
	if t.FirstResponse.IsZero() {
		t.FirstResponse = a.now
	}
	if err := a.setStatus(t, StatusOpen, agent, StatusNew); err != nil {
		return err
	}
	err := a.queue(t, outgoing{kind: "reply", to: []Address{t.Requester}, cc: t.Participants, thread: a.publicThread(t), text: text,
		attachments: storedAttachments(m)})
	if err != nil {
		return err
	}
	return a.tellDropped(t, m)
}

// relayable returns the part of an agent's text that may reach the
// requester: only the new text (never the quoted notification, which holds
// internal details), with every agent address blanked out (signatures).
// It reports false when nothing is left to relay.
func (a *applier) relayable(text string) (string, bool) {
	text = strings.TrimSpace(text)
	if text == "" || strings.Contains(text, templates.ReplyLine(a.s.opts.Language)) {
		return "", false
	}
	for _, tier := range a.s.opts.Policy.Tiers() {
		for _, agent := range tier.Agents {
			text = replaceFold(text, agent, "")
		}
	}
	return text, strings.TrimSpace(text) != ""
}

// replaceFold replaces every case-insensitive occurrence of the address
// old in s — whole addresses only: with agent ana@example.com, the text
// "mariana@example.com" stays as it is.
func replaceFold(s, old, repl string) string {
	lower := strings.ToLower(s)
	if len(lower) != len(s) { // lower-casing changed byte offsets: exact case only
		lower = s
	}
	var b strings.Builder
	for from := 0; ; {
		i := strings.Index(lower[from:], old)
		if i < 0 {
			b.WriteString(s[from:])
			return b.String()
		}
		start, end := from+i, from+i+len(old)
		if (start > 0 && isAddrChar(s[start-1])) || (end < len(s) && isAddrChar(s[end])) {
			b.WriteString(s[from:end]) // part of a longer address
		} else {
			b.WriteString(s[from:start])
			b.WriteString(repl)
		}
		from = end
	}
}

// isAddrChar reports whether c can continue an address on either side
// (the dot only when it is not the end of a sentence: "a@b.com." ends one).
func isAddrChar(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' ||
		c == '_' || c == '+' || c == '-' || c == '%'
}

// customerText is what agents should read of a requester's mail: the new
// text, or the whole body when the mail was all quote (a forward, say).
func customerText(m *Inbound) string {
	if strings.TrimSpace(m.Text) != "" {
		return m.Text
	}
	return m.FullText
}

// unverifiedAgentMail keeps mail that claims an agent's address but could
// not be verified: recorded and shown to the agents with a warning, never
// relayed, and it changes nothing else on the ticket.
func (a *applier) unverifiedAgentMail(t *Ticket, m *Inbound) error {
	if err := a.recordInbound(t, m, "unverified agent address: not relayed (From may be forged)"); err != nil {
		return err
	}
	return a.notifyAgents(t, "agent_update", m, true)
}

// customerMail adds mail from the requester (or anyone else writing on the
// ticket) and forwards it to the assignee, or the tier's agents.
func (a *applier) customerMail(t *Ticket, m *Inbound) error {
	from := NormalizeEmail(m.From.Email)
	role := "other"
	switch {
	case from == t.Requester.Email:
		role = ""
		a.addParticipants(t, m)
	case t.isParticipant(from):
		role = "participant"
	}
	if err := a.recordInbound(t, m, role); err != nil {
		return err
	}
	if role != "other" {
		t.LastPublicMessageID = m.MessageID
	}
	if err := a.setStatus(t, StatusOpen, from, StatusPending, StatusResolved); err != nil {
		return err
	}
	if err := a.notifyAgents(t, "agent_update", m, false); err != nil {
		return err
	}
	return a.tellDropped(t, m)
}

// setStatus moves t to status when its current status is one of from.
func (a *applier) setStatus(t *Ticket, to Status, actor string, from ...Status) error {
	for _, f := range from {
		if t.Status == f {
			ev := Event{Ticket: t.ID, Time: a.now, Kind: EventStatus, Actor: actor, From: t.Status, To: to}
			t.Status = to
			return addEvent(a.tx, ev)
		}
	}
	return nil
}

func (a *applier) recordInbound(t *Ticket, m *Inbound, detail string) error {
	if err := indexMsgID(a.tx, m.MessageID, t.ID, dirReceived); err != nil {
		return err
	}
	return addEvent(a.tx, Event{Ticket: t.ID, Time: a.now, Kind: EventInbound,
		Actor: NormalizeEmail(m.From.Email), MessageID: m.MessageID, Subject: m.Subject, Text: customerText(m), Detail: detail,
		Attachments: m.Attachments})
}

// addParticipants adds the people the requester copied (To and Cc, except the
// desk, agents and the requester) so they receive public answers.
func (a *applier) addParticipants(t *Ticket, m *Inbound) {
	for _, list := range [][]Address{m.To, m.Cc} {
		for _, addr := range list {
			e := NormalizeEmail(addr.Email)
			if e == "" || e == a.s.opts.Desk.Email || e == t.Requester.Email ||
				a.s.opts.Policy.IsAgent(e) || t.isParticipant(e) {
				continue
			}
			t.Participants = append(t.Participants, NewAddress(addr.Name, e))
		}
	}
}

func (t *Ticket) isParticipant(email string) bool {
	for _, p := range t.Participants {
		if p.Email == email {
			return true
		}
	}
	return false
}

// notifyAgents sends m to the ticket's assignee, or to every agent of its
// tier; unverified flags mail that claims an agent's address without proof.
func (a *applier) notifyAgents(t *Ticket, kind string, m *Inbound, unverified bool) error {
	var to []Address
	if t.Assignee != "" {
		to = []Address{{Email: t.Assignee}}
	} else {
		for _, e := range a.tier(t).Agents {
			to = append(to, Address{Email: e})
		}
	}
	th := thread{inReplyTo: t.AgentThreadID}
	if t.AgentThreadID != "" {
		th.references = []string{t.AgentThreadID}
	}
	author := NewAddress(m.From.Name, m.From.Email)
	return a.queue(t, outgoing{kind: kind, to: to, thread: th, auto: "auto-generated",
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
	kind       string // template name
	to, cc     []Address
	thread     thread
	auto       string   // Auto-Submitted value; "" for a person's words
	text       string   // the message shown or relayed
	author     *Address // who wrote text; nil: the requester
	unverified bool     // text claims an agent's address without proof
	// attachments go out with the mail (stored content only).
	attachments []Attachment
}

// queue renders o and puts it in the outbox, indexing its Message-ID so
// replies to it thread back to t.
func (a *applier) queue(t *Ticket, o outgoing) error {
	if a.silent {
		return nil // imported: recorded, never mailed
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
	mail := Mail{
		ID: id, Ticket: t.ID, Kind: kind,
		From: a.s.opts.Desk, To: o.to, Cc: o.cc,
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
	if strings.HasPrefix(kind, "agent_") && t.AgentThreadID == "" {
		t.AgentThreadID = msgID
	}
	if kind == "reply" {
		t.LastPublicMessageID = msgID
	}
	a.queued++
	return addEvent(a.tx, Event{Ticket: t.ID, Time: a.now, Kind: EventOutbound, MessageID: msgID,
		Subject: r.Subject, Outbox: id, Recipients: mail.Recipients(), Detail: kind})
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
