package main

import (
	"fmt"
	"strings"

	"github.com/ticketd/ticketd/mailin"
	"github.com/ticketd/ticketd/templates"
	"github.com/ticketd/ticketd/tickets"
	"github.com/ticketd/ticketd/tiers"
)

// queueKeys is one [[queues]] table: another support address of the same
// desk, with its own tiers (tickets/queue.go). [support] and the top-level
// [[tiers]] are the default queue.
type queueKeys struct {
	Name        string     `toml:"name"`
	Addresses   []string   `toml:"addresses"`
	DisplayName string     `toml:"display_name"`
	Tag         string     `toml:"tag"`
	Language    string     `toml:"language"`
	Mailbox     string     `toml:"mailbox"`
	Tiers       []tierKeys `toml:"tiers"`
	// The queue's own ticket types and categories (config_types.go).
	Types      typesKeys      `toml:"types"`
	Categories []categoryKeys `toml:"categories"`
}

// loadQueues validates [support] queue/aliases and [[queues]] into o (the
// default queue already loaded from [support], language and [[tiers]]):
// names, addresses and tags unique among all queues, no queue address an
// agent of any queue, each queue's tiers validated as the top-level ones
// (same calendar, priority words and warn_at).
func loadQueues(bad badFunc, fc *fileConfig, o *tickets.Options) {
	o.QueueName = strings.TrimSpace(fc.Support.Queue)
	if o.QueueName == "" {
		o.QueueName = strings.Join(strings.Fields(strings.ToLower(o.Tag)), "-")
	} else if strings.ContainsAny(o.QueueName, " \t\r\n") {
		bad("support.queue", "%q: a name without spaces is required (agents write #queue NAME)", o.QueueName)
	}
	names := map[string]string{strings.ToLower(o.QueueName): "support.queue"}
	addrs := map[string]string{o.Desk.Email: "support.address"}
	tags := map[string]string{strings.ToLower(o.Tag): "support.tag"}
	claim := func(seen map[string]string, value, key, what string) {
		if prev, ok := seen[value]; ok {
			bad(key, "%s %q is already %s's", what, value, prev)
			return
		}
		seen[value] = key
	}
	for i, a := range fc.Support.Aliases {
		key := fmt.Sprintf("support.aliases[%d]", i)
		e, ok := emailAt(bad, key, a)
		if !ok {
			continue
		}
		claim(addrs, e, key, "address")
		o.Aliases = append(o.Aliases, e)
	}
	popts := loadPolicyOptions(bad, fc, o.Location)
	for i, qk := range fc.Queues {
		key := fmt.Sprintf("queues[%d]", i)
		q := tickets.Queue{Name: strings.TrimSpace(qk.Name), Mailbox: qk.Mailbox}
		if q.Name == "" || strings.ContainsAny(q.Name, " \t\r\n") {
			bad(key+".name", "%q: a name without spaces is required (agents write #queue NAME)", qk.Name)
		}
		claim(names, strings.ToLower(q.Name), key+".name", "queue name")
		q.Language = templates.Language(or(qk.Language, string(o.Language)))
		if !q.Language.Known() {
			bad(key+".language", "%q is not one of %v", q.Language, templates.Languages())
		}
		if len(qk.Addresses) == 0 {
			bad(key+".addresses", "at least one address is required (the first is the From address)")
		}
		for j, a := range qk.Addresses {
			akey := fmt.Sprintf("%s.addresses[%d]", key, j)
			e, ok := emailAt(bad, akey, a)
			if !ok {
				continue
			}
			claim(addrs, e, akey, "address")
			if j == 0 {
				q.Desk = tickets.NewAddress(or(qk.DisplayName, templates.DeskName(q.Language)), e)
			} else {
				q.Aliases = append(q.Aliases, e)
			}
		}
		q.Tag = or(qk.Tag, q.Name)
		if strings.ContainsAny(q.Tag, "[]#\r\n") || q.Tag == "" {
			bad(key+".tag", "%q must not be empty nor contain [ ] # or line breaks", q.Tag)
		}
		claim(tags, strings.ToLower(q.Tag), key+".tag", "tag")
		if len(qk.Tiers) == 0 {
			bad(key+".tiers", "at least one [[queues.tiers]] is required")
		} else {
			q.Policy = loadTiers(bad, key+".tiers", qk.Tiers, fc.Calendar != nil, popts)
		}
		q.Intake = loadIntake(bad, key+".", qk.Types, qk.Categories, q.Policy)
		o.Queues = append(o.Queues, q)
	}
	checkQueueAgents(bad, o)
}

// checkQueueAgents refuses a queue address that is also an agent of any
// queue: the desk would answer itself.
func checkQueueAgents(bad badFunc, o *tickets.Options) {
	ladders := map[string]*tiers.Policy{o.QueueName: o.Policy}
	all := append([]string{o.Desk.Email}, o.Aliases...)
	for _, q := range o.Queues {
		ladders[q.Name] = q.Policy
		all = append(all, q.Addresses()...)
	}
	for _, a := range all {
		for name, p := range ladders {
			if a == o.Desk.Email && name == o.QueueName {
				continue // loadTickets said it
			}
			if a != "" && p != nil && p.IsAgent(a) {
				bad("queues", "the support address %s cannot also be an agent (of queue %s)", a, name)
			}
		}
	}
}

// checkQueueMailboxes refuses a queue mailbox that is [imap]'s own (its
// mailbox, processed, failed or spam mailbox).
func checkQueueMailboxes(bad badFunc, o *tickets.Options, imap mailin.PollerOptions) {
	for i, q := range o.Queues {
		switch q.Mailbox {
		case "":
		case imap.Mailbox, imap.ProcessedMailbox, imap.FailedMailbox, imap.SpamMailbox:
			bad(fmt.Sprintf("queues[%d].mailbox", i), "%q is already [imap]'s mailbox, processed, failed or spam mailbox", q.Mailbox)
		}
	}
	seen := map[string]bool{}
	for i, q := range o.Queues {
		if q.Mailbox != "" && seen[q.Mailbox] {
			bad(fmt.Sprintf("queues[%d].mailbox", i), "%q is already another queue's mailbox", q.Mailbox)
		}
		seen[q.Mailbox] = true
	}
}

// queueAddresses lists every queue address but the default From address:
// mail from them is the desk's own (mailparse.Options.QueueAddresses).
func queueAddresses(o *tickets.Options) []string {
	out := append([]string(nil), o.Aliases...)
	for _, q := range o.Queues {
		out = append(out, q.Addresses()...)
	}
	return out
}

// queuesSummary is check-config's account of the queues: nothing for a
// desk of one queue without aliases (as before queues).
func (c *Config) queuesSummary() string {
	if len(c.Queues) == 0 && len(c.Aliases) == 0 {
		return ""
	}
	var b strings.Builder
	fmt.Fprintf(&b, "  queue %s:  (default) %s, token [%s #N], mails in %q, mailbox %q\n",
		c.QueueName, strings.Join(append([]string{c.Desk.String()}, c.Aliases...), ", "), c.Tag, c.Language, c.IMAP.Mailbox)
	for _, q := range c.Queues {
		box := "mail to its addresses in any mailbox"
		if q.Mailbox != "" {
			box = fmt.Sprintf("mailbox %q", q.Mailbox)
		}
		fmt.Fprintf(&b, "  queue %s:  %s, token [%s #N], mails in %q, %s\n",
			q.Name, strings.Join(append([]string{q.Desk.String()}, q.Aliases...), ", "), q.Tag, q.Language, box)
		if q.Policy != nil {
			writeTiers(&b, q.Name+" tier", q.Policy)
		}
		b.WriteString(intakeSummary("  ", q.Intake))
	}
	return b.String()
}

// multiQueue reports whether the desk has more than its default queue:
// only then do list, show and stats name queues.
func (c *Config) multiQueue() bool { return len(c.Queues) > 0 }

// queueNames are the names of every queue, the default first.
func (c *Config) queueNames() []string {
	names := []string{c.QueueName}
	for _, q := range c.Queues {
		names = append(names, q.Name)
	}
	return names
}

// queueName is the name of the queue a ticket's stored Queue names (""
// and names the configuration lost: the default queue, as tickets does).
func (c *Config) queueName(stored string) string {
	for _, q := range c.Queues {
		if strings.EqualFold(q.Name, stored) {
			return q.Name
		}
	}
	return c.QueueName
}

// queueTag is the tag of the queue a ticket's stored Queue names.
func (c *Config) queueTag(stored string) string {
	for _, q := range c.Queues {
		if strings.EqualFold(q.Name, stored) {
			return q.Tag
		}
	}
	return c.Tag
}

// storedQueue is what Ticket.Queue holds for the queue called name.
func (c *Config) storedQueue(name string) (string, bool) {
	if strings.EqualFold(name, c.QueueName) {
		return "", true
	}
	for _, q := range c.Queues {
		if strings.EqualFold(q.Name, name) {
			return q.Name, true
		}
	}
	return "", false
}
