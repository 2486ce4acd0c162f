package tickets

import (
	"fmt"
	"slices"
	"strings"

	"github.com/ticketd/ticketd/templates"
)

// Spam is kept out of the desk: it opens no ticket, joins none, causes no
// mail and starts no clock. mailin files it in the spam mailbox (the
// Result's OutcomeSpam); nothing is deleted.
//
//   - The receiving server's verdict (X-Spam-Flag, X-Spam-Status, a score
//     header over its threshold) and a DMARC failure under a reject or
//     quarantine policy, as the trusted Authentication-Results record it,
//     are read by mailparse into Inbound.Spam.
//   - The block list is decided here: Options.Spam.Block (addresses and
//     "@domain"s) and the blocked_senders bucket, which #spam fills when
//     Options.Spam.BlockOnCommand. It never applies to agents or vendors:
//     a domain on it must not swallow the desk's own answers.
//   - #spam (#correo_basura) on a ticket closes it with CloseSpam, sends
//     nobody anything, and is refused when the requester is an agent.
//     #notspam (#noesspam) undoes it: the ticket opens again and its
//     requester is no longer blocked.

// SpamReason says why a mail was taken for spam.
type SpamReason string

const (
	SpamFlag    SpamReason = "flag"    // the receiving server flagged it (X-Spam-Flag, X-Spam-Status, X-Spam)
	SpamScore   SpamReason = "score"   // the configured score header reached its threshold
	SpamDMARC   SpamReason = "dmarc"   // DMARC failed under a reject or quarantine policy
	SpamBlocked SpamReason = "blocked" // the sender is on the block list
)

// CloseReason says why a ticket was closed, when it is not the usual end
// of the conversation.
type CloseReason string

// CloseSpam: an agent closed the ticket as spam (#spam). Such tickets
// are left out of the SLA and satisfaction figures.
const CloseSpam CloseReason = "spam"

// SpamOptions is the workflow's part of [spam].
type SpamOptions struct {
	// Block lists addresses ("x@example.net") and domains ("@example.net")
	// whose mail is spam.
	Block []string
	// BlockOnCommand adds the requester of a ticket closed with #spam to
	// the blocked_senders bucket.
	BlockOnCommand bool
}

// normalizeBlock lower-cases the block list; a domain keeps its "@".
func normalizeBlock(list []string) []string {
	out := make([]string, 0, len(list))
	for _, e := range list {
		if e = strings.TrimSuffix(NormalizeEmail(e), "."); e != "" {
			out = append(out, e)
		}
	}
	return out
}

// spamReason returns why m is spam, "" when it is not.
func (a *applier) spamReason(m *Inbound, from string) SpamReason {
	if m.Spam != "" {
		return m.Spam
	}
	if a.isDeskMember(from) {
		return ""
	}
	if a.blocked(from) {
		return SpamBlocked
	}
	return ""
}

// blocked reports whether from is on the block list.
func (a *applier) blocked(from string) bool {
	list := a.s.opts.Spam.Block
	if slices.Contains(list, from) || slices.Contains(list, "@"+domainOf(from)) {
		return true
	}
	return isBlockedSender(a.tx, from)
}

// spam records m as spam: its Message-ID is indexed (so a second delivery
// is filed the same way) and nothing else changes.
func (a *applier) spam(m *Inbound, reason SpamReason) (Result, error) {
	if err := indexMsgID(a.tx, m.MessageID, 0, dirSpam); err != nil {
		return Result{}, err
	}
	return Result{Outcome: OutcomeSpam, Spam: reason, Reason: "spam: " + string(reason)}, nil
}

// checkSpam returns what is wrong with #spam on t.
func (a *applier) checkSpam(t *Ticket) string {
	switch {
	case a.isDeskMember(t.Requester.Email):
		return a.say("problem_spam_desk", templates.Phrase{})
	case t.CloseReason == CloseSpam:
		return a.say("problem_spam_already", templates.Phrase{})
	}
	return ""
}

// closeAsSpam applies #spam: t is closed as spam (its clocks stop) and,
// by configuration, its requester blocked. Nobody is mailed.
func (a *applier) closeAsSpam(t *Ticket, agent string) error {
	t.CloseReason = CloseSpam
	t.Held = nil
	if err := a.setStatus(t, StatusClosed, agent, StatusNew, StatusOpen, StatusPending, StatusResolved); err != nil {
		return err
	}
	detail := "closed as spam"
	if a.s.opts.Spam.BlockOnCommand {
		if err := blockSender(a.tx, t.Requester.Email, BlockedSender{Ticket: t.ID, By: agent, At: a.now}); err != nil {
			return err
		}
		detail += fmt.Sprintf("; %s blocked", t.Requester.Email)
	}
	return addEvent(a.tx, Event{Ticket: t.ID, Time: a.now, Kind: EventStatus, Actor: agent, Detail: detail})
}

// checkNotSpam returns what is wrong with #notspam on t.
func (a *applier) checkNotSpam(t *Ticket) string {
	if t.CloseReason != CloseSpam {
		return a.say("problem_not_spam", templates.Phrase{})
	}
	return ""
}

// reopenNotSpam undoes #spam on t: open again, clocks running, and the
// requester unblocked. Nobody is mailed: the agent's answer, if any, is.
func (a *applier) reopenNotSpam(t *Ticket, agent string) error {
	t.CloseReason = ""
	if err := a.setStatus(t, StatusOpen, agent, StatusClosed); err != nil {
		return err
	}
	detail := "not spam"
	if isBlockedSender(a.tx, t.Requester.Email) {
		if err := unblockSender(a.tx, t.Requester.Email); err != nil {
			return err
		}
		detail += fmt.Sprintf("; %s unblocked", t.Requester.Email)
	}
	return addEvent(a.tx, Event{Ticket: t.ID, Time: a.now, Kind: EventStatus, Actor: agent, Detail: detail})
}
