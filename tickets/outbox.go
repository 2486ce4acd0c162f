// The outbox writer: the only code that puts new mail in the outbox and
// indexes the Message-IDs ticketd sends (signed, msgid.go). Everything
// that mails someone builds an outgoing (or, for mail of no ticket, a
// Mail) and comes through here.

package tickets

import (
	"fmt"
	"slices"

	bolt "go.etcd.io/bbolt"

	"github.com/ticketd/ticketd/templates"
)

type thread struct {
	inReplyTo  string
	references []string
}

// replyThread threads a mail to an agent under the mail they sent.
func replyThread(m *Inbound) thread {
	return thread{inReplyTo: m.MessageID, references: []string{m.MessageID}}
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
	fromQueue  string    // the queue a ticket left (display name), for queue_moved
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
	// related is the other ticket a merge or a problem notice names.
	related *templates.TicketLine
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
	q := a.s.queueOf(t)
	rcpts := o.to // the language follows every recipient; no copy without Cc
	if len(o.cc) > 0 {
		rcpts = append(slices.Clone(o.to), o.cc...)
	}
	lang := a.languageFor(t, rcpts)
	var err error
	data := templates.Data{
		Desk:           q.Desk.Name,
		Token:          a.s.tokenOf(t),
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
		Type:           string(a.s.typeOf(t)),
		Category:       t.Category,
		Reason:         o.notice.reason.words(a.s.opts.Templates, lang),
		History:        o.notice.history,
		Clock:          o.notice.clock,
		Left:           humanDuration(o.notice.left),
		FromTierName:   o.fromTier,
		FromQueue:      o.fromQueue,
		VendorRef:      t.VendorRef,
		Problems:       o.problems,
		Rating:         o.rating,
		RateLinks:      o.rateLinks,
		DeskAddress:    q.Desk.Email,
		Addresses:      o.addresses,
		Code:           o.code,
	}
	if o.related != nil {
		data.Related = *o.related
	}
	if kind == templates.AgentNew {
		if data.Linked, err = a.linkedLines(t); err != nil {
			return err
		}
		data.FirstResponseTarget, data.ResolutionTarget = humanDuration(t.SLA.FirstResponse.Target), humanDuration(t.SLA.Resolution.Target)
	}
	for i, art := range o.articles {
		data.Articles = append(data.Articles, templates.ArticleLine{N: i + 1, Title: art.Title, Text: art.Body})
	}
	mail := Mail{
		Ticket: t.ID, Kind: kind,
		From: q.Desk, To: o.to, Cc: o.cc, ReplyTo: o.replyTo,
		InReplyTo: o.thread.inReplyTo, References: o.thread.references,
		AutoSubmitted: o.auto, Attachments: o.attachments, Queued: a.now, NextAttempt: a.now,
	}
	// queueMail in two steps: the Message-ID first, so that the
	// reference line is added as the bodies leave the renderer's buffers.
	if err := a.s.numberMail(a.tx, &mail); err != nil {
		return err
	}
	err = a.s.opts.Templates.RenderFunc(lang, kind, data, func(subject string, text, html []byte) error {
		mail.Subject = subject
		mail.Text, mail.HTML = withRef(text, html, mail.MessageID)
		return nil
	})
	if err != nil {
		return fmt.Errorf("render %s: %w", kind, err)
	}
	if err := a.s.putMail(a.tx, &mail); err != nil {
		return err
	}
	id, msgID := mail.ID, mail.MessageID
	if kind.AgentNotice() && t.AgentThreadID == "" {
		t.AgentThreadID = msgID
	}
	if kind == templates.Reply || kind == templates.ProblemResolved {
		t.LastPublicMessageID = msgID
	}
	a.queued++
	return addEvent(a.tx, Event{Ticket: t.ID, Time: a.now, Kind: EventOutbound, MessageID: msgID,
		Subject: mail.Subject, Outbox: id, Recipients: mail.Recipients(), Template: kind, Detail: string(kind)})
}

// newMessageID returns a globally unique Message-ID under the domain of
// from (the queue the mail goes out from; the default queue's when from
// is none of ours), signed with the desk's secret (msgid.go).
func (s *Service) newMessageID(ticket, mail uint64, from string) (string, error) {
	domain := domainOf(from)
	if !s.isQueueAddress(from) {
		domain = s.defaultQueue().domain
	}
	return signedMessageID(s.secret, ticket, mail, domain)
}

// queueMail puts m in the outbox: a new outbox id, a Message-ID signed
// for m.Ticket (0 for mail of no ticket: digests, status replies, alerts)
// and indexed as sent, so replies to it thread back (or, for no ticket,
// are known as ticketd's own). A ticket's mail also carries its Message-ID
// in the text (withRef), for replies that lose the headers.
func (s *Service) queueMail(tx *bolt.Tx, m *Mail) error {
	if err := s.numberMail(tx, m); err != nil {
		return err
	}
	if m.Ticket != 0 {
		m.Text, m.HTML = withRef([]byte(m.Text), []byte(m.HTML), m.MessageID)
	}
	return s.putMail(tx, m)
}

// numberMail gives m its outbox id and its Message-ID.
func (s *Service) numberMail(tx *bolt.Tx, m *Mail) error {
	id, err := nextOutboxID(tx)
	if err != nil {
		return err
	}
	m.ID = id
	m.MessageID, err = s.newMessageID(m.Ticket, id, m.From.Email)
	return err
}

// putMail writes a numbered m to the outbox and indexes its Message-ID.
func (s *Service) putMail(tx *bolt.Tx, m *Mail) error {
	if err := putOutbox(tx, s.store.untried, m); err != nil {
		return err
	}
	return indexMsgID(tx, m.MessageID, m.Ticket, dirSent)
}
