package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ticketd/ticketd/templates"
	"github.com/ticketd/ticketd/tickets"
)

// listDesk is a store of n tickets opened through the workflow with the
// example configuration, and that configuration.
func listDesk(t *testing.T, n int) (*Config, *tickets.Store) {
	t.Helper()
	cfg, err := exampleWith(t, `language = "es"`, `language = "es"`)
	if err != nil {
		t.Fatal(err)
	}
	store, err := tickets.Open(t.TempDir(), time.Second)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	tmpl, err := templates.New("")
	if err != nil {
		t.Fatal(err)
	}
	o := cfg.Options
	o.Templates = tmpl
	svc, err := tickets.NewService(store, o)
	if err != nil {
		t.Fatal(err)
	}
	var msgs []tickets.Inbound
	for i := range n {
		msgs = append(msgs, tickets.Inbound{MessageID: fmt.Sprintf("l%d@cliente.test", i), From: tickets.NewAddress("", fmt.Sprintf("u%d@cliente.test", i)),
			To: []tickets.Address{tickets.NewAddress("", cfg.Options.Desk.Email)}, Subject: fmt.Sprintf("No imprime la impresora %d", i), Text: "No imprime."})
	}
	if _, err := svc.Apply(context.Background(), msgs); err != nil {
		t.Fatal(err)
	}
	return cfg, store
}

// serveSocket serves h on a unix socket and returns its path.
func serveSocket(t *testing.T, h http.Handler) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "t.sock")
	ln, err := net.Listen("unix", path)
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: h}
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { _ = srv.Close() })
	return path
}

// TestListStreams: list --limit 0 prints, locally and over the admin
// socket, exactly what the whole listing holds (every ticket, in order;
// with --json the very document the non-streaming listing prints), across
// several chunks of the store's iterator and flushes of the socket.
func TestListStreams(t *testing.T) {
	const n = 1300 // more than one chunk (1,024) and two flushes (512)
	cfg, store := listDesk(t, n)
	local := &localSource{store: store, now: time.Now, defaultType: cfg.Intake.Default()}
	remote := newRemoteSource(serveSocket(t, apiHandler(local, slog.New(slog.NewTextHandler(io.Discard, nil)))))

	// The whole listing, as the non-streaming path builds it.
	rows, err := local.List(tickets.Filter{})
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != n {
		t.Fatalf("the desk holds %d tickets, want %d", len(rows), n)
	}
	for i := range rows {
		rows[i].Queue = cfg.queueName(rows[i].Queue)
	}
	var want bytes.Buffer
	if err := printJSON(&want, rows); err != nil {
		t.Fatal(err)
	}
	for name, src := range map[string]adminSource{"local": local, "socket": remote} {
		var got bytes.Buffer
		if err := cmdList(cfg, src, adminFlags{limit: 0, json: true}, &got); err != nil {
			t.Fatalf("%s: list --limit 0 --json: %v", name, err)
		}
		if got.String() != want.String() {
			t.Fatalf("%s: list --limit 0 --json differs from the whole listing's JSON (%d vs %d bytes)", name, got.Len(), want.Len())
		}
		got.Reset()
		if err := cmdList(cfg, src, adminFlags{limit: 0}, &got); err != nil {
			t.Fatalf("%s: list --limit 0: %v", name, err)
		}
		lines := strings.Split(strings.TrimSuffix(got.String(), "\n"), "\n")
		if len(lines) != n+1 || !strings.HasPrefix(lines[0], "#") || !strings.HasPrefix(lines[1], "1 ") ||
			!strings.HasPrefix(lines[n], fmt.Sprint(n)+" ") || !strings.Contains(lines[n], fmt.Sprintf("No imprime la impresora %d", n-1)) {
			t.Fatalf("%s: list --limit 0 printed %d lines, first %q, last %q", name, len(lines), lines[0], lines[len(lines)-1])
		}
		// Fixed columns: the subject starts at the same place on every line.
		col := strings.Index(lines[0], "SUBJECT")
		for _, l := range []string{lines[1], lines[n]} {
			if !strings.HasPrefix(l[col:], "No imprime") {
				t.Fatalf("%s: column SUBJECT at %d in the header, line %q", name, col, l)
			}
		}
		// A filter streams too.
		got.Reset()
		if err := cmdList(cfg, src, adminFlags{limit: 0, status: "open", json: true}, &got); err != nil || got.String() != "[]\n" {
			t.Fatalf("%s: list --limit 0 --status open --json: %v, %q", name, err, got.String())
		}
	}
}

// TestListStreamCutShort: a listing the daemon does not finish (it stopped
// mid-way) is an error, not a short list.
func TestListStreamCutShort(t *testing.T) {
	for name, body := range map[string]string{
		"no end":        `{"id":1,"status":"new","tier":1,"requester":"a@b.test","updated":"2026-03-02T09:00:00Z","subject":"x","type":"incident"}` + "\n",
		"wrong count":   `{"id":1,"status":"new","tier":1,"requester":"a@b.test","updated":"2026-03-02T09:00:00Z","subject":"x","type":"incident"}` + "\n" + `{"end":2}` + "\n",
		"error at last": `{"error":"list tickets: disk on fire"}` + "\n",
	} {
		remote := newRemoteSource(serveSocket(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			io.WriteString(w, body)
		})))
		n := 0
		err := remote.EachRow(tickets.Filter{}, func(listRow) error { n++; return nil })
		if err == nil {
			t.Fatalf("%s: no error after %d rows", name, n)
		}
	}
}
