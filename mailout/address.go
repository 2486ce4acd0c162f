package mailout

import (
	"errors"
	"fmt"
	"net/netip"
	"strings"
	"unicode/utf8"
)

// RFC 5321 §4.5.3.1: a local part is at most 64 octets, a path at most
// 256 including its angle brackets, so a mailbox at most 254.
const (
	maxLocalPart = 64
	maxMailbox   = 254
	maxDomain    = 255
	maxLabel     = 63
)

// errAddress marks an address refused for the SMTP envelope.
var errAddress = errors.New("address refused for smtp")

// envelopeAddress turns a stored address (its local part decoded, as
// go-message's parser returns it: `a b@example.test` for `"a b"@example.test`)
// into the RFC 5321 §4.1.2 Mailbox written between the angle brackets of
// MAIL FROM and RCPT TO: the local part as a Dot-string when it is one,
// else as a Quoted-string. go-smtp's client writes what it is given raw
// ("RCPT TO:<%s>"), so this is the only thing standing between a forged
// address and injected SMTP parameters.
//
// Refused (errAddress): an empty or over-long part, anything outside
// printable ASCII and valid UTF-8 (CR, LF, NUL, tab and other controls),
// '<' or '>' anywhere — legal inside a Quoted-string, but a server that
// takes the first '>' as the end of the path would read what follows as
// parameters, and no real mailbox needs one — and a domain that is not a
// host name or an address literal.
func envelopeAddress(addr string) (string, error) {
	at := strings.LastIndexByte(addr, '@')
	if at < 0 {
		return "", fmt.Errorf("%w: %q has no @", errAddress, addr)
	}
	local, domain := addr[:at], addr[at+1:]
	if err := checkDomain(domain); err != nil {
		return "", fmt.Errorf("%w: %q: %v", errAddress, addr, err)
	}
	enc, err := encodeLocalPart(local)
	if err != nil {
		return "", fmt.Errorf("%w: %q: %v", errAddress, addr, err)
	}
	mailbox := addr // a Dot-string local part is written as stored
	if enc != local {
		mailbox = enc + "@" + domain
	}
	if len(mailbox) > maxMailbox {
		return "", fmt.Errorf("%w: %q: longer than %d octets", errAddress, addr, maxMailbox)
	}
	return mailbox, nil
}

// encodeLocalPart returns local as a Dot-string, or quoted when it is not
// one (RFC 5321 Quoted-string: qtextSMTP, with '"' and '\' escaped).
func encodeLocalPart(local string) (string, error) {
	if local == "" {
		return "", errors.New("empty local part")
	}
	if !utf8.ValidString(local) {
		return "", errors.New("local part is not UTF-8")
	}
	for _, r := range local {
		switch {
		case r < 0x20 || r == 0x7f:
			return "", fmt.Errorf("control character %U in local part", r)
		case r == '<' || r == '>':
			return "", fmt.Errorf("%q in local part", r)
		}
	}
	enc := local
	if !isDotString(local) {
		var b strings.Builder
		b.WriteByte('"')
		for _, r := range local {
			if r == '"' || r == '\\' {
				b.WriteByte('\\')
			}
			b.WriteRune(r)
		}
		b.WriteByte('"')
		enc = b.String()
	}
	if len(enc) > maxLocalPart {
		return "", fmt.Errorf("local part longer than %d octets", maxLocalPart)
	}
	return enc, nil
}

// isDotString reports whether s is RFC 5321 Dot-string: atoms of atext
// (RFC 6531 adds UTF-8) separated by single dots.
func isDotString(s string) bool {
	for atom := range strings.SplitSeq(s, ".") {
		if atom == "" {
			return false
		}
		for _, r := range atom {
			if !isAtext(r) {
				return false
			}
		}
	}
	return true
}

func isAtext(r rune) bool {
	switch {
	case r >= utf8.RuneSelf:
		return true
	case 'a' <= r && r <= 'z', 'A' <= r && r <= 'Z', '0' <= r && r <= '9':
		return true
	}
	return strings.ContainsRune("!#$%&'*+-/=?^_`{|}~", r)
}

// checkDomain accepts RFC 5321 Domain (labels of letters, digits and
// inner hyphens; UTF-8 labels for SMTPUTF8) or an IPv4 address literal.
func checkDomain(d string) error {
	if d == "" {
		return errors.New("empty domain")
	}
	if len(d) > maxDomain {
		return fmt.Errorf("domain longer than %d octets", maxDomain)
	}
	if strings.HasPrefix(d, "[") {
		return checkAddressLiteral(d)
	}
	if !utf8.ValidString(d) {
		return errors.New("domain is not UTF-8")
	}
	for label := range strings.SplitSeq(d, ".") {
		if label == "" || len(label) > maxLabel {
			return fmt.Errorf("bad domain label %q", label)
		}
		if label[0] == '-' || label[len(label)-1] == '-' {
			return fmt.Errorf("domain label %q starts or ends with '-'", label)
		}
		for _, r := range label {
			ok := r >= utf8.RuneSelf && r != utf8.RuneError ||
				'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9' || r == '-'
			if !ok {
				return fmt.Errorf("%q in domain", r)
			}
		}
	}
	return nil
}

// checkAddressLiteral accepts an IPv4 literal, "[192.0.2.1]". IPv6
// literals ("[IPv6:…]") are refused: no help desk mails one, and RFC 5322
// parsers disagree on them.
func checkAddressLiteral(d string) error {
	if !strings.HasSuffix(d, "]") {
		return errors.New("unterminated address literal")
	}
	ip, err := netip.ParseAddr(d[1 : len(d)-1])
	if err != nil || !ip.Is4() {
		return fmt.Errorf("address literal %s is not an IPv4 address", d)
	}
	return nil
}
