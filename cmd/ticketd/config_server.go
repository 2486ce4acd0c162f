package main

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"net"
	"os"
	"strings"
	"time"

	"github.com/ticketd/ticketd/connpolicy"
	"github.com/ticketd/ticketd/mailauth"
	"github.com/ticketd/ticketd/mailin"
	"github.com/ticketd/ticketd/mailout"
)

// serverKeys are the keys [imap] and [smtp] share.
type serverKeys struct {
	Address      string `toml:"address"`
	Security     string `toml:"security"`
	Username     string `toml:"username"`
	PasswordFile string `toml:"password_file"`
	PasswordEnv  string `toml:"password_env"`
	// PasswordCredential names a systemd credential (LoadCredential=),
	// read instead of password_file when systemd passed credentials.
	PasswordCredential string `toml:"password_credential"`
	CAFile             string `toml:"ca_file"`
	// Auth and TokenCommand: how to log in (config_auth.go).
	Auth         string   `toml:"auth"`
	TokenCommand []string `toml:"token_command"`
}

// loadIMAP validates [imap] into the poller's options, with what other
// sections say about reading mail: [security]'s trusted_authserv_id,
// [mail]'s attachment limit and [spam]'s verdicts. deskEmail is the default login and the
// address whose own mail is recognised. It returns poll_interval too.
func loadIMAP(bad badFunc, fc *fileConfig, deskEmail string) (mailin.PollerOptions, time.Duration) {
	k := fc.IMAP
	o := mailin.DefaultPollerOptions()
	o.Address = k.Address
	o.Security = checkServer(bad, "imap", k.serverKeys, connpolicy.TLS, true)
	o.Username = or(k.Username, deskEmail)
	o.Mailbox = or(k.Mailbox, o.Mailbox)
	o.ProcessedMailbox = or(k.ProcessedMailbox, o.ProcessedMailbox)
	o.FailedMailbox = or(k.FailedMailbox, o.FailedMailbox)
	o.SpamMailbox = or(k.SpamMailbox, o.SpamMailbox)
	o.Spam = spamRules(bad, fc.Spam)
	o.Password = readSecret(bad, "imap", k.serverKeys)
	o.TLSConfig = tlsConfig(bad, "imap", k.serverKeys)
	if o.ProcessedMailbox == o.Mailbox || o.FailedMailbox == o.Mailbox {
		bad("imap.processed_mailbox", "processed and failed mailboxes must differ from imap.mailbox %q", o.Mailbox)
	}
	if o.SpamMailbox == o.Mailbox {
		bad("imap.spam_mailbox", "must differ from imap.mailbox %q", o.Mailbox)
	}
	interval := parseDuration(bad, "imap.poll_interval", or(k.PollInterval, "1m"))
	if interval > 0 && interval < minPollInterval {
		bad("imap.poll_interval", "%s is below the minimum of %s (each pass logs in to the server)", interval, minPollInterval)
	}
	o.TrustedAuthservID = fc.Security.trustedAuthservID()
	o.DeskAddress = deskEmail
	o.MaxAttachmentSize = maxAttachmentSize(bad, fc.Mail, o.MaxAttachmentSize)
	o.Auth, o.Token = loadAuth(bad, "imap", k.serverKeys, o.Username)
	return o, interval
}

// loadSMTP validates [smtp] into the sender's options, with [limits]'
// recipients per transaction.
func loadSMTP(bad badFunc, fc *fileConfig) mailout.Options {
	k := fc.SMTP.serverKeys
	o := mailout.Options{Address: k.Address, Security: checkServer(bad, "smtp", k, connpolicy.STARTTLS, false), Username: k.Username}
	o.TLSConfig = tlsConfig(bad, "smtp", k)
	if k.Username != "" && !mailauth.IsOAuth(k.Auth) {
		o.Password = readSecret(bad, "smtp", k)
	}
	o.MaxRecipients = smtpRecipients(bad, fc.Limits)
	o.Auth, o.Token = loadAuth(bad, "smtp", k, o.Username)
	o.Connections = smtpConnections(bad, fc.SMTP.Connections)
	return o
}

// maxSMTPConnections bounds [smtp] connections: a relay counts them, and
// each may re-send one mail after a crash.
const maxSMTPConnections = 16

// smtpConnections validates [smtp] connections: how many SMTP connections
// drain a long outbox at once (mailout.Options.Connections). Each one
// may send one mail twice after a crash (the mail the server accepted
// just before it, not recorded yet), so the default stays low.
func smtpConnections(bad badFunc, v *int) int {
	n := mailout.DefaultConnections
	setRange(bad, "smtp.connections", v, &n, maxSMTPConnections)
	return n
}

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
	if needLogin && k.PasswordFile == "" && k.PasswordEnv == "" && k.PasswordCredential == "" && !mailauth.IsOAuth(k.Auth) {
		bad(section+".password_file", "is required (or password_env, or password_credential)")
	}
	return security
}

// readSecret returns the password from password_credential (under
// systemd), password_file or password_env.
func readSecret(bad badFunc, section string, k serverKeys) string {
	if k.PasswordCredential != "" {
		data, err := readCredential(k.PasswordCredential)
		switch {
		case err == nil:
			pw := strings.TrimRight(string(data), "\r\n")
			if pw == "" {
				bad(section+".password_credential", "credential %q is empty", k.PasswordCredential)
			}
			return pw
		case !errors.Is(err, errNoCredentialsDir) || (k.PasswordFile == "" && k.PasswordEnv == ""):
			bad(section+".password_credential", "%v", err)
			return ""
		}
		// Not under systemd (check-config from a shell): password_file
		// or password_env below says where the same secret is.
	}
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
