package templates

// AgentMorning is one agent's morning mail: their own open tickets in one
// queue, nearest to an SLA breach first (breached first).
type AgentMorning struct {
	Agent    string // the agent's address
	Date     string // the day it was written, YYYY-MM-DD in the desk's time zone
	Breached int    // how many of Tickets are past a target
	Tickets  []AgentTicket
}

// AgentTicket is one line of an agent's morning mail.
type AgentTicket struct {
	Ticket                           uint64
	Token, Subject, Status, Priority string
	Tier                             int
	// Clock is the SLA countdown nearest to (or past) its breach,
	// "first_response" or "resolution"; "" when none runs.
	Clock string
	// Left is the time until the breach, or, Overdue, since it ("" when
	// unknown: a breached clock that is paused).
	Left    string
	Overdue bool
	// Paused: no countdown runs (the ticket waits on the requester).
	Paused bool
	// ReplyLink is a mailto: link to the queue's address with the
	// ticket's token in the subject: the agent's answer to the ticket.
	ReplyLink string
	// ReplyTo is the queue's address (the plain-text reply instructions).
	ReplyTo string
}

// The trial render in New exercises the agent digest too; set here, beside
// its type, rather than in the shared sampleData literal.
func init() {
	sampleData.AgentDigest = &AgentMorning{Agent: "agent@example.com", Date: "2026-01-02", Breached: 1, Tickets: []AgentTicket{
		{Ticket: 1, Token: "[Desk #1]", Subject: "S", Status: "open", Priority: "high", Tier: 1, Clock: "resolution", Left: "2 h",
			Overdue: true, ReplyLink: "mailto:desk@example.com?subject=Re:%20%5BDesk%20%231%5D%20S", ReplyTo: "desk@example.com"},
		{Ticket: 2, Token: "[Desk #2]", Subject: "T", Status: "pending", Priority: "normal", Tier: 1, Paused: true,
			ReplyLink: "mailto:desk@example.com?subject=Re:%20%5BDesk%20%232%5D%20T", ReplyTo: "desk@example.com"},
	}}
}
