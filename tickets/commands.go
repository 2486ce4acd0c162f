package tickets

import (
	"errors"
	"net/mail"
	"strconv"
	"strings"
	"unicode"

	"github.com/ticketd/ticketd/templates"
	"github.com/ticketd/ticketd/tiers"
)

// Agents change a ticket with command lines at the top of their reply,
// each starting with "#": "#escalate the printer needs a technician",
// "#prioridad alta". The text after the commands is relayed as usual. Only
// lines before any other text count, so a "#" further down (or in the
// quoted mail, which mailin has already cut) is just text. A line "#"
// followed by a letter is a command attempt: an unknown one stops the
// whole mail (nothing changes, nothing is relayed) and the agent is told.

// command is one parsed command line.
type command struct {
	name string // canonical name; "" when unknown
	arg  string
	line string // as written, for the timeline and error replies
}

// commandNames maps what agents may write (English and Spanish) to the
// canonical command.
var commandNames = map[string]string{
	"resolve": "resolve", "resolver": "resolve", "resuelto": "resolve", "resolved": "resolve",
	"close": "close", "cerrar": "close",
	"pending": "pending", "pendiente": "pending",
	"open": "open", "abrir": "open", "reabrir": "open", "reopen": "open",
	"note": "note", "nota": "note",
	"assign": "assign", "asignar": "assign",
	"take": "take", "tomar": "take",
	"priority": "priority", "prioridad": "priority",
	"escalate": "escalate", "escalar": "escalate",
	"tier": "tier", "nivel": "tier",
	"kb":   "kb",
	"send": "send", "enviar": "send",
	"cc": "cc", "copia": "cc", "copiar": "cc",
	"uncc": "uncc", "quitarcopia": "uncc", "sincopia": "uncc", "quitarcc": "uncc",
	"spam": "spam", "correo_basura": "spam", "correobasura": "spam",
	"notspam": "notspam", "noesspam": "notspam", "no_es_spam": "notspam",
	"language": "language", "idioma": "language",
	// problems.go, merge.go
	"problem": "problem", "problema": "problem",
	"unlink": "unlink", "desvincular": "unlink",
	"merge": "merge", "fusionar": "merge",
	"queue": "queue", "cola": "queue",
	"type": "type", "tipo": "type",
	"category": "category", "categoria": "category", "categoría": "category",
	"requester": "requester", "solicitante": "requester",
}

// parseCommands splits the command lines at the top of text from the rest.
func parseCommands(text string) ([]command, string) {
	var cmds []command
	rest := strings.ReplaceAll(text, "\r\n", "\n")
	for {
		trimmed := strings.TrimLeft(rest, " \t\n")
		line, after, _ := strings.Cut(trimmed, "\n")
		l := strings.TrimSpace(line)
		if !isCommandLine(l) {
			return cmds, rest
		}
		cmds = append(cmds, commandsOnLine(l)...)
		rest = after
	}
}

// commandsOnLine parses one command line. A line of commands only
// ("#kb #resolve") is several commands; otherwise what follows the first
// word is its argument ("#escalate needs a #2 technician").
func commandsOnLine(l string) []command {
	first, arg, _ := strings.Cut(l, " ")
	word := strings.ToLower(strings.TrimRight(first[1:], ":"))
	arg = strings.TrimSpace(arg)
	more := strings.Fields(arg)
	for _, f := range more {
		if !isCommandLine(f) {
			return []command{{name: commandNames[word], arg: arg, line: l}}
		}
	}
	cmds := []command{{name: commandNames[word], line: first}}
	for _, f := range more {
		cmds = append(cmds, commandsOnLine(f)...)
	}
	return cmds
}

// isCommandLine: "#" then a letter ("#1 first step" and "# heading" are text).
func isCommandLine(l string) bool {
	if !strings.HasPrefix(l, "#") {
		return false
	}
	for _, r := range l[1:] {
		return unicode.IsLetter(r)
	}
	return false
}

// checkAll returns what is wrong with cmds, one line per problem. Every
// command is checked before any runs, so a mail with one mistake changes
// nothing.
func (a *applier) checkAll(t *Ticket, agent string, cmds []command) []string {
	var problems []string
	for _, c := range cmds {
		if p := a.check(t, agent, c); p != "" {
			problems = append(problems, c.line+": "+p)
		} else {
			t = ccPreview(t, c)
		}
	}
	if hasCommand(cmds, "note") && hasCommand(cmds, "kb") {
		// Articles are shown to requesters; a note is internal.
		problems = append(problems, a.say("problem_kb_note", templates.Phrase{}))
	}
	if p := a.checkOneLink(cmds); p != "" {
		problems = append(problems, p)
	}
	return problems
}

// check returns what is wrong with c for t, "" when it can run.
func (a *applier) check(t *Ticket, agent string, c command) string {
	switch c.name {
	case "":
		return a.say("problem_unknown", templates.Phrase{})
	case "priority":
		if _, ok := tiers.ParsePriority(c.arg); !ok {
			return a.say("problem_priority", templates.Phrase{})
		}
	case "assign":
		if who, ok := a.assignee(t, agent, c.arg); !ok || who == t.Requester.Email {
			return a.say("problem_assign", templates.Phrase{})
		}
	case "tier":
		n, err := strconv.Atoi(strings.TrimSpace(c.arg))
		if _, ok := a.policy(t).Tier(n); err != nil || !ok {
			return a.say("problem_tier", templates.Phrase{Max: a.policy(t).Last()})
		}
		if n == t.Tier {
			return a.say("problem_same_tier", templates.Phrase{Tier: n})
		}
	case "send":
		if t.Held == nil {
			return a.say("problem_send", templates.Phrase{})
		}
	case "cc", "uncc":
		return a.checkCc(t, c)
	case "problem":
		return a.checkProblem(t, c.arg)
	case "unlink":
		return a.checkUnlink(t)
	case "merge":
		return a.checkMerge(t, c.arg)
	case "type":
		return a.checkType(c.arg)
	case "category":
		return a.checkCategory(t, c.arg)
	case "language":
		return a.checkLanguage(c)
	case "requester":
		return a.checkRequester(c)
	case "spam":
		return a.checkSpam(t)
	case "notspam":
		return a.checkNotSpam(t)
	case "queue":
		return a.checkQueue(t, c.arg)
	}
	return ""
}

// assignee resolves the argument of #assign: an agent's address or "me".
func (a *applier) assignee(t *Ticket, agent, arg string) (string, bool) {
	switch strings.ToLower(strings.TrimSpace(arg)) {
	case "me", "yo", "mí", "mi":
		return agent, true
	}
	e := NormalizeEmail(strings.Trim(arg, "<>"))
	if addr, err := mail.ParseAddress(arg); err == nil { // "Ana <ana@example.com>"
		e = NormalizeEmail(addr.Address)
	}
	return e, a.isAgent(t, e)
}

// runCommand applies one checked command to t. note, send and kb are
// handled by agentReply, which knows the text they act on.
func (a *applier) runCommand(t *Ticket, agent string, c command) error {
	var err error
	switch c.name {
	case "escalate":
		err = a.escalate(t, agentReason("reason_escalated_by", agent, c.arg), agent)
		if errors.Is(err, errLastTier) {
			// Nowhere to climb: the managers are the next step.
			err = a.escalationRequested(t, agent, c.arg)
		}
	case "tier":
		n, _ := strconv.Atoi(strings.TrimSpace(c.arg))
		err = a.moveTier(t, n, agentReason("reason_moved_by", agent, ""), agent)
	case "priority":
		pr, _ := tiers.ParsePriority(c.arg)
		err = a.setPriority(t, pr, agent)
	case "assign", "take":
		who := agent
		if c.name == "assign" {
			who, _ = a.assignee(t, agent, c.arg)
		}
		before := t.Assignee
		if err = a.assign(t, who, agent); err == nil && t.Assignee != before {
			err = a.tellAssignee(t, agent)
		}
	case "pending":
		err = a.setStatus(t, StatusPending, agent, StatusNew, StatusOpen)
	case "resolve":
		a.endingProblem = a.endingProblem || t.Status != StatusResolved && t.Status != StatusClosed
		err = a.setStatus(t, StatusResolved, agent, StatusNew, StatusOpen, StatusPending)
		a.askRating = t.Status == StatusResolved
	case "close":
		a.endingProblem = a.endingProblem || t.Status != StatusResolved && t.Status != StatusClosed
		err = a.setStatus(t, StatusClosed, agent, StatusNew, StatusOpen, StatusPending, StatusResolved)
	case "open":
		err = a.setStatus(t, StatusOpen, agent, StatusNew, StatusPending, StatusResolved)
	case "cc":
		err = a.ccByAgent(t, agent, c.arg)
	case "uncc":
		err = a.unccByAgent(t, agent, c.arg)
	case "problem":
		err = a.runProblem(t, agent, c.arg)
	case "unlink":
		err = a.unlinkProblem(t, agent)
	case "merge":
		n, _ := a.ticketArg(c.arg)
		err = a.merge(t, agent, n)
	case "type":
		typ, _ := tiers.ParseType(c.arg)
		err = a.setType(t, typ, agent)
	case "category":
		err = a.setCategory(t, c.arg, agent)
	case "language":
		err = a.setLanguage(t, agent, c)
	case "requester":
		err = a.changeRequester(t, agent, c.arg)
	case "spam":
		err = a.closeAsSpam(t, agent)
		if err == nil { // a problem closed as spam answers nobody (problems.go)
			err = a.releaseIncidents(t)
		}
	case "notspam":
		err = a.reopenNotSpam(t, agent)
	case "queue":
		q, _ := a.s.queueNamed(queueArg(c.arg))
		err = a.moveQueue(t, q, agent)
	}
	if err != nil {
		return err
	}
	return addEvent(a.tx, Event{Ticket: t.ID, Time: a.now, Kind: EventCommand, Actor: agent, Detail: c.line})
}

// assign makes who the ticket's assignee.
func (a *applier) assign(t *Ticket, who, actor string) error {
	if t.Assignee == who {
		return nil
	}
	t.Assignee = who
	return addEvent(a.tx, Event{Ticket: t.ID, Time: a.now, Kind: EventAssigned, Actor: actor, Detail: who})
}

func hasCommand(cmds []command, name string) bool {
	for _, c := range cmds {
		if c.name == name {
			return true
		}
	}
	return false
}
