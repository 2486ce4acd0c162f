// Queues: several support addresses served by one desk (one daemon, one
// store). Each queue has its own address(es), display name, subject tag,
// language and tier ladder; ticket numbers stay global, so "[Ventas #12]"
// and "[Soporte #12]" name the same ticket.
//
// The default queue is the one Options.Desk, Tag, Language and Policy
// describe (a config without [[queues]]: today's desk); Options.Queues
// adds the others. Ticket.Queue holds the name of a ticket's queue, ""
// for the default one, so tickets of a store older than queues stay on
// the default queue.
//
// Agents are per queue: an agent of queue A is an agent on A's tickets
// only. On B's tickets they are anyone else (their mail is relayed as a
// stranger's or opens a new ticket, and their commands never run), unless
// B lists them too. Escalation follows the ticket's queue's ladder.

package tickets

import (
	"errors"
	"fmt"
	"strings"

	"github.com/ticketd/ticketd/templates"
	"github.com/ticketd/ticketd/tiers"
)

// Queue is one support address of the desk (and its aliases), with its own
// identity and tier ladder.
type Queue struct {
	// Name identifies the queue in #queue commands, reports and metrics;
	// compared case-insensitively.
	Name string
	// Desk is the address mail goes out from (the first configured one)
	// and the queue's display name.
	Desk Address
	// Aliases are the queue's other addresses: mail to them is routed to
	// the queue, nothing is ever sent from them.
	Aliases []string
	// Tag is the subject token's tag: [Tag #N].
	Tag string
	// Language is the language of the mails the queue writes.
	Language templates.Language
	// Policy is the queue's tier ladder, agents and targets.
	Policy *tiers.Policy
	// Mailbox is the IMAP mailbox that receives this queue's mail (mail in
	// it that names no queue address lands here); "" for none of its own.
	Mailbox string
	// Intake classifies the queue's new tickets: type and category
	// (intake.go).
	Intake Intake

	domain string
}

// Addresses returns the queue's addresses: the From address first, then
// the aliases.
func (q *Queue) Addresses() []string {
	return append([]string{q.Desk.Email}, q.Aliases...)
}

// queues holds the desk's queues, the default one first, and the indexes
// routing and threading use.
type queues struct {
	all    []*Queue          // all[0] is the default queue
	byName map[string]*Queue // lower-cased name
	byAddr map[string]*Queue // normalised address (and alias)
	byBox  map[string]*Queue // IMAP mailbox
}

// defaultQueueName is the default queue's name: Options.QueueName, else
// its tag in lower case with "-" for spaces (a name is one word).
func (o *Options) defaultQueueName() string {
	if o.QueueName != "" {
		return o.QueueName
	}
	return strings.Join(strings.Fields(strings.ToLower(o.Tag)), "-")
}

// newQueues validates the default queue (from opts) and opts.Queues.
func newQueues(opts *Options) (*queues, error) {
	def := Queue{Name: opts.defaultQueueName(), Desk: opts.Desk, Aliases: opts.Aliases, Tag: opts.Tag,
		Language: opts.Language, Policy: opts.Policy, Intake: opts.Intake}
	qs := &queues{byName: map[string]*Queue{}, byAddr: map[string]*Queue{}, byBox: map[string]*Queue{}}
	var errs []error
	for i, q := range append([]Queue{def}, opts.Queues...) {
		q.Desk.Email = NormalizeEmail(q.Desk.Email)
		q.domain = domainOf(q.Desk.Email)
		if q.domain == "" {
			errs = append(errs, fmt.Errorf("queue %q: address %q has no domain", q.Name, q.Desk.Email))
		}
		if i > 0 && (q.Policy == nil || q.Tag == "") {
			errs = append(errs, fmt.Errorf("queue %q: Policy and Tag are required", q.Name))
		}
		if q.Language == "" {
			q.Language = opts.Language
		}
		if err := q.Intake.Validate(q.Policy); err != nil {
			errs = append(errs, fmt.Errorf("queue %q: intake: %w", q.Name, err))
		}
		key := strings.ToLower(q.Name)
		if key == "" || qs.byName[key] != nil {
			errs = append(errs, fmt.Errorf("queue %q: a name is required, unique among queues", q.Name))
		}
		qs.byName[key] = &q
		aliases := make([]string, 0, len(q.Aliases))
		for _, a := range q.Aliases {
			aliases = append(aliases, NormalizeEmail(a))
		}
		q.Aliases = aliases
		for _, a := range q.Addresses() {
			if other := qs.byAddr[a]; other != nil && other != &q {
				errs = append(errs, fmt.Errorf("queue %q: address %s is already queue %q's", q.Name, a, other.Name))
			}
			qs.byAddr[a] = &q
		}
		if q.Mailbox != "" {
			if other := qs.byBox[q.Mailbox]; other != nil {
				errs = append(errs, fmt.Errorf("queue %q: mailbox %s is already queue %q's", q.Name, q.Mailbox, other.Name))
			}
			qs.byBox[q.Mailbox] = &q
		}
		qs.all = append(qs.all, &q)
	}
	return qs, errors.Join(errs...)
}

// Queues returns the desk's queues, the default one first.
func (s *Service) Queues() []*Queue { return s.queues.all }

// defaultQueue is the queue of tickets whose Queue is "".
func (s *Service) defaultQueue() *Queue { return s.queues.all[0] }

// queueOf returns t's queue; the default queue for "" and for a queue the
// configuration no longer has (its tickets must still reach someone).
func (s *Service) queueOf(t *Ticket) *Queue {
	if t == nil || t.Queue == "" {
		return s.defaultQueue()
	}
	if q := s.queues.byName[strings.ToLower(t.Queue)]; q != nil {
		return q
	}
	return s.defaultQueue()
}

// queueNamed returns the queue called name (case-insensitive).
func (s *Service) queueNamed(name string) (*Queue, bool) {
	q := s.queues.byName[strings.ToLower(strings.TrimSpace(name))]
	return q, q != nil
}

// ticketQueueName is what Ticket.Queue holds for q: "" for the default.
func (s *Service) ticketQueueName(q *Queue) string {
	if q == s.defaultQueue() {
		return ""
	}
	return q.Name
}

// QueueName returns the name of t's queue, for reports.
func (s *Service) QueueName(t *Ticket) string { return s.queueOf(t).Name }

// deskLanguage is the language the desk writes in on t: its queue's.
func (s *Service) deskLanguage(t *Ticket) templates.Language { return s.queueOf(t).Language }

// token formats t's subject token with its queue's tag.
func (s *Service) tokenOf(t *Ticket) string { return formatToken(s.queueOf(t).Tag, t.ID) }

// isQueueAddress reports whether addr is one of the desk's own addresses
// (any queue, aliases included).
func (s *Service) isQueueAddress(addr string) bool {
	return s.queues.byAddr[NormalizeEmail(addr)] != nil
}

// ownsDomain reports whether domain is a queue's: ticketd signs
// Message-IDs under it.
func (s *Service) ownsDomain(domain string) bool {
	for _, q := range s.queues.all {
		if strings.EqualFold(q.domain, domain) {
			return true
		}
	}
	return false
}

// isAgentAnywhere reports whether addr is an agent of any queue: for what
// is not about one ticket (verification of a desk member, blanking agents'
// addresses in text that reaches a requester).
func (s *Service) isAgentAnywhere(addr string) bool {
	for _, q := range s.queues.all {
		if q.Policy.IsAgent(addr) {
			return true
		}
	}
	return false
}

// vendorAnywhere returns the first queue (the default first) that has
// addr as a vendor, and the vendor's tier there.
func (s *Service) vendorAnywhere(addr string) (*Queue, int, bool) {
	for _, q := range s.queues.all {
		if level, ok := q.Policy.VendorTier(addr); ok {
			return q, level, true
		}
	}
	return nil, 0, false
}

// maxRouteHeaders bounds the Delivered-To / X-Original-To values looked
// at: a forged mail may carry hundreds.
const maxRouteHeaders = 16

// route picks the ONE queue a new mail opens its ticket in, however many
// queue addresses it names: the first queue address in To, then in Cc
// (the same for every copy the MTA delivers, so copies in two queues'
// mailboxes pick the same queue and deduplicate by Message-ID), then in
// Delivered-To, then in X-Original-To (the envelope: Bcc'd mail, aliases
// the MTA rewrote); else the queue of the mailbox it was read from; else
// the default queue. Routing grants nothing: who is an agent is decided
// by the ticket's queue and the sender's proof, never by these headers.
func (s *Service) route(m *Inbound) *Queue {
	for _, list := range [][]Address{m.To, m.Cc} {
		for _, a := range list {
			if q := s.queues.byAddr[NormalizeEmail(a.Email)]; q != nil {
				return q
			}
		}
	}
	for _, list := range [][]string{m.DeliveredTo, m.XOriginalTo} {
		for i, a := range list {
			if i == maxRouteHeaders {
				break
			}
			if q := s.queues.byAddr[NormalizeEmail(a)]; q != nil {
				return q
			}
		}
	}
	if q := s.queues.byBox[m.Mailbox]; m.Mailbox != "" && q != nil {
		return q
	}
	return s.defaultQueue()
}

// policy is t's queue's tier ladder.
func (a *applier) policy(t *Ticket) *tiers.Policy { return a.s.queueOf(t).Policy }

// isAgent reports whether addr is an agent on t (of t's queue).
func (a *applier) isAgent(t *Ticket, addr string) bool { return a.policy(t).IsAgent(addr) }
