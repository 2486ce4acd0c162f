package main

import (
	"context"
	"fmt"
	"strings"

	"github.com/ticketd/ticketd/mailauth"
)

// loadAuth validates the auth and token_command keys of an [imap] or
// [smtp] section (user is its login) and returns how it logs in: the
// method, and the token source for OAuth2.
func loadAuth(bad badFunc, section string, k serverKeys, user string) (string, func(context.Context) (string, error)) {
	method := strings.ToLower(k.Auth)
	if !mailauth.Valid(method) {
		bad(section+".auth", "%q is not one of password, xoauth2, oauthbearer", k.Auth)
		return "", nil
	}
	if !mailauth.IsOAuth(method) {
		if len(k.TokenCommand) > 0 {
			bad(section+".token_command", "is only used with auth = \"xoauth2\" or \"oauthbearer\"")
		}
		return method, nil
	}
	if len(k.TokenCommand) == 0 || k.TokenCommand[0] == "" {
		bad(section+".token_command", "is required with auth = %q (the command that prints an access token)", method)
	}
	if k.PasswordFile != "" || k.PasswordEnv != "" || k.PasswordCredential != "" {
		bad(section+".password_file", "is not used with auth = %q: remove it", method)
	}
	if user == "" {
		bad(section+".username", "is required with auth = %q", method)
	}
	var token func(context.Context) (string, error)
	if k.TokenCommand != nil {
		token = mailauth.TokenCommand(k.TokenCommand, 0)
	}
	return method, token
}

// authSummary describes how a server section logs in, for check-config.
func authSummary(method string) string {
	if mailauth.IsOAuth(method) {
		return fmt.Sprintf("OAuth2 %s, token from token_command", strings.ToUpper(method))
	}
	return "password"
}

// imapAuthSummary is check-config's line for an IMAP login with OAuth2
// (the smtp line says how SMTP logs in).
func (c *Config) imapAuthSummary() string {
	if !mailauth.IsOAuth(c.IMAP.Auth) {
		return ""
	}
	return fmt.Sprintf("  imap login:  %s as %s\n", authSummary(c.IMAP.Auth), c.IMAP.Username)
}
