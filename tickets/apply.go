package tickets

import (
	"errors"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/ticketd/ticketd/templates"
	"github.com/ticketd/ticketd/tiers"
)

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
	// endingProblem: an agent's command took the ticket from an open
	// status to resolved or closed; answer is the text relayed to its
	// requester by the same mail. A problem's incidents are resolved with
	// that answer once the mail's own answer is queued (problems.go).
	endingProblem bool
	answer        string
	// deskLang is the language of the ticket at hand's queue (on).
	deskLang templates.Language
	// subject is the message's subject as ownSubject cleaned it, done
	// once: language detection and a new ticket both need it.
	subject struct {
		in, out string
		done    bool
	}
}

func (a *applier) apply(m *Inbound) (Result, error) {
	if m.MessageID == "" {
		return Result{}, errors.New("message has no Message-ID nor content hash")
	}
	if out, ok := m.preparedSubject(a.s); ok {
		a.subject.in, a.subject.out, a.subject.done = m.Subject, out, true
	}
	if ticket, dir, ok := lookupMsgID(a.tx, m.MessageID); ok {
		switch dir {
		case dirSent:
			return Result{Ticket: ticket, Outcome: OutcomeIgnored, Reason: "our own mail came back"}, nil
		case dirSpam:
			return Result{Outcome: OutcomeSpam, Reason: "filed as spam before"}, nil
		}
		return Result{Ticket: ticket, Outcome: OutcomeDuplicate}, nil
	}
	from := NormalizeEmail(m.From.Email)
	if a.s.isQueueAddress(from) {
		return a.ignore(m, "sent from a support address")
	}
	switch m.Kind {
	case KindOwn:
		return a.ignore(m, "ticketd's own mail (its Message-ID)")
	case KindBounce:
		return a.bounce(m)
	}
	if reason := a.spamReason(m, from); reason != "" {
		return a.spam(m, reason)
	}
	if !m.AutoSubmitted {
		// A person writes from this address: it receives mail again.
		if err := clearUndeliverable(a.tx, from); err != nil {
			return Result{}, err
		}
	}
	vendorQueue, vendorLevel, isVendor := a.s.vendorAnywhere(from)
	forgedVendor := isVendor && a.s.opts.RequireVerifiedAgents && !a.deskMemberVerified(m, from)
	if forgedVendor {
		vendorLevel = 0 // its subject's vendor number threads nothing
	}
	t, found, err := a.findTicket(m, vendorQueue, vendorLevel)
	if err != nil {
		return Result{}, err
	}
	if found {
		a.on(&t)
		// A vendor of the ticket's queue, at that queue's tier (another
		// queue's vendor is anyone else here).
		vendorLevel, isVendor = a.policy(&t).VendorTier(from)
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
		if statusSubject().MatchString(cleanSubject(m.Subject)) {
			return a.statusReply(m)
		}
		return a.create(m, nil, "")
	}
	if why := a.startsNewTicket(&t, from); why != "" {
		return a.create(m, &t, why)
	}
	switch {
	case !a.agentOn(&t, from):
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
func (a *applier) findTicket(m *Inbound, vendorQueue *Queue, vendorLevel int) (Ticket, bool, error) {
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
	if ref := vendorRef(vendorQueue, m.Subject, vendorLevel); ref != "" {
		if n, ok := lookupVendorRef(a.tx, vendorLevel, ref); ok {
			candidates = append(candidates, n)
		}
	}
	if t, found, err := a.firstTicket(candidates); found || err != nil {
		return t, found, err
	}
	// Last, ids signed by this desk that the index does not know, in the
	// headers, then in the quoted text (msgid.go): looked for only when
	// nothing above names a ticket, as they would come after it.
	candidates = append(a.signedCandidates(m), a.bodyCandidates(m)...)
	return a.firstTicket(candidates)
}

// firstTicket returns the first of candidates that exists (or the ticket
// it was merged into).
func (a *applier) firstTicket(candidates []uint64) (Ticket, bool, error) {
	for _, n := range candidates {
		t, err := getTicket(a.tx, n)
		if errors.Is(err, ErrNotFound) {
			continue // a token naming a ticket that does not exist
		}
		if err != nil {
			return Ticket{}, false, err
		}
		// A merged ticket's mail lands on the one it was merged into.
		t, err = a.survivor(t)
		return t, err == nil, err
	}
	return Ticket{}, false, nil
}

// startsNewTicket says why mail from "from" on t must open a new ticket
// (linked to t) instead of joining it; "" when it joins. Agents always join.
func (a *applier) startsNewTicket(t *Ticket, from string) string {
	if a.agentOn(t, from) {
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
	m, fwd := a.onBehalf(m) // onbehalf.go: an agent's forward is its sender's ticket
	id, err := nextTicketID(a.tx)
	if err != nil {
		return Result{}, err
	}
	q := a.s.route(m)
	if link != nil {
		q = a.s.queueOf(link) // a ticket that continues another stays in its queue
	}
	subject := a.capSubject(a.ownSubject(m.Subject))
	if subject == "" {
		subject = a.s.opts.Templates.Word(q.Language, "no_subject")
	}
	t := Ticket{
		ID:                  id,
		Queue:               a.s.ticketQueueName(q),
		Subject:             subject,
		Status:              StatusNew,
		Priority:            q.Policy.DetectPriority(m.Subject, m.Priority),
		Requester:           NewAddress(m.From.Name, m.From.Email),
		Created:             a.now,
		Updated:             a.now,
		RootMessageID:       m.MessageID,
		LastPublicMessageID: m.MessageID,
	}
	a.on(&t)
	class := a.s.intake(&t).Classify(m)
	t.Type, t.Category = class.Type, class.Category
	if fwd == nil { // a forward proves the agent's domain, not the requester's
		if err := a.learnRequesterDomain(m, t.Requester.Email); err != nil {
			return Result{}, err
		}
	}
	if err := a.learnLanguage(&t, m); err != nil {
		return Result{}, err
	}
	a.enterTier(&t, a.s.startTier(&t))
	t.OpenedTier = t.Tier
	if link != nil {
		if err := a.link(&t, link, why); err != nil {
			return Result{}, err
		}
	}
	if err := indexRequester(a.tx, t.Requester.Email, id); err != nil {
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
		Subject: t.Subject, To: StatusNew, Detail: createdDetail(&t, class)}); err != nil {
		return Result{}, err
	}
	if err := a.recordInbound(&t, m, RoleRequester, ""); err != nil {
		return Result{}, err
	}
	if fwd != nil {
		if err := a.openedOnBehalf(&t, fwd); err != nil {
			return Result{}, err
		}
	}
	if len(suggested) > 0 {
		if err := addEvent(a.tx, Event{Ticket: id, Time: a.now, Kind: EventKB, Detail: fmt.Sprintf("suggested articles %v", t.Suggested)}); err != nil {
			return Result{}, err
		}
	}
	if err := a.acknowledge(&t, m, suggested); err != nil {
		return Result{}, err
	}
	if err := a.noticeNewTicket(&t, a.forwardNotice(m, fwd)); err != nil {
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
		if err := a.learnLanguage(t, m); err != nil {
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
		if rating, comment, ok := parseRating(a.s.ratingSubject(), m.Subject, m.Text); ok {
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
	if err := a.showOnProblem(t, m); err != nil {
		return err
	}
	return a.tellDropped(t, m)
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

// publicMessage notes that the public conversation moved on, by whom.
func (a *applier) publicMessage(t *Ticket, by string) {
	t.LastPublicAt, t.LastPublicBy = a.now, by
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
			a.markStatus(t, f, actor)
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
	if tier, ok := a.policy(t).Tier(t.Tier); ok {
		return tier
	}
	all := a.policy(t).Tiers()
	return all[len(all)-1]
}
