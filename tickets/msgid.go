package tickets

import (
	"bytes"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"hash"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/ticketd/ticketd/internal/lazyre"
)

// keyMsgIDSecret is the meta key of the secret that signs ticketd's
// Message-IDs; generated once, when the store first needs it.
var keyMsgIDSecret = []byte("msgid_secret")

// macLen is the length, in hex digits, of the signature in a Message-ID:
// 64 bits, far beyond guessing over mail.
const macLen = 16

// signedMessageID returns a Message-ID that names its ticket and carries
// an HMAC of it: "ticketd.<ticket>.<mail>.<random>.<mac>@<domain>". A
// reply that lost the subject token and whose referenced ids are not in
// the index (another client's mangling, a restored backup) still threads
// by it, and nobody can forge one for another ticket.
func signedMessageID(secret []byte, ticket, mail uint64, domain string) (string, error) {
	var b [6]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", err
	}
	// Built in one buffer: the id is made for every mail queued.
	var stack [128]byte
	id := append(stack[:0], "ticketd."...)
	id = strconv.AppendUint(id, ticket, 10)
	id = append(id, '.')
	id = strconv.AppendUint(id, mail, 10)
	id = append(id, '.')
	id = hex.AppendEncode(id, b[:])
	body := len(id)
	id = append(id, '.')
	id = appendMsgIDMAC(id, secret, id[:body], domain)
	id = append(id, '@')
	id = append(id, domain...)
	return string(id), nil
}

// appendMsgIDMAC appends the signature of a Message-ID's body under its
// domain to dst: the first macLen hex digits of HMAC-SHA256(secret,
// lower(domain) 0 body). The keyed HMAC is reused from macStates
// (hmac.New makes two SHA-256 states and their pads on every call: a few
// per mail queued or reply threaded).
func appendMsgIDMAC(dst, secret, body []byte, domain string) []byte {
	st, _ := macStates.Get().(*macState)
	if st == nil || !bytes.Equal(st.secret, secret) {
		st = &macState{secret: bytes.Clone(secret), h: hmac.New(sha256.New, secret)}
	} else {
		st.h.Reset()
	}
	st.buf = appendLower(st.buf[:0], domain)
	st.buf = append(st.buf, 0)
	st.buf = append(st.buf, body...)
	st.h.Write(st.buf)
	sum := st.h.Sum(st.buf[:0])
	dst = hex.AppendEncode(dst, sum[:macLen/2])
	st.buf = sum[:0]
	macStates.Put(st)
	return dst
}

// macState is one keyed HMAC of msgIDMAC and its scratch buffer.
type macState struct {
	secret []byte
	h      hash.Hash
	buf    []byte
}

var macStates sync.Pool

// appendLower appends strings.ToLower(s) to dst, without a string for an
// ASCII s (a domain, nearly always).
func appendLower(dst []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return append(dst, strings.ToLower(s)...)
		}
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		dst = append(dst, c)
	}
	return dst
}

// verifyMessageID returns the ticket a Message-ID signed by this desk
// names; false for any other id (unsigned old ids, other domains,
// forgeries).
func verifyMessageID(secret []byte, id, domain string) (uint64, bool) {
	local, d, ok := strings.Cut(id, "@")
	if !ok || !strings.EqualFold(d, domain) || len(secret) == 0 {
		return 0, false
	}
	i := strings.LastIndexByte(local, '.')
	if i < 0 || len(local)-i-1 != macLen {
		return 0, false
	}
	body, mac := local[:i], local[i+1:]
	var want [macLen]byte
	if !hmac.Equal([]byte(mac), appendMsgIDMAC(want[:0], secret, []byte(body), d)) {
		return 0, false
	}
	parts := strings.Split(body, ".")
	if len(parts) != 4 || parts[0] != "ticketd" {
		return 0, false
	}
	n, err := strconv.ParseUint(parts[1], 10, 64)
	return n, err == nil && n != 0
}

// verifyOwnMessageID returns the ticket a Message-ID signed by this desk
// names, under any queue's domain.
func (s *Service) verifyOwnMessageID(id string) (uint64, bool) {
	_, d, ok := strings.Cut(id, "@")
	if !ok || !s.ownsDomain(d) {
		return 0, false
	}
	return verifyMessageID(s.secret, id, d)
}

// signedCandidates returns the tickets named by signed Message-IDs among
// m's In-Reply-To and References (newest first).
func (a *applier) signedCandidates(m *Inbound) []uint64 {
	var out []uint64
	ids := append([]string(nil), m.InReplyTo...)
	for i := len(m.References) - 1; i >= 0; i-- {
		ids = append(ids, m.References[i])
	}
	for _, id := range ids {
		if n, ok := a.s.verifyOwnMessageID(id); ok {
			out = append(out, n)
		}
	}
	return out
}

// refPrefix starts the reference line at the end of every mail ticketd
// writes: its own signed Message-ID, so that a reply whose client dropped
// the subject token and the threading headers still carries it in the
// quoted text.
const refPrefix = "ref:"

// withRef appends the reference line to a rendered mail: in the text's
// signature block (so quote stripping never shows it), the template's
// footer when it has one — one "-- " per mail, RFC 3676 §4.3 — else a new
// block; as a small line at the end of the HTML body. text and html are
// the renderer's buffers (templates.Set.RenderFunc): each body is copied
// once, into the string returned.
func withRef(text, html []byte, msgID string) (string, string) {
	text = bytes.TrimRight(text, "\n")
	sep := ""
	if !bytes.HasPrefix(text, []byte("-- \n")) && !bytes.Contains(text, []byte("\n-- \n")) {
		sep = "\n\n-- "
	}
	var t strings.Builder
	t.Grow(len(text) + len(sep) + 1 + len(refPrefix) + len(msgID) + 1)
	t.Write(text)
	t.WriteString(sep)
	t.WriteString("\n" + refPrefix)
	t.WriteString(msgID)
	t.WriteByte('\n')
	if len(html) == 0 {
		return t.String(), ""
	}
	const open, closing = `<p style="margin:16px 0 0 0;color:#999999;font-size:11px;">` + refPrefix, `</p>`
	i, nl := bytes.LastIndex(html, []byte("</body>")), "\n"
	if i < 0 {
		i, nl = len(html), ""
	}
	var h strings.Builder
	h.Grow(len(html) + len(open) + len(msgID) + len(closing) + len(nl))
	h.Write(html[:i])
	h.WriteString(open)
	h.WriteString(msgID)
	h.WriteString(closing)
	h.WriteString(nl)
	h.Write(html[i:])
	return t.String(), h.String()
}

// bodyRef finds ticketd's reference lines in a message's text.
var bodyRef = lazyre.New(`ticketd\.\d{1,18}\.\d{1,18}\.[0-9a-f]{12}\.[0-9a-f]{16}@[A-Za-z0-9.\-]{1,200}`)

// maxBodyRefs bounds the references looked at in one message.
const maxBodyRefs = 8

// bodyCandidates returns the tickets named by validly signed references
// in m's text (a quoted ticketd mail), first found first.
func (a *applier) bodyCandidates(m *Inbound) []uint64 {
	if out, ok := m.preparedBodyRefs(a.s); ok {
		return out
	}
	return a.s.bodyCandidates(m.FullText)
}

// bodyCandidates is applier.bodyCandidates of a text, without Prepare's
// memo.
func (s *Service) bodyCandidates(fullText string) []uint64 {
	var out []uint64
	for _, id := range bodyRef().FindAllString(fullText, maxBodyRefs) {
		if n, ok := s.verifyOwnMessageID(id); ok {
			out = append(out, n)
		}
	}
	return out
}
