package main

import (
	"bytes"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/BurntSushi/toml"
	"github.com/robfig/cron/v3"

	"github.com/ticketd/ticketd/mailin"
	"github.com/ticketd/ticketd/mailout"
	"github.com/ticketd/ticketd/tickets"
)

// fileConfig mirrors the TOML file; config.example.toml documents every key.
type fileConfig struct {
	DataDir      string `toml:"data_dir"`
	Language     string `toml:"language"`
	Timezone     string `toml:"timezone"`
	TemplatesDir string `toml:"templates_dir"`
	LogLevel     string `toml:"log_level"`
	Support      struct {
		Address string `toml:"address"`
		Name    string `toml:"name"`
		Tag     string `toml:"tag"`
		// Queue names this default queue in #queue and reports; Aliases
		// are its other addresses (config_queues.go).
		Queue   string   `toml:"queue"`
		Aliases []string `toml:"aliases"`
	} `toml:"support"`
	IMAP struct {
		serverKeys
		Mailbox          string `toml:"mailbox"`
		ProcessedMailbox string `toml:"processed_mailbox"`
		FailedMailbox    string `toml:"failed_mailbox"`
		SpamMailbox      string `toml:"spam_mailbox"`
		PollInterval     string `toml:"poll_interval"`
	} `toml:"imap"`
	SMTP struct {
		serverKeys
		// Connections: how many SMTP connections drain a long outbox at
		// once (loadSMTP).
		Connections *int `toml:"connections"`
	} `toml:"smtp"`
	Tiers []tierKeys `toml:"tiers"`
	// Queues are the desk's other support addresses (config_queues.go).
	Queues     []queueKeys    `toml:"queues"`
	Types      typesKeys      `toml:"types"`      // config_types.go
	Categories []categoryKeys `toml:"categories"` // config_types.go
	Calendar   *struct {
		Monday    string   `toml:"monday"`
		Tuesday   string   `toml:"tuesday"`
		Wednesday string   `toml:"wednesday"`
		Thursday  string   `toml:"thursday"`
		Friday    string   `toml:"friday"`
		Saturday  string   `toml:"saturday"`
		Sunday    string   `toml:"sunday"`
		Holidays  []string `toml:"holidays"`
	} `toml:"calendar"`
	Priority   map[string][]string `toml:"priority"`
	Security   securityKeys        `toml:"security"`
	Escalation struct {
		Schedule        string   `toml:"schedule"`
		WarnAt          *float64 `toml:"warn_at"`
		NotifyRequester *bool    `toml:"notify_requester"`
	} `toml:"escalation"`
	Digest struct {
		Schedule string   `toml:"schedule"`
		Managers []string `toml:"managers"`
		Period   string   `toml:"period"` // daily | weekly | monthly
		Agents   string   `toml:"agents"` // the agents' morning mail (agentdigest.go)
	} `toml:"digest"`
	Workflow struct {
		ReopenWindow    string `toml:"reopen_window"`
		AutoClose       string `toml:"auto_close"`
		PendingReminder string `toml:"pending_reminder"`
		PendingResolve  string `toml:"pending_resolve"`
		Strangers       string `toml:"strangers"`
		CollisionCheck  *bool  `toml:"collision_check"`
		CSAT            *bool  `toml:"csat"`
		LowRating       *int   `toml:"low_rating"`
		AssignForwarder *bool  `toml:"assign_forwarder"`
	} `toml:"workflow"`
	KB struct {
		Suggestions *int     `toml:"suggestions"`
		MinScore    *float64 `toml:"min_score"`
	} `toml:"knowledge_base"`

	adminFileKeys // log_format and [admin]: adminconfig.go

	Mail   mailKeys   `toml:"mail"`   // config_mail.go
	Limits limitsKeys `toml:"limits"` // config_limits.go
	Spam   spamKeys   `toml:"spam"`   // config_spam.go

	// languages and detect_language: the languages requesters may be
	// written in, and whether theirs is detected (config_tickets.go).
	Languages      []string `toml:"languages"`
	DetectLanguage *bool    `toml:"detect_language"`
}

// tierKeys is one [[tiers]] (or [[queues.tiers]]) table.
type tierKeys struct {
	Level         int                      `toml:"level"`
	Name          string                   `toml:"name"`
	Agents        []string                 `toml:"agents"`
	FirstResponse string                   `toml:"first_response"`
	Resolution    string                   `toml:"resolution"`
	Hours         string                   `toml:"hours"`
	Vendor        bool                     `toml:"vendor"`
	VendorRef     string                   `toml:"vendor_ref"`
	Priority      map[string]targetsConfig `toml:"priority"`
	// Targets per ticket type (config_types.go).
	Incident *typeTargetsKeys `toml:"incident"`
	Request  *typeTargetsKeys `toml:"request"`
}

// targetsConfig is a [tiers.priority.P] table.
type targetsConfig struct {
	FirstResponse string `toml:"first_response"`
	Resolution    string `toml:"resolution"`
}

// Config is the validated runtime configuration: each package's options
// complete, as one function per section built them (config_*.go), but for
// what only a running desk has (openDesk adds it: daemon_options.go).
type Config struct {
	Path         string
	DataDir      string
	TemplatesDir string
	LogLevel     string
	// Options are the ticket workflow's options: [support], language,
	// timezone, [tiers], [security], [escalation], [digest], [workflow],
	// [knowledge_base], [mail] and [limits] (config_tickets.go). Embedded,
	// so cfg.Desk, cfg.Policy or cfg.Location name the desk's own.
	tickets.Options
	// IMAP is [imap], with [security]'s trusted_authserv_id and [mail]'s
	// attachment limit (config_server.go).
	IMAP         mailin.PollerOptions
	PollInterval time.Duration
	// SMTP is [smtp], with [limits]' recipients per transaction.
	SMTP mailout.Options
	// OutboxBacklog is [limits] outbox_backlog: the untried mails
	// delivery may have ahead of the ingest before the ingest waits
	// (backlog.go).
	OutboxBacklog int
	// Escalation and Digest are the cron schedules of the SLA check and
	// the managers' digest ("" : no digest).
	Escalation string
	Digest     string
	// AgentDigest is the cron schedule of the agents' morning mail ("" :
	// none; agentdigest.go).
	AgentDigest string

	Admin AdminConfig // [admin] and log_format: adminconfig.go
}

// LoadConfig reads, decodes strictly and validates the file at path. It
// reports every problem at once, each naming its key.
func LoadConfig(path string) (*Config, error) {
	fc, unknown, err := readFileConfig(path)
	if err != nil {
		return nil, err
	}
	var errs []error
	bad := func(key, format string, args ...any) {
		errs = append(errs, fmt.Errorf("%s: "+format, append([]any{key}, args...)...))
	}
	for _, k := range unknown {
		bad(k, "unknown key")
	}

	resolvePaths(&fc, path)
	cfg := &Config{Path: path, DataDir: fc.DataDir, TemplatesDir: fc.TemplatesDir, LogLevel: or(fc.LogLevel, "info")}
	if cfg.DataDir == "" {
		bad("data_dir", "is required")
	}
	switch cfg.LogLevel {
	case "debug", "info", "warn", "error":
	default:
		bad("log_level", "%q is not one of debug, info, warn, error", cfg.LogLevel)
	}
	cfg.Options = loadTickets(bad, &fc)
	cfg.IMAP, cfg.PollInterval = loadIMAP(bad, &fc, cfg.Desk.Email)
	cfg.IMAP.QueueAddresses = queueAddresses(&cfg.Options)
	checkQueueMailboxes(bad, &cfg.Options, cfg.IMAP)
	cfg.SMTP = loadSMTP(bad, &fc)
	cfg.OutboxBacklog = outboxBacklog(bad, fc.Limits)
	cfg.Escalation, cfg.Digest = loadSchedules(bad, &fc)
	cfg.AgentDigest = loadAgentDigest(bad, &fc)
	cfg.Admin = loadAdmin(bad, &fc, cfg.DataDir, cfg.PollInterval)
	if len(errs) > 0 {
		return nil, &ConfigError{Path: path, Problems: errs}
	}
	return cfg, nil
}

// readFileConfig reads and decodes the TOML file at path, returning the
// keys it did not know apart, for the caller to report.
func readFileConfig(path string) (fc fileConfig, unknown []string, err error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return fc, nil, fmt.Errorf("config: %w", err)
	}
	md, err := toml.NewDecoder(bytes.NewReader(data)).Decode(&fc)
	if err != nil {
		return fc, nil, fmt.Errorf("config %s: %w", path, err)
	}
	for _, k := range md.Undecoded() {
		unknown = append(unknown, k.String())
	}
	return fc, unknown, nil
}

// loadSchedules validates the cron schedules of the SLA check and of the
// managers' digest ("" : no digest).
func loadSchedules(bad badFunc, fc *fileConfig) (escalation, digest string) {
	escalation, digest = or(fc.Escalation.Schedule, "@every 1m"), fc.Digest.Schedule
	for key, spec := range map[string]string{"escalation.schedule": escalation, "digest.schedule": digest} {
		if spec == "" {
			continue
		}
		if _, err := cron.ParseStandard(spec); err != nil {
			bad(key, "%q is not a cron schedule: %v", spec, err)
		}
	}
	if digest != "" && len(fc.Digest.Managers) == 0 {
		bad("digest.managers", "at least one address is required with digest.schedule")
	}
	return escalation, digest
}

// ConfigError lists every problem found in a configuration file.
type ConfigError struct {
	Path     string
	Problems []error
}

func (e *ConfigError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "config %s: %d problem(s):", e.Path, len(e.Problems))
	for _, p := range e.Problems {
		b.WriteString("\n  - ")
		b.WriteString(p.Error())
	}
	return b.String()
}

type badFunc func(key, format string, args ...any)

// emailAt reads the address a written at key: normalized, or ok false
// once bad has named it.
func emailAt(bad badFunc, key, a string) (e string, ok bool) {
	e = tickets.NormalizeEmail(a)
	if !tickets.PlainEmail(e) {
		bad(key, "%q is not an email address", a)
		return "", false
	}
	return e, true
}

// optionalDuration is a duration that "off" (or "0") turns off.
func optionalDuration(bad badFunc, key, s string) time.Duration {
	if s == "off" || s == "0" {
		return 0
	}
	return parseDuration(bad, key, s)
}

func parseDuration(bad badFunc, key, s string) time.Duration {
	if s == "" {
		bad(key, "is required (a duration such as \"30m\" or \"8h\")")
		return 0
	}
	d, err := time.ParseDuration(s)
	if err != nil {
		bad(key, "%q is not a duration (examples: \"90s\", \"30m\", \"8h\")", s)
		return 0
	}
	if d <= 0 {
		bad(key, "%q must be positive", s)
	}
	return d
}

func offOr(d time.Duration) string {
	if d == 0 {
		return "off"
	}
	return d.String()
}

func or(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// unjoin splits an errors.Join error into its parts.
func unjoin(err error) []error {
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		return j.Unwrap()
	}
	return []error{err}
}
