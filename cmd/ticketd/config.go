package main

import (
	"bytes"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"github.com/BurntSushi/toml"
	"github.com/robfig/cron/v3"

	"github.com/ticketd/ticketd/connpolicy"
	"github.com/ticketd/ticketd/mailauth"
	"github.com/ticketd/ticketd/mailin"
	"github.com/ticketd/ticketd/mailout"
	"github.com/ticketd/ticketd/templates"
	"github.com/ticketd/ticketd/tickets"
	"github.com/ticketd/ticketd/tiers"
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
	} `toml:"support"`
	IMAP struct {
		serverKeys
		Mailbox          string `toml:"mailbox"`
		ProcessedMailbox string `toml:"processed_mailbox"`
		FailedMailbox    string `toml:"failed_mailbox"`
		PollInterval     string `toml:"poll_interval"`
	} `toml:"imap"`
	SMTP  serverKeys `toml:"smtp"`
	Tiers []struct {
		Level         int                      `toml:"level"`
		Name          string                   `toml:"name"`
		Agents        []string                 `toml:"agents"`
		FirstResponse string                   `toml:"first_response"`
		Resolution    string                   `toml:"resolution"`
		Hours         string                   `toml:"hours"`
		Vendor        bool                     `toml:"vendor"`
		VendorRef     string                   `toml:"vendor_ref"`
		Priority      map[string]targetsConfig `toml:"priority"`
	} `toml:"tiers"`
	Calendar *struct {
		Monday    string   `toml:"monday"`
		Tuesday   string   `toml:"tuesday"`
		Wednesday string   `toml:"wednesday"`
		Thursday  string   `toml:"thursday"`
		Friday    string   `toml:"friday"`
		Saturday  string   `toml:"saturday"`
		Sunday    string   `toml:"sunday"`
		Holidays  []string `toml:"holidays"`
	} `toml:"calendar"`
	Priority map[string][]string `toml:"priority"`
	Security struct {
		TrustedAuthservID     string              `toml:"trusted_authserv_id"`
		RequireVerifiedAgents *bool               `toml:"require_verified_agents"`
		AgentLogins           map[string][]string `toml:"agent_logins"`
		SingleSenderDomains   *[]string           `toml:"single_sender_domains"`
	} `toml:"security"`
	Escalation struct {
		Schedule        string   `toml:"schedule"`
		WarnAt          *float64 `toml:"warn_at"`
		NotifyRequester *bool    `toml:"notify_requester"`
	} `toml:"escalation"`
	Digest struct {
		Schedule string   `toml:"schedule"`
		Managers []string `toml:"managers"`
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
	} `toml:"workflow"`
	KB struct {
		Suggestions *int     `toml:"suggestions"`
		MinScore    *float64 `toml:"min_score"`
	} `toml:"knowledge_base"`

	adminFileKeys // log_format and [admin]: adminconfig.go

	// Issue 5: received-mail handling (config_mail.go).
	Mail mailKeys `toml:"mail"`
	// Issue 10: caps (config_limits.go).
	Limits limitsKeys `toml:"limits"`
}

// targetsConfig is a [tiers.priority.P] table.
type targetsConfig struct {
	FirstResponse string `toml:"first_response"`
	Resolution    string `toml:"resolution"`
}

// serverKeys are the keys [imap] and [smtp] share.
type serverKeys struct {
	Address      string `toml:"address"`
	Security     string `toml:"security"`
	Username     string `toml:"username"`
	PasswordFile string `toml:"password_file"`
	PasswordEnv  string `toml:"password_env"`
	CAFile       string `toml:"ca_file"`
	// Issue 5: OAuth2 (config_auth.go).
	Auth         string   `toml:"auth"`
	TokenCommand []string `toml:"token_command"`
}

// Config is the validated runtime configuration.
type Config struct {
	Path         string
	DataDir      string
	Language     templates.Language
	Location     *time.Location
	TemplatesDir string
	LogLevel     string
	Desk         tickets.Address
	Tag          string
	IMAP         mailin.PollerOptions
	PollInterval time.Duration
	SMTP         mailout.Options
	Policy       *tiers.Policy
	// RequireVerifiedAgents: agent mail counts only with a trusted
	// Authentication-Results pass (IMAP.TrustedAuthservID).
	RequireVerifiedAgents bool
	// AgentLogins and SingleSenderDomains: what proves an agent's or a
	// vendor's mail is theirs (tickets.Options).
	AgentLogins         map[string][]string
	SingleSenderDomains []string
	Escalation          string
	Digest              string
	Managers            []string
	// NotifyRequesterOnEscalation: the requester hears when their ticket
	// climbs a tier.
	NotifyRequesterOnEscalation bool
	// Workflow is the lifecycle and knowledge-base part of the ticket
	// workflow options ([workflow], [knowledge_base]).
	Workflow tickets.Options

	Admin AdminConfig // [admin] and log_format: adminconfig.go
	// Mail is the [mail] section (config_mail.go).
	Mail mailConfig
	// Limits are the caps of [limits].
	Limits limitsConfig
}

// LoadConfig reads, decodes strictly and validates the file at path. It
// reports every problem at once, each naming its key.
func LoadConfig(path string) (*Config, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("config: %w", err)
	}
	var fc fileConfig
	md, err := toml.NewDecoder(bytes.NewReader(data)).Decode(&fc)
	if err != nil {
		return nil, fmt.Errorf("config %s: %w", path, err)
	}
	var errs []error
	bad := func(key, format string, args ...any) {
		errs = append(errs, fmt.Errorf("%s: "+format, append([]any{key}, args...)...))
	}
	for _, k := range md.Undecoded() {
		bad(k.String(), "unknown key")
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
	cfg.Language = templates.Language(or(fc.Language, "es"))
	if !cfg.Language.Known() {
		bad("language", "%q is not one of %v", cfg.Language, templates.Languages())
	}
	cfg.Location = time.Local
	if fc.Timezone != "" {
		if cfg.Location, err = time.LoadLocation(fc.Timezone); err != nil {
			bad("timezone", "%q is not a known time zone", fc.Timezone)
		}
	}

	cfg.Desk = tickets.NewAddress(fc.Support.Name, fc.Support.Address)
	if !validEmail(cfg.Desk.Email) {
		bad("support.address", "%q is not an email address", fc.Support.Address)
	}
	if cfg.Desk.Name == "" {
		cfg.Desk.Name = templates.DeskName(cfg.Language)
	}
	cfg.Tag = or(fc.Support.Tag, "Soporte")
	if strings.ContainsAny(cfg.Tag, "[]#\r\n") {
		bad("support.tag", "%q must not contain [ ] # or line breaks", cfg.Tag)
	}

	im := fc.IMAP
	cfg.IMAP = mailin.PollerOptions{
		Address:          im.Address,
		Security:         checkServer(bad, "imap", im.serverKeys, connpolicy.TLS, true),
		Username:         or(im.Username, cfg.Desk.Email),
		Mailbox:          or(im.Mailbox, "INBOX"),
		ProcessedMailbox: or(im.ProcessedMailbox, "Procesados"),
		FailedMailbox:    or(im.FailedMailbox, "Fallidos"),
	}
	cfg.IMAP.Password = readSecret(bad, "imap", im.serverKeys)
	cfg.IMAP.TLSConfig = tlsConfig(bad, "imap", im.serverKeys)
	if cfg.IMAP.ProcessedMailbox == cfg.IMAP.Mailbox || cfg.IMAP.FailedMailbox == cfg.IMAP.Mailbox {
		bad("imap.processed_mailbox", "processed and failed mailboxes must differ from imap.mailbox %q", cfg.IMAP.Mailbox)
	}
	cfg.PollInterval = parseDuration(bad, "imap.poll_interval", or(im.PollInterval, "1m"))
	if cfg.PollInterval > 0 && cfg.PollInterval < minPollInterval {
		bad("imap.poll_interval", "%s is below the minimum of %s (each pass logs in to the server)", cfg.PollInterval, minPollInterval)
	}

	sm := fc.SMTP
	cfg.SMTP = mailout.Options{Address: sm.Address, Security: checkServer(bad, "smtp", sm, connpolicy.STARTTLS, false), Username: sm.Username}
	cfg.SMTP.TLSConfig = tlsConfig(bad, "smtp", sm)
	if sm.Username != "" && !mailauth.IsOAuth(sm.Auth) {
		cfg.SMTP.Password = readSecret(bad, "smtp", sm)
	}

	popts := tiers.Options{WarnAt: 0.75}
	if w := fc.Escalation.WarnAt; w != nil {
		popts.WarnAt = *w
	}
	if c := fc.Calendar; c != nil {
		week := map[time.Weekday]string{
			time.Monday: c.Monday, time.Tuesday: c.Tuesday, time.Wednesday: c.Wednesday, time.Thursday: c.Thursday,
			time.Friday: c.Friday, time.Saturday: c.Saturday, time.Sunday: c.Sunday,
		}
		if popts.Calendar, err = tiers.NewCalendar(cfg.Location, week, c.Holidays); err != nil {
			for _, e := range unjoin(err) {
				bad("calendar", "%v", e)
			}
		}
	}
	if len(fc.Priority) > 0 {
		popts.Keywords = map[tiers.Priority][]string{}
		for p, words := range fc.Priority {
			popts.Keywords[tiers.Priority(p)] = words
		}
	}
	var ts []tiers.Tier
	for i, t := range fc.Tiers {
		key := fmt.Sprintf("tiers[%d]", i)
		tier := tiers.Tier{
			Level: t.Level, Name: t.Name, Agents: t.Agents, Vendor: t.Vendor,
			FirstResponse: parseDuration(bad, key+".first_response", t.FirstResponse),
			Resolution:    parseDuration(bad, key+".resolution", t.Resolution),
		}
		switch t.Hours {
		case "":
			tier.BusinessHours = fc.Calendar != nil
		case "business":
			tier.BusinessHours = true
		case "24x7", "24/7":
		default:
			bad(key+".hours", "%q is not one of business, 24x7", t.Hours)
		}
		if t.VendorRef != "" {
			re, err := regexp.Compile(t.VendorRef)
			if err != nil {
				bad(key+".vendor_ref", "%q is not a regular expression: %v", t.VendorRef, err)
			}
			tier.VendorRef = re
		}
		for p, tg := range t.Priority {
			if tier.ByPriority == nil {
				tier.ByPriority = map[tiers.Priority]tiers.Target{}
			}
			var target tiers.Target
			pk := key + ".priority." + p
			if tg.FirstResponse != "" {
				target.FirstResponse = parseDuration(bad, pk+".first_response", tg.FirstResponse)
			}
			if tg.Resolution != "" {
				target.Resolution = parseDuration(bad, pk+".resolution", tg.Resolution)
			}
			tier.ByPriority[tiers.Priority(p)] = target
		}
		ts = append(ts, tier)
	}
	if cfg.Policy, err = tiers.NewPolicy(ts, popts); err != nil {
		for _, e := range unjoin(err) {
			bad("tiers", "%v", e)
		}
	}
	if cfg.Policy != nil && cfg.Policy.IsAgent(cfg.Desk.Email) {
		bad("tiers", "the support address %s cannot also be an agent", cfg.Desk.Email)
	}

	sec := fc.Security
	cfg.IMAP.TrustedAuthservID = strings.TrimSpace(sec.TrustedAuthservID)
	cfg.RequireVerifiedAgents = cfg.IMAP.TrustedAuthservID != ""
	if sec.RequireVerifiedAgents != nil {
		cfg.RequireVerifiedAgents = *sec.RequireVerifiedAgents
	}
	if cfg.RequireVerifiedAgents && cfg.IMAP.TrustedAuthservID == "" {
		bad("security.require_verified_agents", "needs security.trusted_authserv_id: the authserv-id your mail server writes in Authentication-Results")
	}
	checkSecurityIdentities(cfg, sec.AgentLogins, sec.SingleSenderDomains, bad)

	cfg.Escalation = or(fc.Escalation.Schedule, "@every 1m")
	cfg.NotifyRequesterOnEscalation = true
	if n := fc.Escalation.NotifyRequester; n != nil {
		cfg.NotifyRequesterOnEscalation = *n
	}
	cfg.Digest = fc.Digest.Schedule
	for key, spec := range map[string]string{"escalation.schedule": cfg.Escalation, "digest.schedule": cfg.Digest} {
		if spec == "" {
			continue
		}
		if _, err := cron.ParseStandard(spec); err != nil {
			bad(key, "%q is not a cron schedule: %v", spec, err)
		}
	}
	for i, m := range fc.Digest.Managers {
		if !validEmail(tickets.NormalizeEmail(m)) {
			bad(fmt.Sprintf("digest.managers[%d]", i), "%q is not an email address", m)
		}
		cfg.Managers = append(cfg.Managers, tickets.NormalizeEmail(m))
	}
	loadWorkflow(bad, fc, cfg)
	if cfg.Digest != "" && len(cfg.Managers) == 0 {
		bad("digest.managers", "at least one address is required with digest.schedule")
	}
	loadAdminConfig(&fc, cfg, bad)
	// Issue 5: the [mail] section, and own mail recognised by the desk address.
	cfg.Mail = loadMail(bad, fc.Mail, cfg.Location)
	cfg.IMAP.DeskAddress = cfg.Desk.Email
	cfg.Limits = loadLimits(bad, fc.Limits)
	loadAuth(bad, cfg, fc.IMAP.serverKeys, fc.SMTP)
	if len(errs) > 0 {
		return nil, &ConfigError{Path: path, Problems: errs}
	}
	return cfg, nil
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

// checkServer validates an [imap] or [smtp] section's address and
// security, and returns the security (def when unset).
func checkServer(bad badFunc, section string, k serverKeys, def connpolicy.Security, needLogin bool) connpolicy.Security {
	host, port, err := net.SplitHostPort(k.Address)
	if k.Address == "" {
		bad(section+".address", "is required (host:port)")
	} else if err != nil || host == "" || port == "" {
		bad(section+".address", "%q is not host:port", k.Address)
	}
	security := def
	if k.Security != "" {
		if security, err = connpolicy.ParseSecurity(k.Security); err != nil {
			bad(section+".security", "%v", err)
		}
	}
	if security != "" && host != "" {
		if err := security.Check(host); err != nil {
			bad(section+".security", "%v", err)
		}
	}
	if needLogin && k.PasswordFile == "" && k.PasswordEnv == "" && !mailauth.IsOAuth(k.Auth) {
		bad(section+".password_file", "is required (or password_env)")
	}
	return security
}

// readSecret returns the password from password_file or password_env.
func readSecret(bad badFunc, section string, k serverKeys) string {
	if k.PasswordFile != "" {
		data, err := readPasswordFile(k.PasswordFile)
		if err != nil {
			bad(section+".password_file", "%v", err)
			return ""
		}
		pw := strings.TrimRight(string(data), "\r\n")
		if pw == "" {
			bad(section+".password_file", "%s is empty", k.PasswordFile)
		}
		return pw
	}
	if k.PasswordEnv != "" {
		pw, ok := os.LookupEnv(k.PasswordEnv)
		if !ok || pw == "" {
			bad(section+".password_env", "environment variable %s is not set", k.PasswordEnv)
		}
		return pw
	}
	return ""
}

// tlsConfig trusts the system's CAs plus those in ca_file (a private CA
// for an internal mail server); nil when ca_file is unset.
func tlsConfig(bad badFunc, section string, k serverKeys) *tls.Config {
	if k.CAFile == "" {
		return nil
	}
	pem, err := os.ReadFile(k.CAFile)
	if err != nil {
		bad(section+".ca_file", "cannot read: %v", err)
		return nil
	}
	pool, err := x509.SystemCertPool()
	if err != nil || pool == nil {
		pool = x509.NewCertPool()
	}
	if !pool.AppendCertsFromPEM(pem) {
		bad(section+".ca_file", "%s holds no PEM certificate", k.CAFile)
		return nil
	}
	return &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}
}

// loadWorkflow reads [workflow] and [knowledge_base] into cfg.Workflow.
func loadWorkflow(bad badFunc, fc fileConfig, cfg *Config) {
	wf := fc.Workflow
	w := tickets.Options{CollisionCheck: true, CSAT: true, LowRating: 2, KBSuggestions: 3, KBMinScore: 2}
	w.ReopenWindow = optionalDuration(bad, "workflow.reopen_window", or(wf.ReopenWindow, "168h"))
	w.AutoClose = optionalDuration(bad, "workflow.auto_close", or(wf.AutoClose, "72h"))
	w.PendingReminder = optionalDuration(bad, "workflow.pending_reminder", or(wf.PendingReminder, "72h"))
	w.PendingResolve = optionalDuration(bad, "workflow.pending_resolve", or(wf.PendingResolve, "72h"))
	switch wf.Strangers {
	case "", "new_ticket":
	case "join":
		w.StrangersJoin = true
	default:
		bad("workflow.strangers", "%q is not one of new_ticket, join", wf.Strangers)
	}
	if wf.CollisionCheck != nil {
		w.CollisionCheck = *wf.CollisionCheck
	}
	if wf.CSAT != nil {
		w.CSAT = *wf.CSAT
	}
	if wf.LowRating != nil {
		if w.LowRating = *wf.LowRating; w.LowRating < 0 || w.LowRating > 5 {
			bad("workflow.low_rating", "%d is not between 0 (never) and 5", w.LowRating)
		}
	}
	if n := fc.KB.Suggestions; n != nil {
		if w.KBSuggestions = *n; w.KBSuggestions < 0 || w.KBSuggestions > 10 {
			bad("knowledge_base.suggestions", "%d is not between 0 (off) and 10", w.KBSuggestions)
		}
	}
	if m := fc.KB.MinScore; m != nil {
		if w.KBMinScore = *m; w.KBMinScore < 0 {
			bad("knowledge_base.min_score", "%v must not be negative", w.KBMinScore)
		}
	}
	cfg.Workflow = w
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

func validEmail(s string) bool {
	at := strings.LastIndexByte(s, '@')
	return at > 0 && at < len(s)-1 && !strings.ContainsAny(s, " <>\t\r\n")
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

// Summary describes what would run, for check-config.
func (c *Config) Summary() string {
	var b strings.Builder
	fmt.Fprintf(&b, "config %s is valid\n", c.Path)
	fmt.Fprintf(&b, "  desk:        %s, token [%s #N], mails in %q, time zone %s\n", c.Desk, c.Tag, c.Language, c.Location)
	fmt.Fprintf(&b, "  database:    %s\n", filepath.Join(c.DataDir, "ticketd.db"))
	fmt.Fprintf(&b, "  imap:        %s (%s) as %s, mailbox %q → %q, failed → %q, poll every %s\n",
		c.IMAP.Address, c.IMAP.Security, c.IMAP.Username, c.IMAP.Mailbox, c.IMAP.ProcessedMailbox, c.IMAP.FailedMailbox, c.PollInterval)
	auth := "no AUTH"
	if c.SMTP.Username != "" {
		auth = "AUTH PLAIN as " + c.SMTP.Username
	}
	fmt.Fprintf(&b, "  smtp:        %s (%s), %s\n", c.SMTP.Address, c.SMTP.Security, auth)
	for _, t := range c.Policy.Tiers() {
		who, hours := "agent(s)", "24/7"
		if t.Vendor {
			who = "vendor address(es)"
		}
		if t.BusinessHours {
			hours = "business hours"
		}
		fmt.Fprintf(&b, "  tier %d:      %s — %d %s: %s; first response %s, resolution %s (%s)",
			t.Level, t.Name, len(t.Agents), who, strings.Join(t.Agents, ", "), t.FirstResponse, t.Resolution, hours)
		for _, p := range tiers.Priorities {
			if _, ok := t.ByPriority[p]; ok {
				tg := t.Target(p)
				fmt.Fprintf(&b, "; %s: %s/%s", p, tg.FirstResponse, tg.Resolution)
			}
		}
		b.WriteString("\n")
	}
	if c.RequireVerifiedAgents {
		fmt.Fprintf(&b, "  agents:      verified by Authentication-Results from %q\n", c.IMAP.TrustedAuthservID)
		switch {
		case c.SingleSenderDomains == nil:
			fmt.Fprintf(&b, "               by their login, or by DKIM/SPF/DMARC on domains no requester writes from\n")
		case len(c.SingleSenderDomains) == 0:
			fmt.Fprintf(&b, "               by their login only (smtp.auth)\n")
		default:
			fmt.Fprintf(&b, "               by their login, or by DKIM/SPF/DMARC on %s\n", strings.Join(c.SingleSenderDomains, ", "))
		}
	} else {
		fmt.Fprintf(&b, "  agents:      WARNING: trusted by their From header alone (set security.trusted_authserv_id)\n")
	}
	warn := "no warnings"
	if w := c.Policy.WarnAt(); w > 0 {
		warn = fmt.Sprintf("warnings at %.0f%% of a target", w*100)
	}
	fmt.Fprintf(&b, "  escalation:  checked %q, %s, requester told: %v\n", c.Escalation, warn, c.NotifyRequesterOnEscalation)
	if c.Digest != "" {
		fmt.Fprintf(&b, "  digest:      %q to %s\n", c.Digest, strings.Join(c.Managers, ", "))
	}
	w := c.Workflow
	fmt.Fprintf(&b, "  workflow:    reopen within %s, auto-close after %s, pending reminder %s then resolve %s, strangers join: %v, collision check: %v, satisfaction: %v\n",
		offOr(w.ReopenWindow), offOr(w.AutoClose), offOr(w.PendingReminder), offOr(w.PendingResolve), w.StrangersJoin, w.CollisionCheck, w.CSAT)
	fmt.Fprintf(&b, "  kb:          up to %d suggestion(s), min score %.1f\n", w.KBSuggestions, w.KBMinScore)
	if c.TemplatesDir != "" {
		fmt.Fprintf(&b, "  templates:   embedded, overridden from %s\n", c.TemplatesDir)
	}
	b.WriteString(c.adminSummary())
	b.WriteString(c.Mail.summary())
	b.WriteString("  " + c.Limits.summary())
	b.WriteString(c.authSummaryLines())
	return b.String()
}
