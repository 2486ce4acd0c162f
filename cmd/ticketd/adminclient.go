package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/ticketd/ticketd/tickets"
)

// Bounds of a conversation with the daemon: an admin command never hangs.
const (
	socketDialTimeout = 2 * time.Second
	socketReplyWait   = 30 * time.Second // until the answer's headers
)

// withSource runs fn against the running daemon when its socket answers,
// else against the database opened by this process: read-only unless
// write, waiting at most lockTimeout for a lock (a daemon without a socket
// holds it: the error says so).
func withSource(cfg *Config, write bool, fn func(adminSource) error) error {
	if r, ok := runningDaemon(cfg); ok {
		return fn(r)
	}
	var (
		store *tickets.Store
		err   error
	)
	if write {
		store, err = tickets.Open(cfg.DataDir, lockTimeout)
	} else {
		store, err = tickets.OpenReadOnly(cfg.DataDir, lockTimeout)
	}
	if err != nil {
		return err
	}
	defer store.Close()
	return fn(&localSource{store: store, now: time.Now, defaultType: cfg.Intake.Default(), queueType: cfg.queueDefaultType})
}

// runningDaemon returns the daemon's admin API when its socket answers:
// data_dir/admin/ticketd.sock, else data_dir/ticketd.sock where a daemon
// of an older version (still running during an upgrade) listens.
func runningDaemon(cfg *Config) (*remoteSource, bool) {
	if cfg.Admin.Socket == "" {
		return nil, false
	}
	for _, socket := range []string{cfg.Admin.Socket, filepath.Join(cfg.DataDir, "ticketd.sock")} {
		// Without the socket file no daemon listens there: a stat says so
		// for a few µs where a dial that fails costs ~0.1 ms (a socket,
		// a timer), and every command without a daemon asks twice.
		if _, err := os.Stat(socket); err != nil {
			continue
		}
		c, err := net.DialTimeout("unix", socket, socketDialTimeout)
		if err != nil {
			continue
		}
		c.Close()
		return newRemoteSource(socket), true
	}
	return nil, false
}

// remoteSource asks the daemon over its unix socket.
type remoteSource struct {
	http *http.Client
}

func newRemoteSource(socket string) *remoteSource {
	tr := &http.Transport{
		DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
			d := net.Dialer{Timeout: socketDialTimeout}
			return d.DialContext(ctx, "unix", socket)
		},
		ResponseHeaderTimeout: socketReplyWait,
		DisableCompression:    true,
	}
	return &remoteSource{http: &http.Client{Transport: tr}}
}

// do sends a request and returns the response of a 200, or the daemon's
// error (404 → tickets.ErrNotFound).
func (r *remoteSource) do(method, path string) (*http.Response, error) {
	req, err := http.NewRequest(method, "http://ticketd"+path, nil)
	if err != nil {
		return nil, err
	}
	resp, err := r.http.Do(req)
	if err != nil {
		return nil, fmt.Errorf("ask the daemon: %w", err)
	}
	if resp.StatusCode == http.StatusOK {
		return resp, nil
	}
	defer resp.Body.Close()
	var e apiError
	_ = json.NewDecoder(io.LimitReader(resp.Body, 64<<10)).Decode(&e)
	if e.Error == "" {
		e.Error = resp.Status
	}
	if resp.StatusCode == http.StatusNotFound {
		return nil, fmt.Errorf("daemon: %w", remoteNotFound(e.Error))
	}
	return nil, fmt.Errorf("daemon: %s", e.Error)
}

// remoteNotFound is the daemon's 404 message ("ticket 9: not found"): it
// is tickets.ErrNotFound without saying "not found" twice.
type remoteNotFound string

func (e remoteNotFound) Error() string        { return string(e) }
func (e remoteNotFound) Is(target error) bool { return target == tickets.ErrNotFound }

func (r *remoteSource) get(method, path string, v any) error {
	resp, err := r.do(method, path)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if err := json.NewDecoder(resp.Body).Decode(v); err != nil {
		return fmt.Errorf("daemon's answer to %s: %w", path, err)
	}
	return nil
}

func (r *remoteSource) List(f tickets.Filter) ([]listRow, error) {
	var rows []listRow
	err := r.get("GET", "/v1/tickets?"+listQuery(f).Encode(), &rows)
	return rows, err
}

// listQuery is f as GET /v1/tickets's query.
func listQuery(f tickets.Filter) url.Values {
	q := url.Values{}
	if f.Status != "" {
		q.Set("status", string(f.Status))
	}
	if f.Tier != 0 {
		q.Set("tier", strconv.Itoa(f.Tier))
	}
	if f.Limit != 0 {
		q.Set("limit", strconv.Itoa(f.Limit))
	}
	if f.Type != "" {
		q.Set("type", string(f.Type))
	}
	if f.Category != "" {
		q.Set("category", f.Category)
	}
	if f.Queue != nil {
		q.Set("queue", *f.Queue) // present, even "" (the default queue)
	}
	return q
}

func (r *remoteSource) Show(id uint64) (v ticketView, err error) {
	err = r.get("GET", "/v1/tickets/"+strconv.FormatUint(id, 10), &v)
	return v, err
}

func (r *remoteSource) Stats() (st tickets.Stats, err error) {
	err = r.get("GET", "/v1/stats", &st)
	return st, err
}

func (r *remoteSource) Outbox() (v outboxView, err error) {
	err = r.get("GET", "/v1/outbox", &v)
	return v, err
}

func (r *remoteSource) Retry(id uint64) (m tickets.Mail, err error) {
	err = r.get("POST", "/v1/outbox/"+strconv.FormatUint(id, 10)+"/retry", &m)
	return m, err
}

// Backup streams the daemon's copy into path; a short copy (the daemon
// stopped mid-way) is an error and leaves path untouched.
func (r *remoteSource) Backup(path string) (int64, error) {
	resp, err := r.do("GET", "/v1/backup")
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	var n int64
	err = tickets.WriteFileAtomic(path, func(w io.Writer) error {
		var cerr error
		if n, cerr = io.Copy(w, resp.Body); cerr != nil {
			return cerr
		}
		if resp.ContentLength >= 0 && n != resp.ContentLength {
			return fmt.Errorf("backup cut short: %d of %d bytes", n, resp.ContentLength)
		}
		return nil
	})
	if err != nil {
		return n, fmt.Errorf("backup: %w", err)
	}
	return n, nil
}
