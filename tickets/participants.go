package tickets

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base32"
	"fmt"
	"net/mail"
	"slices"
	"strings"
	"time"

	"github.com/ticketd/ticketd/internal/lazyre"
	"github.com/ticketd/ticketd/templates"
)

// Participants are the people a ticket copies on its public answers. A
// forged From must not add anyone: the requester's Cc counts
// only when the mail is proved to be theirs.
//
//   - With the MX's Authentication-Results read (TrustedAuthResults), a
//     verified requester's Cc is added; an unverified one's is not.
//   - Without, nothing can be proved: the desk mails the requester's
//     address (never the sender's) a confirmation with a code; a reply
//     carrying the code adds them.
//   - Agents add and remove people with #cc / #uncc (#quitarcc) at any
//     time, and add whom they put in To or Cc of an answer (agentreply.go):
//     only a verified agent's mail reaches there, so forged mail adds
//     nobody.
//   - A participant's mail is recorded as theirs (RoleParticipant): it
//     never makes them the requester or the assignee.
//
// A ticket copies at most Limits.Participants people, and asks about at
// most that many minus those it copies; further addresses are dropped and
// recorded.

// PendingParticipant is someone waiting for the requester's confirmation.
type PendingParticipant struct {
	Address Address   `json:"address"`
	Code    string    `json:"code"` // carried by the confirming reply
	Asked   time.Time `json:"asked"`
}

// confirmCode finds the confirmation codes a mail carries.
var confirmCode = lazyre.New(`\bCC-[A-Z2-7]{16}\b`)

// maxListed is how many dropped addresses an event names.
const maxListed = 10

// copiedBy returns the people m copies (To and Cc) who are not on t yet:
// not the desk, an agent or vendor, the requester, a participant or
// pending.
func (a *applier) copiedBy(t *Ticket, m *Inbound) []Address {
	var out []Address
	seen := map[string]bool{}
	for _, list := range [][]Address{m.To, m.Cc} {
		for _, addr := range list {
			e := NormalizeEmail(addr.Email)
			if e == "" || seen[e] || a.s.isQueueAddress(e) || e == t.Requester.Email ||
				a.isDeskMember(e) || t.isParticipant(e) || t.pendingIndex(e) >= 0 {
				continue
			}
			seen[e] = true
			out = append(out, NewAddress(addr.Name, e))
		}
	}
	return out
}

// addParticipants handles the people a mail from the requester's address
// copies (see the top of this file).
func (a *applier) addParticipants(t *Ticket, m *Inbound) error {
	newcomers := a.copiedBy(t, m)
	if len(newcomers) == 0 {
		return nil
	}
	switch {
	case a.s.opts.TrustedAuthResults && requesterVerified(m, t.Requester.Email):
		return a.admit(t, newcomers, t.Requester.Email, "copied by the requester")
	case a.s.opts.TrustedAuthResults:
		return a.participantEvent(t, t.Requester.Email, "not added (the mail's sender could not be verified)", emails(newcomers))
	default:
		return a.askRequester(t, m, newcomers)
	}
}

// fit returns the part of list t has room for; the rest is recorded as
// dropped and the limit reported. People waiting for confirmation take
// room from further requests (asking), not from people added by proof or
// by an agent: forged mail filling the waiting list must not lock the
// ticket.
func (a *applier) fit(t *Ticket, list []Address, asking bool) ([]Address, error) {
	room := a.s.opts.Limits.Participants - len(t.Participants)
	if asking {
		room -= len(t.Pending)
	}
	room = max(room, 0)
	if len(list) <= room {
		return list, nil
	}
	a.s.opts.OnLimit(LimitParticipants)
	dropped := list[room:]
	err := a.participantEvent(t, "", fmt.Sprintf("%d not added: the ticket copies at most %d people", len(dropped), a.s.opts.Limits.Participants),
		emails(dropped))
	return list[:room], err
}

// admit makes list participants, within the cap.
func (a *applier) admit(t *Ticket, list []Address, actor, why string) error {
	list, err := a.fit(t, list, false)
	if err != nil || len(list) == 0 {
		return err
	}
	t.Participants = append(t.Participants, list...)
	return a.participantEvent(t, actor, "added, "+why, emails(list))
}

// askRequester makes list pending and mails the requester's own address
// a code that adds them when it comes back.
func (a *applier) askRequester(t *Ticket, m *Inbound, list []Address) error {
	list, err := a.fit(t, list, true)
	if err != nil || len(list) == 0 {
		return err
	}
	code := a.s.confirmationCode(t.ID, m.MessageID)
	for _, p := range list {
		t.Pending = append(t.Pending, PendingParticipant{Address: p, Code: code, Asked: a.now})
	}
	if err := a.participantEvent(t, NormalizeEmail(m.From.Email), "waiting for the requester's confirmation ("+code+")", emails(list)); err != nil {
		return err
	}
	return a.queue(t, outgoing{kind: templates.ParticipantConfirm, to: []Address{t.Requester}, thread: a.publicThread(t),
		auto: AutoReplied, addresses: emails(list), code: code})
}

// confirmParticipants adds the pending people whose code m carries: the
// requester received it at their own address and replied.
func (a *applier) confirmParticipants(t *Ticket, m *Inbound) error {
	if len(t.Pending) == 0 {
		return nil
	}
	codes := confirmCode().FindAllString(m.Subject+"\n"+m.FullText+"\n"+m.Text, -1)
	if len(codes) == 0 {
		return nil
	}
	var confirmed []Address
	t.Pending = slices.DeleteFunc(t.Pending, func(p PendingParticipant) bool {
		if slices.Contains(codes, p.Code) {
			confirmed = append(confirmed, p.Address)
			return true
		}
		return false
	})
	return a.admit(t, confirmed, t.Requester.Email, "confirmed by the requester")
}

// confirmationCode signs (ticket, the mail that copied the people) with the
// desk's secret: nobody who has not read the confirmation can produce it.
func (s *Service) confirmationCode(ticket uint64, msgID string) string {
	mac := hmac.New(sha256.New, s.secret)
	fmt.Fprintf(mac, "participants\x00%d\x00%s", ticket, msgID)
	return "CC-" + base32.StdEncoding.EncodeToString(mac.Sum(nil))[:16]
}

// participantEvent records a change of t's people: what, and whom.
func (a *applier) participantEvent(t *Ticket, actor, what string, who []string) error {
	listed := who
	if len(listed) > maxListed {
		listed = append(slices.Clone(listed[:maxListed]), fmt.Sprintf("and %d more", len(who)-maxListed))
	}
	return addEvent(a.tx, Event{Ticket: t.ID, Time: a.now, Kind: EventParticipants, Actor: actor,
		Detail: what + ": " + strings.Join(listed, ", ")})
}

func (t *Ticket) isParticipant(email string) bool {
	return slices.ContainsFunc(t.Participants, func(p Address) bool { return p.Email == email })
}

func (t *Ticket) pendingIndex(email string) int {
	return slices.IndexFunc(t.Pending, func(p PendingParticipant) bool { return p.Address.Email == email })
}

func emails(list []Address) []string {
	out := make([]string, len(list))
	for i, a := range list {
		out[i] = a.Email
	}
	return out
}

// ccAddress reads the argument of #cc and #uncc: "ana@x" or "Ana <ana@x>".
func ccAddress(arg string) (Address, bool) {
	if addr, err := mail.ParseAddress(strings.TrimSpace(arg)); err == nil {
		return NewAddress(addr.Name, addr.Address), true
	}
	return Address{}, false
}

// checkCc returns what is wrong with an agent's #cc or #uncc.
func (a *applier) checkCc(t *Ticket, c command) string {
	addr, ok := ccAddress(c.arg)
	switch {
	case !ok:
		return a.say("problem_cc_address", templates.Phrase{})
	case c.name == "uncc":
		if !t.isParticipant(addr.Email) && t.pendingIndex(addr.Email) < 0 {
			return a.say("problem_cc_not_copied", templates.Phrase{Text: addr.Email})
		}
	case a.s.isQueueAddress(addr.Email) || addr.Email == t.Requester.Email || a.isDeskMember(addr.Email):
		return a.say("problem_cc_desk", templates.Phrase{})
	case !t.isParticipant(addr.Email) && len(t.Participants) >= a.s.opts.Limits.Participants:
		return a.say("problem_cc_full", templates.Phrase{N: len(t.Participants)})
	}
	return ""
}

// ccByAgent copies addr on t (#cc): an agent's word needs no confirmation.
func (a *applier) ccByAgent(t *Ticket, agent, arg string) error {
	addr, _ := ccAddress(arg)
	if t.isParticipant(addr.Email) {
		return nil
	}
	if i := t.pendingIndex(addr.Email); i >= 0 {
		t.Pending = slices.Delete(t.Pending, i, i+1)
	}
	return a.admit(t, []Address{addr}, agent, "by an agent")
}

// copyByAgent makes the people an agent's answer m copies (To and Cc)
// participants: an agent's word needs no confirmation, so people waiting
// for the requester's are added too.
func (a *applier) copyByAgent(t *Ticket, m *Inbound, agent string) error {
	for _, list := range [][]Address{m.To, m.Cc} {
		for _, addr := range list {
			if i := t.pendingIndex(NormalizeEmail(addr.Email)); i >= 0 {
				t.Pending = slices.Delete(t.Pending, i, i+1)
			}
		}
	}
	return a.admit(t, a.copiedBy(t, m), agent, "copied by an agent")
}

// unccByAgent stops copying addr on t (#uncc), however they were added.
func (a *applier) unccByAgent(t *Ticket, agent, arg string) error {
	addr, _ := ccAddress(arg)
	t.uncc(addr.Email)
	return a.participantEvent(t, agent, "removed by an agent", []string{addr.Email})
}

// uncc removes email from t's participants and pending people.
func (t *Ticket) uncc(email string) {
	t.Participants = slices.DeleteFunc(t.Participants, func(p Address) bool { return p.Email == email })
	t.Pending = slices.DeleteFunc(t.Pending, func(p PendingParticipant) bool { return p.Address.Email == email })
}

// ccPreview returns t's people as a checked #cc or #uncc leaves them, so
// the commands after it in the same mail are checked against that
// ("#uncc a" then "#cc b" on a full ticket). t is not changed.
func ccPreview(t *Ticket, c command) *Ticket {
	addr, ok := ccAddress(c.arg)
	if !ok || (c.name != "cc" && c.name != "uncc") {
		return t
	}
	next := *t
	next.Participants, next.Pending = slices.Clone(t.Participants), slices.Clone(t.Pending)
	next.uncc(addr.Email)
	if c.name == "cc" {
		next.Participants = append(next.Participants, addr)
	}
	return &next
}
