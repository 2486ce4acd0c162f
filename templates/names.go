package templates

import "slices"

// Name names a mail template: per language, the files <lang>/<name>.txt
// and <lang>/<name>.html. Code names templates by these constants only.
type Name string

// The templates every language provides.
const (
	// To requesters and the people they copied.
	Ack                 Name = "ack"                   // a new ticket was opened
	Reply               Name = "reply"                 // an agent's answer, relayed
	EscalatedRequester  Name = "escalated_requester"   // their ticket moved to another tier
	CSAT                Name = "csat"                  // how did we do?
	Reminder            Name = "reminder"              // a pending ticket waits on them
	AutoResolved        Name = "auto_resolved"         // resolved after no answer
	Closed              Name = "closed"                // closed
	StatusReply         Name = "status_reply"          // their open tickets, on request
	AttachmentDropped   Name = "attachment_dropped"    // attachments that were not kept
	ParticipantConfirm  Name = "participant_confirm"   // confirm the people a mail copied
	QueueMovedRequester Name = "queue_moved_requester" // another queue (team) handles their ticket now
	ProblemResolved     Name = "problem_resolved"      // the problem behind their incident was solved: the answer
	Merged              Name = "merged"                // their ticket continues as another one

	// Notices to the ticket's agents, threaded under the agents' thread.
	AgentNew        Name = "agent_new"         // a new ticket
	AgentUpdate     Name = "agent_update"      // someone wrote on the ticket
	AgentNotRelayed Name = "agent_not_relayed" // an answer with nothing to relay
	AgentAssigned   Name = "agent_assigned"    // the ticket was assigned to them
	AgentNote       Name = "agent_note"        // a colleague's internal note
	AgentBounce     Name = "agent_bounce"      // a mail of the ticket bounced
	ProblemIncident Name = "problem_incident"  // new mail on an incident linked to this problem

	// Other mail to the desk's people.
	Escalated         Name = "escalated"          // to the new tier's agents
	EscalationNotice  Name = "escalation_notice"  // to the old tier's agents
	VendorForward     Name = "vendor_forward"     // the ticket, to the external vendor
	SLAWarning        Name = "sla_warning"        // a target is about to be breached
	SLAAlert          Name = "sla_alert"          // a target was breached at the top tier
	EscalationRequest Name = "escalation_request" // an agent asks a manager to escalate
	ManagerDigest     Name = "digest"             // the managers' periodic summary
	AgentDigest       Name = "agent_digest"       // an agent's morning list of their open tickets
	CommandError      Name = "command_error"      // an agent's commands were not understood
	Collision         Name = "collision"          // an answer held: newer messages on the ticket
	LowRating         Name = "low_rating"         // a requester rated the help poorly
	AdminAuthFailed   Name = "admin_auth_failed"  // a mail server refuses the desk's login
	AdminBounce       Name = "admin_bounce"       // mail to the desk's own people bounced
	QueueMoved        Name = "queue_moved"        // to the tier-1 agents of the queue a ticket moved to
)

// names is every template, in the order New parses them.
var names = []Name{
	Ack, AgentNew, AgentUpdate, AgentNotRelayed, AgentAssigned, Reply,
	Escalated, EscalationNotice, EscalatedRequester, VendorForward, SLAWarning, SLAAlert, EscalationRequest, ManagerDigest,
	AgentNote, CommandError, Collision, CSAT, LowRating, Reminder, AutoResolved, Closed, StatusReply,
	AgentBounce, AttachmentDropped, AdminAuthFailed, ParticipantConfirm, AdminBounce,
	ProblemResolved, Merged, ProblemIncident,
	QueueMoved, QueueMovedRequester,
	AgentDigest,
}

// Names returns the names of the templates every language provides.
func Names() []Name { return slices.Clone(names) }

// AgentNotice reports whether mail of this template is a notice to the
// ticket's agents about it, sent in the agents' thread of the ticket (the
// first one starts that thread: QueueMoved starts the new queue's).
func (n Name) AgentNotice() bool {
	switch n {
	case AgentNew, AgentUpdate, AgentNotRelayed, AgentAssigned, AgentNote, AgentBounce, QueueMoved, ProblemIncident:
		return true
	}
	return false
}

// Known reports whether n is one of the templates.
func (n Name) Known() bool { return slices.Contains(names, n) }
