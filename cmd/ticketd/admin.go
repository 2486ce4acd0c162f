package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/ticketd/ticketd/tickets"
	"github.com/ticketd/ticketd/tiers"
)

// The admin commands: list, show, stats, outbox, backup. Each asks the
// running daemon over its socket (adminclient.go) and, when none answers,
// opens the database itself (read-only, waiting at most lockTimeout).

// adminFlags are the admin commands' options.
type adminFlags struct {
	status string
	tier   int
	// typ and category filter list (any language: "solicitud").
	typ, category string
	json          bool
	retry         uint64
	limit         int
	queue         string
}

// listRow is one ticket as list shows it (and as --json prints it).
type listRow struct {
	ID        uint64         `json:"id"`
	Status    tickets.Status `json:"status"`
	Tier      int            `json:"tier"`
	Queue     string         `json:"queue,omitempty"` // its name ("" in the store: the default queue's)
	Requester string         `json:"requester"`
	Assignee  string         `json:"assignee,omitempty"`
	Updated   time.Time      `json:"updated"`
	Subject   string         `json:"subject"`
	Type      tiers.Type     `json:"type"`
	Category  string         `json:"category,omitempty"`
	// CloseReason: "spam" for a ticket closed with #spam.
	CloseReason tickets.CloseReason `json:"close_reason,omitempty"`
}

// statusText is a ticket's status as list and show print it: "closed
// (spam)" for a ticket closed as spam.
func statusText(s tickets.Status, why tickets.CloseReason) string {
	if why != "" {
		return fmt.Sprintf("%s (%s)", s, why)
	}
	return string(s)
}

// ticketView is one ticket with its timeline (show).
type ticketView struct {
	Ticket tickets.Ticket  `json:"ticket"`
	Events []tickets.Event `json:"events"`
	// Incidents are the tickets linked to this one as its incidents (it
	// is their problem); the other side is Ticket.Problem.
	Incidents []uint64 `json:"incidents,omitempty"`
}

// outboxView is the outbox and the mails given up on (outbox).
type outboxView struct {
	Outbox []mailRow `json:"outbox"`
	Failed []mailRow `json:"failed"`
}

// mailRow is one outgoing mail without its body.
type mailRow struct {
	ID          uint64    `json:"id"`
	Ticket      uint64    `json:"ticket"`
	Kind        string    `json:"kind"`
	To          []string  `json:"to"`
	Subject     string    `json:"subject"`
	Queued      time.Time `json:"queued"`
	Attempts    int       `json:"attempts"`
	NextAttempt time.Time `json:"next_attempt,omitzero"`
	LastError   string    `json:"last_error,omitempty"`
}

func toMailRows(ms []tickets.Mail, failed bool) []mailRow {
	rows := make([]mailRow, 0, len(ms))
	for _, m := range ms {
		// Pending: the recipients a mail still has to reach (a split mail
		// or a 452 leaves the others delivered).
		r := mailRow{ID: m.ID, Ticket: m.Ticket, Kind: string(m.Kind), To: m.Pending(), Subject: m.Subject,
			Queued: m.Queued, Attempts: m.Attempts, LastError: m.LastError}
		if !failed {
			r.NextAttempt = m.NextAttempt
		}
		rows = append(rows, r)
	}
	return rows
}

// adminSource answers the admin commands: the daemon over its socket
// (remoteSource) or the database itself (localSource).
type adminSource interface {
	List(f tickets.Filter) ([]listRow, error)
	// EachRow calls fn with every matching row in number order as it is
	// read, memory flat (adminlist.go); f.Limit is not used.
	EachRow(f tickets.Filter, fn func(listRow) error) error
	Show(id uint64) (ticketView, error)
	Stats() (tickets.Stats, error)
	Outbox() (outboxView, error)
	Retry(id uint64) (tickets.Mail, error)
	// Backup writes a consistent copy of the database to path.
	Backup(path string) (int64, error)
	// The knowledge base and the digest (adminkb.go).
	Articles() ([]tickets.Article, error)
	Article(id uint64) (tickets.Article, error)
	SearchArticles(q string) ([]tickets.Hit, error)
	Digest(dryRun bool) (tickets.DigestResult, error)
	// The report and the agents' morning mail (adminreport.go).
	Report(q tickets.ReportQuery) (tickets.Report, error)
	AgentDigest(dryRun bool) (tickets.AgentDigestResult, error)
}

// localSource answers from an open store.
type localSource struct {
	store *tickets.Store
	now   func() time.Time
	wake  func()           // after a retry; nil when no daemon runs here
	svc   *tickets.Service // the daemon's desk (digests); nil in a command
	// warmed is closed once the daemon's digest warm-up is done (warm.go).
	warmed <-chan struct{}
	// defaultType is the type of tickets stored before types existed;
	// queueType, when set, that type per queue (Ticket.Queue).
	defaultType tiers.Type
	queueType   func(queue string) tiers.Type
}

// typeOfUntyped is the type of an untyped ticket of queue.
func (l *localSource) typeOfUntyped(queue string) tiers.Type {
	if l.queueType != nil {
		return l.queueType(queue)
	}
	return l.defaultType
}

func (l *localSource) List(f tickets.Filter) ([]listRow, error) {
	f.DefaultType = l.defaultType
	ts, err := l.store.Summaries(f)
	if err != nil {
		return nil, err
	}
	rows := make([]listRow, len(ts))
	for i := range ts {
		rows[i] = l.row(&ts[i])
	}
	return rows, nil
}

func (l *localSource) Show(id uint64) (ticketView, error) {
	t, err := l.store.Ticket(id)
	if err != nil {
		return ticketView{}, err
	}
	events, err := l.store.Events(id)
	if err != nil {
		return ticketView{}, err
	}
	incidents, err := l.store.Incidents(id)
	if err != nil {
		return ticketView{}, err
	}
	return ticketView{Ticket: t, Events: events, Incidents: incidents}, nil
}

func (l *localSource) Stats() (tickets.Stats, error) {
	st, err := l.store.Stats()
	st.DefaultTypes(l.typeOfUntyped)
	return st, err
}

func (l *localSource) Outbox() (outboxView, error) {
	out, err := l.store.Outbox()
	if err != nil {
		return outboxView{}, err
	}
	failed, err := l.store.FailedMail()
	if err != nil {
		return outboxView{}, err
	}
	return outboxView{Outbox: toMailRows(out, false), Failed: toMailRows(failed, true)}, nil
}

func (l *localSource) Retry(id uint64) (tickets.Mail, error) {
	m, err := l.store.RetryMail(id, l.now())
	if err == nil && l.wake != nil {
		l.wake()
	}
	return m, err
}

func (l *localSource) Backup(path string) (int64, error) {
	var n int64
	err := tickets.WriteFileAtomic(path, func(w io.Writer) error {
		var err error
		n, err = l.store.Backup(w)
		return err
	})
	return n, err
}

// runAdmin runs one admin command against the daemon or the database.
func runAdmin(cfg *Config, cmd string, args []string, fl adminFlags, w io.Writer) error {
	// Only a retry without a daemon writes; everything else reads.
	write := cmd == "outbox" && fl.retry != 0
	return withSource(cfg, write, func(src adminSource) error {
		switch cmd {
		case "list":
			return cmdList(cfg, src, fl, w)
		case "show":
			id, err := strconv.ParseUint(strings.TrimPrefix(args[0], "#"), 10, 64)
			if err != nil {
				return fmt.Errorf("show: %q is not a ticket number", args[0])
			}
			return cmdShow(cfg, src, id, fl, w)
		case "stats":
			return cmdStats(cfg, src, fl, w)
		case "outbox":
			return cmdOutbox(cfg, src, fl, w)
		case "backup":
			n, err := src.Backup(args[0])
			if err != nil {
				return err
			}
			fmt.Fprintf(w, "backup written to %s (%d bytes)\n", args[0], n)
			return nil
		}
		return fmt.Errorf("unknown admin command %q", cmd)
	})
}

func printJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

func cmdList(cfg *Config, src adminSource, fl adminFlags, out io.Writer) error {
	f := tickets.Filter{Status: tickets.Status(fl.status), Tier: fl.tier, Limit: fl.limit, Category: fl.category}
	if fl.typ != "" {
		typ, ok := tiers.ParseType(fl.typ)
		if !ok {
			return fmt.Errorf("list: --type %q is not one of %v", fl.typ, tiers.Types)
		}
		f.Type = typ
	}
	if fl.queue != "" {
		stored, ok := cfg.storedQueue(fl.queue)
		if !ok {
			return fmt.Errorf("list: no queue %q (queues: %s)", fl.queue, strings.Join(cfg.queueNames(), ", "))
		}
		f.Queue = &stored
	}
	if f.Limit == 0 {
		return streamList(cfg, src, f, fl, out)
	}
	rows, err := src.List(f)
	if err != nil {
		return err
	}
	for i := range rows {
		rows[i].Queue = cfg.queueName(rows[i].Queue)
	}
	// tabwriter writes cell by cell: one syscall each without a buffer.
	w := bufio.NewWriterSize(out, 64<<10)
	defer w.Flush()
	if fl.json {
		if rows == nil {
			rows = []listRow{}
		}
		return printJSON(w, rows)
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	multi := cfg.multiQueue() // one queue: the columns of old
	if multi {
		fmt.Fprint(tw, "QUEUE\t")
	}
	fmt.Fprintln(tw, "#\tSTATUS\tTIER\tTYPE\tCATEGORY\tREQUESTER\tASSIGNEE\tUPDATED\tSUBJECT")
	for _, t := range rows {
		if multi {
			fmt.Fprintf(tw, "%s\t", t.Queue)
		}
		fmt.Fprintf(tw, "%d\t%s\t%d\t%s\t%s\t%s\t%s\t%s\t%s\n", t.ID, statusText(t.Status, t.CloseReason), t.Tier, or(string(t.Type), "-"),
			truncate(or(t.Category, "-"), 16), truncate(t.Requester, 30),
			or(t.Assignee, "-"), t.Updated.In(cfg.Location).Format("2006-01-02 15:04"), truncate(t.Subject, 50))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if fl.limit > 0 && len(rows) == fl.limit {
		fmt.Fprintf(w, "(the newest %d matching tickets; --limit 0 lists them all)\n", fl.limit)
	}
	return w.Flush()
}

func cmdShow(cfg *Config, src adminSource, id uint64, fl adminFlags, w io.Writer) error {
	v, err := src.Show(id)
	if err != nil {
		return err
	}
	if fl.json {
		return printJSON(w, v)
	}
	t := v.Ticket
	when := func(ts time.Time) string {
		if ts.IsZero() {
			return "-"
		}
		return ts.In(cfg.Location).Format("2006-01-02 15:04:05")
	}
	fmt.Fprintf(w, "[%s #%d] %s\n", cfg.queueTag(t.Queue), t.ID, t.Subject)
	if cfg.multiQueue() {
		fmt.Fprintf(w, "queue %s\n", cfg.queueName(t.Queue))
	}
	fmt.Fprintf(w, "status %s, tier %d, requester %s, assignee %s\n", statusText(t.Status, t.CloseReason), t.Tier, t.Requester, or(t.Assignee, "-"))
	if t.ForwardedBy != "" {
		fmt.Fprintf(w, "opened on the requester's behalf by %s\n", t.ForwardedBy)
	}
	if len(t.Participants) > 0 {
		var ps []string
		for _, p := range t.Participants {
			ps = append(ps, p.String())
		}
		fmt.Fprintf(w, "participants %s\n", strings.Join(ps, ", "))
	}
	if len(t.Pending) > 0 {
		var ps []string
		for _, p := range t.Pending {
			ps = append(ps, p.Address.String())
		}
		fmt.Fprintf(w, "waiting for the requester's confirmation %s\n", strings.Join(ps, ", "))
	}
	printLinks(w, v)
	if t.Language != "" {
		fmt.Fprintf(w, "written to in %s (the requester's language)\n", t.Language)
	}
	fmt.Fprintf(w, "created %s, first response %s\n", when(t.Created), when(t.FirstResponse))
	vendor := ""
	if t.VendorRef != "" {
		vendor = ", vendor ref " + t.VendorRef
	}
	fmt.Fprintf(w, "priority %s, at tier %d since %s, escalated %d time(s)%s\n", or(string(t.Priority), "normal"), t.Tier,
		when(t.TierSince), t.Escalations, vendor)
	typ := t.Type
	if typ == "" {
		typ = cfg.Intake.Default()
	}
	fmt.Fprintf(w, "type %s, category %s\n", typ, or(t.Category, "-"))
	fmt.Fprintf(w, "sla: first response %s, resolution %s\n\n", slaState(t.SLA.FirstResponse, when), slaState(t.SLA.Resolution, when))
	for _, e := range v.Events {
		line := fmt.Sprintf("%s  %-15s", when(e.Time), e.Kind)
		if e.Actor != "" {
			line += " " + e.Actor
		}
		if e.To != "" {
			line += fmt.Sprintf(" %s → %s", or(string(e.From), "·"), e.To)
		}
		if e.ToTier != 0 {
			line += fmt.Sprintf(" tier %d → %d", e.FromTier, e.ToTier)
		}
		if len(e.Recipients) > 0 {
			line += " to " + strings.Join(e.Recipients, ", ")
		}
		if e.Detail != "" {
			line += " (" + e.Detail + ")"
		}
		if e.MergedFrom != 0 {
			line += fmt.Sprintf(" [from #%d]", e.MergedFrom)
		}
		fmt.Fprintln(w, line)
		if e.Text != "" {
			for _, l := range strings.Split(truncate(e.Text, 600), "\n") {
				fmt.Fprintln(w, "    "+l)
			}
		}
		printAttachments(w, e.Attachments)
	}
	return nil
}

// slaState describes one countdown for show.
func slaState(c tiers.Countdown, when func(time.Time) string) string {
	switch {
	case c.Target == 0:
		return "-"
	case !c.Met.IsZero():
		return fmt.Sprintf("met %s (target %s)", when(c.Met), c.Target)
	case c.Breached && c.Running():
		return fmt.Sprintf("BREACHED %s (target %s)", when(c.Due), c.Target)
	case c.Running():
		return fmt.Sprintf("due %s (target %s)", when(c.Due), c.Target)
	default:
		return fmt.Sprintf("paused, %s of %s used", c.Used.Round(time.Second), c.Target)
	}
}

func cmdStats(cfg *Config, src adminSource, fl adminFlags, w io.Writer) error {
	st, err := src.Stats()
	if err != nil {
		return err
	}
	if fl.json {
		return printJSON(w, st)
	}
	fmt.Fprintf(w, "tickets      %d\n", st.Tickets)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	// By queue, status and tier, every type together; by type below.
	for i := 0; i < len(st.Counts); {
		c, n := st.Counts[i], 0
		for ; i < len(st.Counts) && st.Counts[i].Queue == c.Queue && st.Counts[i].Status == c.Status && st.Counts[i].Tier == c.Tier; i++ {
			n += st.Counts[i].N
		}
		if cfg.multiQueue() {
			fmt.Fprintf(tw, "  %s", cfg.queueName(c.Queue))
		}
		fmt.Fprintf(tw, "  %s\ttier %d\t%d\n", c.Status, c.Tier, n)
	}
	tw.Flush()
	oldest := ""
	if !st.OldestQueued.IsZero() {
		oldest = ", oldest queued " + st.OldestQueued.In(cfg.Location).Format("2006-01-02 15:04:05")
	}
	tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	for _, r := range st.ByType {
		fmt.Fprintf(tw, "  %s\t%d\t%d open\t%d resolved\tmedian first response %s\tmedian resolution %s\n", r.Type, r.Tickets, r.Open, r.Resolved,
			or(shortDuration(r.FirstResponse), "-"), or(shortDuration(r.Resolution), "-"))
	}
	for _, c := range st.ByCategory {
		fmt.Fprintf(tw, "  category %s\t%d\t%d open\n", or(c.Category, "(none)"), c.Tickets, c.Open)
	}
	tw.Flush()
	fmt.Fprintf(w, "outbox       %d waiting%s, %d given up\n", st.Outbox, oldest, st.Failed)
	fmt.Fprintf(w, "events       %d\n", st.Events)
	fmt.Fprintf(w, "message-ids  %d\n", st.MessageIDs)
	fmt.Fprintf(w, "database     %.1f MB, schema %d\n", float64(st.Bytes)/(1<<20), st.Schema)
	return nil
}

// shortDuration writes a median for stats: "" for none.
func shortDuration(d time.Duration) string {
	if d <= 0 {
		return ""
	}
	return d.Round(time.Second).String()
}

func truncate(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}

// printLinks shows a ticket's problem links, both ways, and its merge.
func printLinks(w io.Writer, v ticketView) {
	t := v.Ticket
	if t.Problem != 0 {
		fmt.Fprintf(w, "incident of problem #%d\n", t.Problem)
	}
	if len(v.Incidents) > 0 {
		ids := make([]string, len(v.Incidents))
		for i, id := range v.Incidents {
			ids[i] = fmt.Sprintf("#%d", id)
		}
		fmt.Fprintf(w, "problem of %d incident(s): %s\n", len(v.Incidents), strings.Join(ids, ", "))
	}
	if t.MergedInto != 0 {
		fmt.Fprintf(w, "merged into #%d: its mail goes there\n", t.MergedInto)
	}
}
