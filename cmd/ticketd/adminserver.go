package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"strconv"
	"time"

	"github.com/ticketd/ticketd/connpolicy"
	"github.com/ticketd/ticketd/tickets"
	"github.com/ticketd/ticketd/tiers"
)

// The daemon answers the admin commands over a unix socket in
// data_dir/admin (a 0700 directory, the socket 0600: only ticketd's user
// may ask), because bbolt's file lock keeps every other process out of
// the database while it runs. Metrics and
// health checks are served separately, on [admin] listen, read-only.

// startAdmin starts the admin socket and, when configured, the metrics
// listener. The returned stop shuts both down.
func startAdmin(cfg *Config, d *desk, deps Deps) (stop func(), err error) {
	log := deps.Logger.With("component", "admin")
	var servers []*http.Server
	stop = func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		for _, s := range servers {
			_ = s.Shutdown(ctx)
		}
		if cfg.Admin.Socket != "" {
			_ = os.Remove(cfg.Admin.Socket)
		}
	}
	serve := func(ln net.Listener, h http.Handler, what string) {
		s := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second, ErrorLog: slog.NewLogLogger(log.Handler(), slog.LevelWarn)}
		servers = append(servers, s)
		go func() {
			if err := s.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
				log.Error("admin server stopped", "listener", what, "err", err)
			}
		}()
	}
	if cfg.Admin.Listen != "" {
		ln, err := net.Listen("tcp", cfg.Admin.Listen)
		if err != nil {
			return nil, fmt.Errorf("admin.listen: %w", err)
		}
		// A loopback name (checked with the config) must also have
		// resolved to a loopback address.
		if host, _, _ := net.SplitHostPort(cfg.Admin.Listen); connpolicy.IsLoopback(host) && !connpolicy.IsLoopbackAddr(ln.Addr()) {
			ln.Close()
			return nil, fmt.Errorf("admin.listen %q: bound to %s, not a loopback address", cfg.Admin.Listen, ln.Addr())
		}
		serve(ln, metricsHandler(cfg, d, deps), cfg.Admin.Listen)
		log.Info("metrics listening", "addr", ln.Addr().String())
	}
	if cfg.Admin.Socket != "" {
		ln, err := listenPrivate(cfg.Admin.Socket)
		if err != nil {
			// Not fatal: mail flows without it; admin commands then
			// report the lock instead.
			log.Warn("admin socket unavailable; admin commands cannot reach the daemon", "path", cfg.Admin.Socket, "err", err)
		} else {
			serve(ln, apiHandler(&localSource{store: d.store, now: deps.Now, wake: d.svc.Wake, svc: d.svc, warmed: d.warmed, defaultType: cfg.Intake.Default(), queueType: cfg.queueDefaultType}, log), cfg.Admin.Socket)
		}
	}
	return stop, nil
}

// metricsHandler serves /metrics, /healthz and /readyz.
func metricsHandler(cfg *Config, d *desk, deps Deps) http.Handler {
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", d.metrics.Handler())
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintln(w, "ok")
	})
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, r *http.Request) {
		if err := ready(d, deps.Now(), cfg.Admin.ReadyMaxAge); err != nil {
			http.Error(w, "not ready: "+err.Error(), http.StatusServiceUnavailable)
			return
		}
		fmt.Fprintln(w, "ready")
	})
	return mux
}

// ready is nil when the database answers and a mail pass succeeded within
// maxAge of now.
func ready(d *desk, now time.Time, maxAge time.Duration) error {
	if err := d.store.Ping(); err != nil {
		return fmt.Errorf("database: %w", err)
	}
	last := d.metrics.LastSuccessfulPass()
	switch {
	case last.IsZero():
		return errors.New("no mail pass has succeeded yet")
	case now.Sub(last) > maxAge:
		return fmt.Errorf("last successful mail pass %s ago (limit %s)", now.Sub(last).Round(time.Second), maxAge)
	}
	return nil
}

// apiHandler serves the admin commands' questions from src.
func apiHandler(src adminSource, log *slog.Logger) http.Handler {
	mux := http.NewServeMux()
	reply := func(w http.ResponseWriter, v any, err error) {
		if err != nil {
			code := http.StatusInternalServerError
			if errors.Is(err, tickets.ErrNotFound) {
				code = http.StatusNotFound
			}
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(code)
			_ = json.NewEncoder(w).Encode(apiError{Error: err.Error()})
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(v)
	}
	id := func(r *http.Request) (uint64, error) {
		n, err := strconv.ParseUint(r.PathValue("id"), 10, 64)
		if err != nil {
			return 0, fmt.Errorf("%q is not a number: %w", r.PathValue("id"), tickets.ErrNotFound)
		}
		return n, nil
	}
	kbRoutes(mux, src, reply)
	reportRoutes(mux, src, reply)
	mux.HandleFunc("GET /v1/tickets", func(w http.ResponseWriter, r *http.Request) {
		f := tickets.Filter{Status: tickets.Status(r.FormValue("status"))}
		f.Tier, _ = strconv.Atoi(r.FormValue("tier"))
		f.Limit, _ = strconv.Atoi(r.FormValue("limit"))
		f.Type, f.Category = tiers.Type(r.FormValue("type")), r.FormValue("category")
		if r.URL.Query().Has("queue") {
			q := r.URL.Query().Get("queue")
			f.Queue = &q
		}
		if r.FormValue("stream") == "1" { // NDJSON, every match (adminlist.go)
			serveRows(w, src, f, log)
			return
		}
		rows, err := src.List(f)
		reply(w, rows, err)
	})
	mux.HandleFunc("GET /v1/tickets/{id}", func(w http.ResponseWriter, r *http.Request) {
		n, err := id(r)
		if err != nil {
			reply(w, nil, err)
			return
		}
		v, err := src.Show(n)
		reply(w, v, err)
	})
	mux.HandleFunc("GET /v1/stats", func(w http.ResponseWriter, r *http.Request) {
		v, err := src.Stats()
		reply(w, v, err)
	})
	mux.HandleFunc("GET /v1/outbox", func(w http.ResponseWriter, r *http.Request) {
		v, err := src.Outbox()
		reply(w, v, err)
	})
	mux.HandleFunc("POST /v1/outbox/{id}/retry", func(w http.ResponseWriter, r *http.Request) {
		n, err := id(r)
		if err != nil {
			reply(w, nil, err)
			return
		}
		m, err := src.Retry(n)
		if err == nil {
			log.Info("mail queued again by an admin", "ticket", m.Ticket, "outbox", m.ID, "msgid", m.MessageID)
		}
		reply(w, m, err)
	})
	mux.HandleFunc("GET /v1/backup", func(w http.ResponseWriter, r *http.Request) {
		ls, ok := src.(*localSource)
		if !ok {
			http.Error(w, "backup needs the database", http.StatusInternalServerError)
			return
		}
		n, err := ls.store.BackupTo(func(size int64) (io.Writer, error) {
			w.Header().Set("Content-Type", "application/octet-stream")
			w.Header().Set("Content-Length", strconv.FormatInt(size, 10))
			return w, nil
		})
		if err != nil {
			// Headers are gone: the client sees a short body and fails.
			log.Error("backup over the admin socket", "bytes", n, "err", err)
			return
		}
		log.Info("backup sent over the admin socket", "bytes", n)
	})
	return mux
}

type apiError struct {
	Error string `json:"error"`
}
