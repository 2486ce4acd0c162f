package main

import (
	"fmt"
	"strings"

	"github.com/ticketd/ticketd/mailauth"
)

// loadAuth validates the auth and token_command keys of [imap] and
// [smtp] and sets how each logs in.
func loadAuth(bad badFunc, cfg *Config, im, sm serverKeys) {
	for _, sec := range []struct {
		name string
		k    serverKeys
		user string
		set  func(method string, argv []string)
	}{
		{"imap", im, cfg.IMAP.Username, func(m string, argv []string) {
			cfg.IMAP.Auth = m
			if argv != nil {
				cfg.IMAP.Token = mailauth.TokenCommand(argv, 0)
			}
		}},
		{"smtp", sm, cfg.SMTP.Username, func(m string, argv []string) {
			cfg.SMTP.Auth = m
			if argv != nil {
				cfg.SMTP.Token = mailauth.TokenCommand(argv, 0)
			}
		}},
	} {
		method := strings.ToLower(sec.k.Auth)
		if !mailauth.Valid(method) {
			bad(sec.name+".auth", "%q is not one of password, xoauth2, oauthbearer", sec.k.Auth)
			continue
		}
		if !mailauth.IsOAuth(method) {
			if len(sec.k.TokenCommand) > 0 {
				bad(sec.name+".token_command", "is only used with auth = \"xoauth2\" or \"oauthbearer\"")
			}
			sec.set(method, nil)
			continue
		}
		if len(sec.k.TokenCommand) == 0 || sec.k.TokenCommand[0] == "" {
			bad(sec.name+".token_command", "is required with auth = %q (the command that prints an access token)", method)
		}
		if sec.k.PasswordFile != "" || sec.k.PasswordEnv != "" {
			bad(sec.name+".password_file", "is not used with auth = %q: remove it", method)
		}
		if sec.user == "" {
			bad(sec.name+".username", "is required with auth = %q", method)
		}
		sec.set(method, sec.k.TokenCommand)
	}
}

// authSummary describes how a server section logs in, for check-config.
func authSummary(method string) string {
	if mailauth.IsOAuth(method) {
		return fmt.Sprintf("OAuth2 %s, token from token_command", strings.ToUpper(method))
	}
	return "password"
}

// authSummaryLines names the servers that log in with OAuth2.
func (c *Config) authSummaryLines() string {
	var b strings.Builder
	if mailauth.IsOAuth(c.IMAP.Auth) {
		fmt.Fprintf(&b, "  imap login:  %s as %s\n", authSummary(c.IMAP.Auth), c.IMAP.Username)
	}
	if mailauth.IsOAuth(c.SMTP.Auth) {
		fmt.Fprintf(&b, "  smtp login:  %s as %s\n", authSummary(c.SMTP.Auth), c.SMTP.Username)
	}
	return b.String()
}
