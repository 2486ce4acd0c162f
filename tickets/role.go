package tickets

import (
	"strings"

	"github.com/ticketd/ticketd/templates"
)

// Role says as whom a mail was added to a ticket (an EventInbound): what
// the workflow branches on when it reads the timeline back (the public
// conversation, the collision check, the history sent on escalation).
// Event.Detail says it for people and is never compared.
type Role string

const (
	RoleRequester   Role = "requester"   // the requester
	RoleParticipant Role = "participant" // someone the requester copied
	RoleOther       Role = "other"       // anyone else writing on the ticket
	RoleAgent       Role = "agent"       // an agent's answer (or commands only)
	RoleNote        Role = "note"        // an agent's internal note
	RoleHeld        Role = "held"        // an agent's answer held by the collision check
	RoleCommand     Role = "command"     // an agent's mail whose commands were not understood
	RoleUnverified  Role = "unverified"  // mail claiming an address it could not prove: nothing applied
	RoleVendor      Role = "vendor"      // the external vendor's mail, automatic or not
	RoleAutomatic   Role = "automatic"   // an out-of-office or other automatic mail
	RoleBounce      Role = "bounce"      // a delivery failure report
	RoleRating      Role = "rating"      // the requester's satisfaction rating
)

// public reports whether the role's words are part of the public
// conversation: what the requester's side wrote.
func (r Role) public() bool { return r == RoleRequester || r == RoleParticipant }

// agentMail reports whether the mail is an agent's own (an answer, a
// note, a held answer, commands not understood): its text holds commands.
func (r Role) agentMail() bool {
	return r == RoleAgent || r == RoleNote || r == RoleHeld || r == RoleCommand
}

// label is the phrase (templates phrases.txt) that names the role for
// people in an escalation's history; "" for the roles shown by name only.
func (r Role) label() string {
	switch r {
	case RoleRequester, RoleParticipant, RoleAgent:
		return ""
	case RoleNote:
		return "label_note"
	case RoleHeld:
		return "label_held"
	case RoleCommand:
		return "label_commands"
	case RoleUnverified:
		return "label_unverified"
	case RoleVendor:
		return "label_vendor"
	case RoleAutomatic:
		return "label_automatic"
	case RoleBounce:
		return "label_bounce"
	case RoleRating:
		return "label_rating"
	}
	return "label_other"
}

// UnmarshalJSON reads an event, including those written before events had
// a Role and a Template: their Detail carried both, and is read once, here.
func (e *Event) UnmarshalJSON(b []byte) error { return decodeEvent(b, e) }

// readLegacy fills the Role or Template an event written before they
// existed carried in its Detail.
func (e *Event) readLegacy() {
	switch {
	case e.Kind == EventInbound && e.Role == "":
		e.Role = legacyRole(e.Detail)
	case e.Kind == EventOutbound && e.Template == "":
		e.Template = templates.Name(e.Detail)
	}
}

// legacyRole is the role an inbound event's Detail meant before events
// had a Role (every value ticketd ever wrote there).
func legacyRole(detail string) Role {
	switch {
	case detail == "":
		return RoleRequester
	case detail == "participant":
		return RoleParticipant
	case detail == "agent":
		return RoleAgent
	case detail == "note":
		return RoleNote
	case strings.HasPrefix(detail, "agent: answer held"):
		return RoleHeld
	case strings.HasPrefix(detail, "agent:"): // "agent: commands not understood, ..."
		return RoleCommand
	case strings.HasPrefix(detail, "unverified"):
		return RoleUnverified
	case strings.HasPrefix(detail, "vendor"):
		return RoleVendor
	case strings.HasPrefix(detail, "automatic"):
		return RoleAutomatic
	case strings.HasPrefix(detail, "bounce"):
		return RoleBounce
	case detail == "rating":
		return RoleRating
	}
	return RoleOther
}
