package mailparse

import (
	"strings"

	"github.com/emersion/go-message"
)

// Sender verification from Authentication-Results (RFC 8601).
//
// The receiving MX of the organisation checks SPF, DKIM and DMARC and
// records the outcome in Authentication-Results header fields, each
// starting with its authserv-id. Anyone can put such a field into a
// message, so only those carrying the administrator-configured
// authserv-id are read; RFC 8601 §5 requires a border MTA to remove
// incoming fields that claim its own authserv-id. As a second line of
// defence only the topmost field with that id, written as a bare token,
// gives passes (the MX prepends its own above anything that came with the
// message), and a field with that id anywhere that disagrees takes them
// away (see verifySender).
//
// The From domain D counts as authenticated when a trusted field holds
//
//   - dmarc=pass with header.from equal to D (or no header.from),
//   - dkim=pass with header.d (else the domain of header.i) aligned
//     with D, or
//   - spf=pass with the domain of smtp.mailfrom (else, for a null
//     reverse path, smtp.helo) aligned with D,
//
// where a domain d is aligned with D when D == d or D is a subdomain of
// d (DMARC's relaxed alignment, without the public suffix list; a d
// without a dot matches only itself). Every other result, and every
// field that cannot be parsed, counts for nothing. That proves the
// domain, not the person: anyone with a mailbox at D passes. auth=pass
// with smtp.auth (the SMTP AUTH login at the organisation's own server)
// is kept apart as the login, which names the person; tickets decides
// what each proves for whom (verify.go there).

// authResult is one resinfo of an Authentication-Results field: a
// method, its result and its properties ("header.d" -> "example.com").
// Names are lower case; property values are as written (unquoted).
type authResult struct {
	method, result string
	props          map[string]string
	// ambiguous is set when a property appears twice: such a result
	// is not trusted.
	ambiguous bool
}

// senderAuth is what the trusted Authentication-Results fields prove
// about the sender of a message.
type senderAuth struct {
	// domain: the From domain passed DMARC, or aligned DKIM or SPF. That
	// proves the domain's server sent the mail, not which of its users
	// wrote it.
	domain bool
	// login is the SMTP AUTH identity (auth=pass smtp.auth=...) the
	// organisation's submission server recorded; "" when none.
	login string
}

// verifySender reads the Authentication-Results fields of h carrying the
// trusted authserv-id for the mail From address from. An empty trusted
// authserv-id trusts nothing.
//
// The topmost trusted field gives the passes: the MX prepends its own
// above whatever arrived with the message. A forged field further down
// (an MX that does not strip them, against RFC 8601 §5) can therefore not
// add a pass; and should one sit above the real field (a later hop that
// added it), any trusted field reporting another result of the same
// method for the same identity takes that pass away: the fields of our own
// server must agree.
func verifySender(h message.Header, from string, trusted string) senderAuth {
	trusted = strings.TrimSpace(trusted)
	d := fromDomain(from)
	if trusted == "" || d == "" {
		return senderAuth{}
	}
	var fields [][]authResult
	for _, v := range h.Values("Authentication-Results") {
		if !strings.EqualFold(bareAuthservID(v), trusted) {
			continue
		}
		_, results, ok := parseAuthResults(v)
		if !ok {
			return senderAuth{} // our server's words, unreadable: trust nothing
		}
		fields = append(fields, results)
	}
	if len(fields) == 0 {
		return senderAuth{}
	}
	var out senderAuth
	passed := map[string]bool{} // method -> passed for d
	for _, r := range fields[0] {
		if r.passesFor(d) {
			passed[r.method] = true
		}
		if login, ok := r.authLogin(); ok && out.login == "" {
			out.login = login
		}
	}
	// Every trusted field, the first included, must agree: an auth result
	// other than a pass for that same login (a second login in the first
	// field too) takes it away.
	for _, f := range fields {
		for _, r := range f {
			if r.contradictsDomain(d) {
				delete(passed, r.method)
			}
			if r.method == "auth" {
				if login, ok := r.authLogin(); !ok || login != out.login {
					out.login = ""
				}
			}
		}
	}
	out.domain = len(passed) > 0
	return out
}

// authLogin returns the login of an auth=pass result (RFC 8601 §2.7.4),
// lower-cased.
func (r authResult) authLogin() (string, bool) {
	if r.method != "auth" || r.ambiguous || r.result != "pass" {
		return "", false
	}
	login := strings.ToLower(strings.TrimSpace(r.props["smtp.auth"]))
	return login, login != ""
}

// contradictsDomain reports whether r is a DMARC, DKIM or SPF result other
// than pass about the From domain d (or about no stated identity).
func (r authResult) contradictsDomain(d string) bool {
	if r.result == "pass" {
		return false
	}
	about := func(names ...string) bool {
		for _, n := range names {
			if v, ok := r.props[n]; ok {
				return aligned(d, domainOfAddr(v)) || domainOfAddr(v) == ""
			}
		}
		return true
	}
	switch r.method {
	case "dmarc":
		return about("header.from")
	case "dkim":
		return about("header.d", "header.i")
	case "spf":
		return about("smtp.mailfrom", "smtp.helo")
	}
	return false
}

// bareAuthservID returns the authserv-id at the very start of a field
// value when it is a plain token — no comment before it, no quotes — as
// MTAs write it and match it when they strip forged fields. Any other
// form returns "": it is never trusted.
func bareAuthservID(v string) string {
	v = strings.TrimLeft(v, " \t\r\n")
	end := strings.IndexAny(v, " \t\r\n;(")
	if end < 0 {
		end = len(v)
	}
	id := v[:end]
	for _, c := range id {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '-' || c == '_') {
			return ""
		}
	}
	return id
}

// fromDomain returns the normalised domain of an address, or "" when it
// has none that can be compared (an address literal, say).
func fromDomain(email string) string {
	at := strings.LastIndexByte(email, '@')
	if at < 0 {
		return ""
	}
	return normDomain(email[at+1:])
}

// normDomain lower-cases a domain and drops surrounding space, angle
// brackets and a trailing dot. It returns "" for anything that cannot be
// a domain name.
func normDomain(d string) string {
	d = strings.TrimSpace(d)
	d = strings.TrimPrefix(d, "<")
	d = strings.TrimSuffix(d, ">")
	d = strings.TrimSuffix(d, ".")
	d = strings.ToLower(d)
	if d == "" || strings.HasPrefix(d, ".") || strings.Contains(d, "..") ||
		strings.ContainsAny(d, "@ \t\r\n\"<>()[],;:\\") {
		return "" // also an address literal ("[192.0.2.1]")
	}
	return d
}

// domainOfAddr returns the normalised domain of "local@domain",
// "@domain" or a bare "domain".
func domainOfAddr(v string) string {
	v = strings.TrimSpace(v)
	v = strings.TrimPrefix(v, "<")
	v = strings.TrimSuffix(v, ">")
	if at := strings.LastIndexByte(v, '@'); at >= 0 {
		v = v[at+1:]
	}
	return normDomain(v)
}

// aligned reports whether the authenticated domain d is aligned with the
// From domain from: equal, or from a subdomain of d. A d without a dot
// (a top-level domain) is aligned only with itself.
func aligned(from, d string) bool {
	if d == "" || from == "" {
		return false
	}
	return from == d || (strings.Contains(d, ".") && strings.HasSuffix(from, "."+d))
}

// passesFor reports whether r authenticates the From domain d.
func (r authResult) passesFor(d string) bool {
	if r.ambiguous || r.result != "pass" {
		return false
	}
	switch r.method {
	case "dmarc":
		hf, ok := r.props["header.from"]
		return !ok || domainOfAddr(hf) == d
	case "dkim":
		if sd, ok := r.props["header.d"]; ok {
			return aligned(d, normDomain(sd))
		}
		if i, ok := r.props["header.i"]; ok {
			return aligned(d, domainOfAddr(i))
		}
	case "spf":
		if mf, ok := r.props["smtp.mailfrom"]; ok && domainOfAddr(mf) != "" {
			return aligned(d, domainOfAddr(mf))
		}
		// A null reverse path: SPF checked the HELO identity
		// (RFC 7208 §2.4).
		if helo, ok := r.props["smtp.helo"]; ok {
			return aligned(d, domainOfAddr(helo))
		}
	}
	return false
}

// parseAuthResults parses the value of one Authentication-Results field
// (RFC 8601 §2.2): the authserv-id, unquoted, and the results. ok is
// false when the value does not follow the grammar; its results must
// then be ignored. "none" (no results) gives no results and ok.
//
// It is lenient where real MTAs are: comments and folding anywhere
// between tokens, a trailing ";", property-like items without a ptype
// (ignored) and a reason anywhere among the properties.
func parseAuthResults(v string) (id string, results []authResult, ok bool) {
	p := &arParser{s: v}
	if !p.skipCFWS() {
		return "", nil, false
	}
	id, ok = p.value()
	if !ok || id == "" {
		return "", nil, false
	}
	if !p.skipCFWS() {
		return "", nil, false
	}
	// authres-version
	if p.digits() != "" && !p.skipCFWS() {
		return "", nil, false
	}
	for !p.eof() {
		if !p.consume(';') || !p.skipCFWS() {
			return "", nil, false
		}
		if p.eof() {
			break // a trailing ";"
		}
		method := strings.ToLower(p.keyword())
		if method == "" || !p.skipCFWS() {
			return "", nil, false
		}
		if method == "none" && (p.eof() || p.peek() == ';') {
			continue // no-result
		}
		if p.consume('/') {
			// method-version
			if !p.skipCFWS() || p.digits() == "" || !p.skipCFWS() {
				return "", nil, false
			}
		}
		if !p.consume('=') || !p.skipCFWS() {
			return "", nil, false
		}
		r := authResult{method: method, result: strings.ToLower(p.keyword()), props: map[string]string{}}
		if r.result == "" {
			return "", nil, false
		}
		// reasonspec and propspecs
		for {
			if !p.skipCFWS() {
				return "", nil, false
			}
			if p.eof() || p.peek() == ';' {
				break
			}
			name := strings.ToLower(p.keyword())
			if name == "" || !p.skipCFWS() {
				return "", nil, false
			}
			if p.consume('.') {
				if !p.skipCFWS() {
					return "", nil, false
				}
				prop := strings.ToLower(p.keyword())
				if prop == "" || !p.skipCFWS() {
					return "", nil, false
				}
				name += "." + prop
			}
			if !p.consume('=') || !p.skipCFWS() {
				return "", nil, false
			}
			val, ok := p.value()
			if !ok {
				return "", nil, false
			}
			if !strings.Contains(name, ".") {
				continue // reason=..., or a non-standard item
			}
			if _, dup := r.props[name]; dup {
				r.ambiguous = true
			}
			r.props[name] = val
		}
		results = append(results, r)
	}
	return id, results, true
}

// arParser scans an Authentication-Results value.
type arParser struct {
	s string
	i int
}

func (p *arParser) eof() bool { return p.i >= len(p.s) }

func (p *arParser) peek() byte { return p.s[p.i] }

// consume skips c if it is next.
func (p *arParser) consume(c byte) bool {
	if !p.eof() && p.s[p.i] == c {
		p.i++
		return true
	}
	return false
}

// skipCFWS skips white space, line breaks and (nested) comments. It
// returns false for an unterminated comment.
func (p *arParser) skipCFWS() bool {
	depth := 0
	for !p.eof() {
		c := p.s[p.i]
		switch {
		case depth > 0 && c == '\\':
			p.i++ // quoted-pair: the next byte is literal
		case c == '(':
			depth++
		case depth > 0 && c == ')':
			depth--
		case depth == 0 && c != ' ' && c != '\t' && c != '\r' && c != '\n':
			return true
		}
		p.i++
	}
	return depth == 0
}

// keyword reads letters, digits, '-' and '_'.
func (p *arParser) keyword() string {
	start := p.i
	for !p.eof() {
		c := p.s[p.i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '_') {
			break
		}
		p.i++
	}
	return p.s[start:p.i]
}

func (p *arParser) digits() string {
	start := p.i
	for !p.eof() && '0' <= p.s[p.i] && p.s[p.i] <= '9' {
		p.i++
	}
	return p.s[start:p.i]
}

// value reads a token, a quoted string or a mix of both such as
// `"john doe"@example.com`, up to white space, a comment or ';'. Quoted
// strings are unquoted. It returns false for an unterminated quoted
// string.
func (p *arParser) value() (string, bool) {
	var b strings.Builder
	for !p.eof() {
		c := p.s[p.i]
		switch c {
		case ' ', '\t', '\r', '\n', '(', ';':
			return b.String(), true
		case '"':
			p.i++
			for {
				if p.eof() {
					return "", false
				}
				c := p.s[p.i]
				p.i++
				if c == '"' {
					break
				}
				if c == '\\' {
					if p.eof() {
						return "", false
					}
					c = p.s[p.i]
					p.i++
				}
				b.WriteByte(c)
			}
		default:
			b.WriteByte(c)
			p.i++
		}
	}
	return b.String(), true
}
