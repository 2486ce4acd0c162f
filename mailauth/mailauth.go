// Package mailauth is what IMAP (mailin) and SMTP (mailout) share to log
// in: SASL clients for password and OAuth 2.0 bearer tokens (XOAUTH2, as
// Gmail and Microsoft 365 speak it, and OAUTHBEARER, RFC 7628), tokens
// obtained from an admin-configured command, the error that marks a
// refused login, and the [Streak] of refused logins that alerts the admins
// once per run.
//
// Tokens and passwords are never logged nor put in errors.
package mailauth

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os/exec"
	"strings"
	"time"

	"github.com/emersion/go-sasl"
)

// Authentication methods, as written in the configuration.
const (
	Password    = "password"
	XOAuth2     = "xoauth2"
	OAuthBearer = "oauthbearer"
)

// IsOAuth reports whether method logs in with a bearer token.
func IsOAuth(method string) bool {
	m := strings.ToLower(method)
	return m == XOAuth2 || m == OAuthBearer
}

// Valid reports whether method is known ("" means Password).
func Valid(method string) bool {
	switch strings.ToLower(method) {
	case "", Password, XOAuth2, OAuthBearer:
		return true
	}
	return false
}

// Name is method as logs and errors show it: "" is Password.
func Name(method string) string {
	if method == "" {
		return Password
	}
	return method
}

// NewClient returns the SASL client for an OAuth method.
func NewClient(method, username, token string) (sasl.Client, error) {
	switch strings.ToLower(method) {
	case XOAuth2:
		return &xoauth2{username: username, token: token}, nil
	case OAuthBearer:
		return sasl.NewOAuthBearerClient(&sasl.OAuthBearerOptions{Username: username, Token: token}), nil
	}
	return nil, fmt.Errorf("mailauth: %q is not an OAuth method", method)
}

// OAuthClient gets a token from token and returns the SASL client for an
// OAuth method. A token that cannot be obtained, or no token source, is an
// *Error: an admin must act, as for a refused login.
func OAuthClient(ctx context.Context, method, username string, token func(context.Context) (string, error)) (sasl.Client, error) {
	if token == nil {
		return nil, &Error{Err: errors.New("OAuth login without a token source")}
	}
	tok, err := token(ctx)
	if err != nil {
		return nil, &Error{Err: err}
	}
	return NewClient(method, username, tok)
}

// xoauth2 is Google's XOAUTH2 SASL mechanism (also Microsoft's):
// "user=" user ^A "auth=Bearer " token ^A ^A, sent as the initial
// response. On failure the server sends a JSON error as a challenge, to
// which the client answers with an empty response; the server then
// fails the command.
type xoauth2 struct {
	username, token string
}

func (x *xoauth2) Start() (string, []byte, error) {
	return "XOAUTH2", []byte("user=" + x.username + "\x01auth=Bearer " + x.token + "\x01\x01"), nil
}

func (x *xoauth2) Next(challenge []byte) ([]byte, error) {
	return []byte{}, nil
}

// maxTokenOutput bounds what a token command may print.
const maxTokenOutput = 64 << 10

// DefaultTokenTimeout bounds one run of a token command.
const DefaultTokenTimeout = 30 * time.Second

// TokenCommand returns a function that runs argv (no shell) and returns
// what it prints on standard output, trimmed: an OAuth 2.0 access token.
// Tools such as oauth2l, gcloud or a small refresh script fit. A command
// that fails, prints nothing or runs longer than timeout is an error
// naming the command and the end of its standard error (never the token).
func TokenCommand(argv []string, timeout time.Duration) func(context.Context) (string, error) {
	argv = append([]string(nil), argv...)
	if timeout <= 0 {
		timeout = DefaultTokenTimeout
	}
	return func(ctx context.Context) (string, error) {
		if len(argv) == 0 {
			return "", errors.New("token command: empty")
		}
		ctx, cancel := context.WithTimeout(ctx, timeout)
		defer cancel()
		cmd := exec.CommandContext(ctx, argv[0], argv[1:]...)
		var out, errb limitedBuffer
		out.max, errb.max = maxTokenOutput, 2<<10
		cmd.Stdout, cmd.Stderr = &out, &errb
		if err := cmd.Run(); err != nil {
			msg := strings.TrimSpace(errb.String())
			if ctx.Err() != nil {
				err = fmt.Errorf("%w (after %s)", ctx.Err(), timeout)
			}
			return "", fmt.Errorf("token command %s: %v: %s", argv[0], err, msg)
		}
		tok := strings.TrimSpace(out.String())
		if tok == "" || strings.ContainsAny(tok, "\r\n\x01") {
			return "", fmt.Errorf("token command %s: want one line with the access token on standard output", argv[0])
		}
		return tok, nil
	}
}

// limitedBuffer keeps at most max bytes.
type limitedBuffer struct {
	bytes.Buffer
	max int
}

func (b *limitedBuffer) Write(p []byte) (int, error) {
	if room := b.max - b.Len(); room > 0 {
		b.Buffer.Write(p[:min(room, len(p))])
	}
	return len(p), nil
}

// Error marks a login the server refused (wrong password, expired or
// revoked token) or a token that could not be obtained: retrying alone
// will not fix it, an admin must act.
type Error struct {
	Err error
}

func (e *Error) Error() string { return e.Err.Error() }
func (e *Error) Unwrap() error { return e.Err }

// IsFailure reports whether err is (or wraps) an *Error.
func IsFailure(err error) bool {
	var e *Error
	return errors.As(err, &e)
}

// ParseXOAUTH2 reads an XOAUTH2 initial response, the server's side of
// the client above (test servers use it): the user and the bearer token.
func ParseXOAUTH2(resp []byte) (user, token string) {
	for _, f := range bytes.Split(resp, []byte{1}) {
		if u, ok := bytes.CutPrefix(f, []byte("user=")); ok {
			user = string(u)
		}
		if t, ok := bytes.CutPrefix(f, []byte("auth=Bearer ")); ok {
			token = string(t)
		}
	}
	return user, token
}
