package tickets

import (
	"errors"
	"fmt"
	"strings"

	"github.com/ticketd/ticketd/tiers"
)

// Agents change a ticket with command lines at the top of their reply,
// each starting with "#": "#escalate the printer needs a technician",
// "#prioridad alta". The text after the commands is relayed as usual. Only
// lines before any other text count, so a "#" further down (or in the
// quoted mail, which mailin has already cut) is just text.

// command is one parsed command line.
type command struct {
	name string // canonical name
	arg  string
	line string // as written, for the timeline
}

// commandNames maps what agents may write (English and Spanish) to the
// canonical command.
var commandNames = map[string]string{
	"escalate": "escalate", "escalar": "escalate",
	"priority": "priority", "prioridad": "priority",
	"pending": "pending", "pendiente": "pending",
	"resolve": "resolve", "resolver": "resolve", "resuelto": "resolve", "resolved": "resolve",
	"open": "open", "abrir": "open", "reabrir": "open",
}

// parseCommands splits the known command lines at the top of text from the
// rest. An unknown "#word" ends the commands and stays in the text.
func parseCommands(text string) ([]command, string) {
	var cmds []command
	rest := strings.ReplaceAll(text, "\r\n", "\n")
	for {
		trimmed := strings.TrimLeft(rest, " \t\n")
		line, after, _ := strings.Cut(trimmed, "\n")
		l := strings.TrimSpace(line)
		if !strings.HasPrefix(l, "#") {
			return cmds, rest
		}
		word, arg, _ := strings.Cut(strings.TrimSpace(l[1:]), " ")
		name, ok := commandNames[strings.ToLower(strings.TrimRight(word, ":"))]
		if !ok {
			return cmds, rest
		}
		cmds = append(cmds, command{name: name, arg: strings.TrimSpace(arg), line: l})
		rest = after
	}
}

// runCommand applies one agent command to t.
func (a *applier) runCommand(t *Ticket, agent string, c command) error {
	ev := Event{Ticket: t.ID, Time: a.now, Kind: EventCommand, Actor: agent, Detail: c.line}
	var err error
	switch c.name {
	case "escalate":
		reason := c.arg
		if reason == "" {
			reason = "escalated by " + agent
		}
		err = a.escalate(t, reason, agent)
		if errors.Is(err, errLastTier) {
			// Nowhere to climb: the managers are the next step.
			err = a.alertManagers(t, fmt.Sprintf("escalation requested by %s at the last tier: %s", agent, reason))
		}
	case "priority":
		pr, ok := tiers.ParsePriority(c.arg)
		if !ok {
			ev.Detail += ": not understood (low, normal, high, urgent / baja, normal, alta, urgente)"
			break
		}
		err = a.setPriority(t, pr, agent)
	case "pending":
		err = a.setStatus(t, StatusPending, agent, StatusNew, StatusOpen)
	case "resolve":
		err = a.setStatus(t, StatusResolved, agent, StatusNew, StatusOpen, StatusPending)
	case "open":
		err = a.setStatus(t, StatusOpen, agent, StatusNew, StatusPending, StatusResolved)
	}
	if err != nil {
		return err
	}
	return addEvent(a.tx, ev)
}
