package connpolicy

import (
	"fmt"
	"net"
	"strings"
)

// Security is how a connection to an IMAP or SMTP server is protected.
type Security string

// The security modes, as written in the configuration.
const (
	// TLS is implicit TLS from the first byte (IMAP 993, SMTP 465).
	TLS Security = "tls"
	// STARTTLS is plain text upgraded with STARTTLS (RFC 3207, RFC 3501
	// §6.2.1) before anything else is said; a server that does not offer
	// it is refused, never used in plain text.
	STARTTLS Security = "starttls"
	// None is no encryption at all: passwords and mail in plain text, so
	// only to a loopback host (IsLoopback).
	None Security = "none"
)

// ParseSecurity reads a security mode as written in the configuration
// (any case).
func ParseSecurity(s string) (Security, error) {
	sec := Security(strings.ToLower(s))
	switch sec {
	case TLS, STARTTLS, None:
		return sec, nil
	}
	return "", fmt.Errorf("%q is not one of tls, starttls, none", s)
}

// Check reports whether s is a known mode that may be used to reach host:
// None only to a loopback host, so a password never crosses a network in
// plain text.
func (s Security) Check(host string) error {
	switch s {
	case TLS, STARTTLS:
		return nil
	case None:
		if !IsLoopback(host) {
			return fmt.Errorf(`"none" sends passwords in the clear: only allowed to a loopback host (127.0.0.0/8, ::1, localhost), not %q`, host)
		}
		return nil
	}
	return fmt.Errorf("%q is not one of tls, starttls, none", string(s))
}

// CheckPeer is Check's second half, after dialling: with None the peer
// must be at a loopback address, whatever the host name resolved to.
// Call it before sending anything.
func (s Security) CheckPeer(remote net.Addr) error {
	if s != None || isLoopbackPeer(remote) {
		return nil
	}
	return fmt.Errorf(`"none" sends passwords in the clear: the server answered from %s, not a loopback address`, remote)
}
