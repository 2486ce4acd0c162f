package tickets

import "time"

// Limits are the caps that keep one sender (or one forged mail) from
// making the desk write without end. Each is configurable ([limits] in
// the config file) and each hit is reported through Options.OnLimit so the
// metrics count it. A zero field takes its default (DefaultLimits).
type Limits struct {
	// Participants is how many addresses a ticket copies at most besides
	// its requester.
	Participants int
	// SubjectRunes is the longest subject kept; longer ones are cut.
	SubjectRunes int
	// AgentNotices bounds the new-ticket notices the agents get for one
	// sender's tickets per Window; StatusReplies bounds the status
	// replies one sender gets per Window.
	AgentNotices, StatusReplies int
	// AutoReplies is how many auto-replies (out-of-office and the like)
	// one ticket records as messages per Window; they are never relayed
	// to the requester.
	AutoReplies int
	// Window is the period of the per-sender and per-ticket limits.
	Window time.Duration
}

// DefaultLimits apply to the fields of Options.Limits left zero.
var DefaultLimits = Limits{
	Participants:  20,
	SubjectRunes:  250,
	AgentNotices:  20,
	StatusReplies: 5,
	AutoReplies:   3,
	Window:        time.Hour,
}

// withDefaults fills the zero fields of l from DefaultLimits.
func (l Limits) withDefaults() Limits {
	d := DefaultLimits
	pick := func(v *int, def int) {
		if *v <= 0 {
			*v = def
		}
	}
	pick(&l.Participants, d.Participants)
	pick(&l.SubjectRunes, d.SubjectRunes)
	pick(&l.AgentNotices, d.AgentNotices)
	pick(&l.StatusReplies, d.StatusReplies)
	pick(&l.AutoReplies, d.AutoReplies)
	if l.Window <= 0 {
		l.Window = d.Window
	}
	return l
}

// Limit names, as Options.OnLimit and the metrics report them (they are
// also the keys of [limits] in the config file).
const (
	LimitParticipants  = "participants"
	LimitSubject       = "subject_chars"
	LimitAgentNotices  = "agent_notices_per_sender"
	LimitStatusReplies = "status_replies_per_sender"
	LimitAutoReplies   = "auto_replies_per_ticket"
	// LimitAcks is [mail] ack_limit (Options.AckLimit).
	LimitAcks = "ack_limit"
)
