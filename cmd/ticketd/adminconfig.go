package main

import (
	"fmt"
	"net"
	"path/filepath"
	"time"

	"github.com/ticketd/ticketd/connpolicy"
)

// adminFileKeys are the keys of this file's concern in the TOML file.
type adminFileKeys struct {
	LogFormat string    `toml:"log_format"`
	Admin     adminKeys `toml:"admin"`
}

// adminKeys mirrors the [admin] section.
type adminKeys struct {
	Listen      string `toml:"listen"`
	AllowRemote bool   `toml:"allow_remote"`
	ReadyMaxAge string `toml:"ready_max_age"`
}

// AdminConfig is the validated [admin] section, with log_format.
type AdminConfig struct {
	// Listen is the HTTP address of /metrics, /healthz and /readyz; ""
	// means off.
	Listen string
	// ReadyMaxAge is how old the last successful mail pass may be for
	// /readyz to answer 200.
	ReadyMaxAge time.Duration
	// Socket is the unix socket the admin commands use to ask the running
	// daemon (data_dir/admin/ticketd.sock).
	Socket string
	// LogFormat is "text" or "json".
	LogFormat string
}

// loadAdminConfig validates [admin] and log_format into cfg.Admin; it runs
// after the rest of LoadConfig (it needs DataDir and PollInterval).
func loadAdminConfig(fc *fileConfig, cfg *Config, bad badFunc) {
	a := &cfg.Admin
	a.LogFormat = or(fc.LogFormat, "text")
	if a.LogFormat != "text" && a.LogFormat != "json" {
		bad("log_format", "%q is not one of text, json", a.LogFormat)
	}
	if cfg.DataDir != "" {
		a.Socket = filepath.Join(cfg.DataDir, adminSocketDir, "ticketd.sock")
	}
	k := fc.Admin
	a.Listen = k.Listen
	if a.Listen != "" {
		host, _, err := net.SplitHostPort(a.Listen)
		switch {
		case err != nil:
			bad("admin.listen", "%q is not host:port", a.Listen)
		case !k.AllowRemote && !connpolicy.IsLoopback(host):
			bad("admin.listen", "%q is not a loopback address; set admin.allow_remote = true to expose metrics beyond this host", a.Listen)
		}
	}
	// Run starts a pass at least every poll_interval; three missed in a
	// row (and at least a minute) mean mail is no longer being read.
	a.ReadyMaxAge = max(3*cfg.PollInterval, time.Minute)
	if k.ReadyMaxAge != "" {
		a.ReadyMaxAge = parseDuration(bad, "admin.ready_max_age", k.ReadyMaxAge)
	}
}

// adminSummary is check-config's line for [admin].
func (c *Config) adminSummary() string {
	if c.Admin.Listen == "" {
		return fmt.Sprintf("  admin:       socket %s (admin commands); metrics off (admin.listen)\n", c.Admin.Socket)
	}
	return fmt.Sprintf("  admin:       socket %s; http://%s/metrics, /healthz, /readyz (ready: a mail pass within %s)\n",
		c.Admin.Socket, c.Admin.Listen, c.Admin.ReadyMaxAge)
}
