package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"

	"github.com/ticketd/ticketd/tickets"
)

// "list --limit 0" streams: every matching ticket, in number order, is
// printed as it is read (tickets.Store.EachSummary, a chunk per read
// transaction), locally or over the admin socket as NDJSON, so the first
// line comes out at once and memory stays flat at any size. Its columns
// have fixed widths (a tabwriter would hold every line to align them).

// EachRow streams the rows of list from the store.
func (l *localSource) EachRow(f tickets.Filter, fn func(listRow) error) error {
	f.DefaultType = l.defaultType
	return l.store.EachSummary(f, func(t tickets.Summary) error { return fn(l.row(&t)) })
}

// row is the list line of a summary.
func (l *localSource) row(t *tickets.Summary) listRow {
	r := listRow{ID: t.ID, Status: t.Status, Tier: t.Tier, Queue: t.Queue, Requester: t.Requester.Email,
		Assignee: t.Assignee, Updated: t.Updated, Subject: t.Subject, CloseReason: t.CloseReason, Type: t.Type, Category: t.Category}
	if t.Type == "" {
		r.Type = l.typeOfUntyped(t.Queue)
	}
	return r
}

// streamEnd is the last line of a streamed listing: End counts the rows
// sent, so a listing cut short (the daemon stopped) is an error; Error is
// what ended it early.
type streamEnd struct {
	End   *int   `json:"end,omitempty"`
	Error string `json:"error,omitempty"`
}

// streamLine is a line of a streamed listing: a row, or the end.
type streamLine struct {
	listRow
	streamEnd
}

// serveRows writes the rows of src matching f as NDJSON, flushing every
// few hundred lines (and after the first, so the client starts at once).
func serveRows(w http.ResponseWriter, src adminSource, f tickets.Filter, log *slog.Logger) {
	w.Header().Set("Content-Type", "application/x-ndjson")
	flusher, _ := w.(http.Flusher)
	bw := bufio.NewWriterSize(w, 32<<10)
	enc := json.NewEncoder(bw)
	n := 0
	err := src.EachRow(f, func(r listRow) error {
		if err := enc.Encode(r); err != nil {
			return err
		}
		n++
		if n == 1 || n%512 == 0 {
			if err := bw.Flush(); err != nil {
				return err
			}
			if flusher != nil {
				flusher.Flush()
			}
		}
		return nil
	})
	end := streamEnd{End: &n}
	if err != nil {
		log.Warn("ticket listing over the admin socket ended early", "rows", n, "err", err)
		end = streamEnd{Error: err.Error()}
	}
	_ = enc.Encode(end)
	_ = bw.Flush()
}

// EachRow streams the daemon's listing (GET /v1/tickets?stream=1).
func (r *remoteSource) EachRow(f tickets.Filter, fn func(listRow) error) error {
	q := listQuery(f)
	q.Set("stream", "1")
	resp, err := r.do("GET", "/v1/tickets?"+q.Encode())
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	dec := json.NewDecoder(bufio.NewReaderSize(resp.Body, 64<<10))
	n := 0
	for {
		var line streamLine
		if err := dec.Decode(&line); err != nil {
			if errors.Is(err, io.EOF) {
				err = io.ErrUnexpectedEOF
			}
			return fmt.Errorf("daemon's listing cut short after %d tickets: %w", n, err)
		}
		switch {
		case line.Error != "":
			return fmt.Errorf("daemon: %s", line.Error)
		case line.End != nil:
			if *line.End != n {
				return fmt.Errorf("daemon's listing: %d tickets, it sent %d", n, *line.End)
			}
			return nil
		}
		n++
		if err := fn(line.listRow); err != nil {
			return err
		}
	}
}

// streamList prints every matching ticket as it is read: fixed-width
// columns (as wide as list's truncated cells), or one JSON array written
// element by element (the same document list --json prints).
func streamList(cfg *Config, src adminSource, f tickets.Filter, fl adminFlags, out io.Writer) error {
	w := bufio.NewWriterSize(out, 64<<10)
	defer w.Flush()
	n := 0
	flushFirst := func() error {
		n++
		if n == 1 { // the first line out at once
			return w.Flush()
		}
		return nil
	}
	if fl.json {
		if _, err := w.WriteString("["); err != nil {
			return err
		}
		err := src.EachRow(f, func(r listRow) error {
			r.Queue = cfg.queueName(r.Queue)
			b, err := json.MarshalIndent(r, "  ", "  ")
			if err != nil {
				return err
			}
			sep := ",\n  "
			if n == 0 {
				sep = "\n  "
			}
			if _, err := w.WriteString(sep); err != nil {
				return err
			}
			if _, err := w.Write(b); err != nil {
				return err
			}
			return flushFirst()
		})
		if err != nil {
			return err
		}
		if n > 0 {
			_, _ = w.WriteString("\n")
		}
		_, _ = w.WriteString("]\n")
		return w.Flush()
	}
	multi, qw := cfg.multiQueue(), 5
	for _, name := range cfg.queueNames() {
		qw = max(qw, len([]rune(name)))
	}
	line := func(queue, id, status, tier, typ, category, requester, assignee, updated, subject string) {
		if multi {
			fmt.Fprintf(w, "%-*s  ", qw, queue)
		}
		s := fmt.Sprintf("%-7s  %-13s  %-4s  %-8s  %-16s  %-30s  %-30s  %-16s  %s", id, status, tier, typ, category, requester, assignee, updated, subject)
		w.WriteString(strings.TrimRight(s, " "))
		w.WriteString("\n")
	}
	line("QUEUE", "#", "STATUS", "TIER", "TYPE", "CATEGORY", "REQUESTER", "ASSIGNEE", "UPDATED", "SUBJECT")
	err := src.EachRow(f, func(t listRow) error {
		line(cfg.queueName(t.Queue), fmt.Sprint(t.ID), statusText(t.Status, t.CloseReason), fmt.Sprint(t.Tier), or(string(t.Type), "-"),
			truncate(or(t.Category, "-"), 16), truncate(t.Requester, 30), truncate(or(t.Assignee, "-"), 30),
			t.Updated.In(cfg.Location).Format("2006-01-02 15:04"), truncate(t.Subject, 50))
		return flushFirst()
	})
	if err != nil {
		return err
	}
	return w.Flush()
}
