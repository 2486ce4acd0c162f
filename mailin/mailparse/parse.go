package mailparse

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"math"
	"mime"
	"net/mail"
	"slices"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"github.com/emersion/go-message"
	// Registers every charset go-message can decode (ISO-8859-*,
	// Windows-125x, KOI8, Shift_JIS, GB18030, ...).
	"github.com/emersion/go-message/charset"
	gomail "github.com/emersion/go-message/mail"
	"github.com/emersion/go-message/textproto"

	"github.com/ticketd/ticketd/internal/textfields"
	"github.com/ticketd/ticketd/tickets"
)

// ErrMalformed is wrapped by every error Parse returns: the message cannot
// be turned into a tickets.Inbound and belongs in the failed mailbox.
var ErrMalformed = errors.New("malformed message")

// maxHeaderBytes bounds the header block read by Parse; go-message's
// default (1 MiB) is kept explicit here because it is a policy.
const maxHeaderBytes = 1 << 20

// maxMsgIDBytes is the longest Message-ID, In-Reply-To or References
// entry kept: tickets uses them as index keys (bbolt keys must stay well
// below a page). A longer Message-ID counts as missing; longer references
// are dropped.
const maxMsgIDBytes = 250

// Options configures ParseWithOptions.
type Options struct {
	// TrustedAuthservID is the authserv-id (RFC 8601) that the
	// organisation's receiving MX writes into Authentication-Results
	// header fields, such as "mx.example.com". Only fields carrying it
	// (compared case-insensitively) set Inbound.SenderVerified; the MX
	// must remove incoming fields claiming it (RFC 8601 §5). Empty
	// trusts nothing: SenderVerified is then always false.
	TrustedAuthservID string
	// DeskAddress is the support address: mail from it, or carrying a
	// Message-ID ticketd makes under its domain, is KindOwn. Empty: no
	// message is KindOwn. QueueAddresses are the desk's other queues'
	// addresses, own mail the same way.
	DeskAddress    string
	QueueAddresses []string
	// Attachments, when set, receives the content of every attachment
	// (Inbound.Attachments then have Stored or Dropped set); nil: content
	// is only hashed. MaxAttachmentSize bounds one attachment; a larger
	// one is Dropped (0: no limit).
	Attachments       AttachmentStore
	MaxAttachmentSize int64
	// Spam says which verdicts of the receiving server mark the mail as
	// spam (Inbound.Spam, spam.go); nil: DefaultSpamRules.
	Spam *SpamRules
}

// Parse is ParseWithOptions with zero options: SenderVerified is always
// false.
func Parse(raw []byte) (tickets.Inbound, error) {
	return ParseWithOptions(raw, Options{})
}

// ParseWithOptions turns one raw RFC 5322 message into a tickets.Inbound.
//
// Parsing is lenient: unknown charsets, undecodable transfer encodings,
// junk in address and message-id headers and truncated multipart bodies
// keep whatever can be read. It fails (with an error wrapping ErrMalformed)
// only when the header block cannot be read or the message has no usable
// From address. When opts.Attachments fails to store one (a full disk, a
// permission) the error wraps tickets.ErrStorage instead: the message is
// fine and must be kept for another try. It never panics: a panic in a
// library it calls is recovered and returned as an error wrapping
// ErrMalformed.
//
// SenderVerified and AuthLogin are set from the Authentication-Results
// fields carrying opts.TrustedAuthservID (see authres.go); they are unset
// unless the From header holds exactly one field whose addresses share one
// domain (AuthLogin: exactly one address).
func ParseWithOptions(raw []byte, opts Options) (tickets.Inbound, error) {
	return parseSafely(raw, opts, nil)
}

// parseSafely is ParseWithOptions with the body extraction as a parameter,
// so that tests can make it panic: body, when set, reads the text in a
// walk of its own (then scanParts walks the message again); nil reads
// the text and the other parts in one walk (textAndParts).
func parseSafely(raw []byte, opts Options, body func(*message.Entity) (string, bool)) (in tickets.Inbound, err error) {
	defer func() {
		if v := recover(); v != nil {
			in = tickets.Inbound{}
			err = fmt.Errorf("parse message: %w: panic: %v", ErrMalformed, v)
		}
	}()
	return parse(raw, opts, body)
}

func parse(raw []byte, opts Options, body func(*message.Entity) (string, bool)) (tickets.Inbound, error) {
	sum := sha256.Sum256(raw)
	in := tickets.Inbound{
		ContentHash: hex.EncodeToString(sum[:]),
		Size:        int64(len(raw)),
	}
	if len(bytes.TrimSpace(raw)) == 0 {
		return tickets.Inbound{}, fmt.Errorf("parse message: %w: empty", ErrMalformed)
	}

	// This is mail.CreateReader done by hand: CreateReader gives up on an
	// unknown Content-Transfer-Encoding at the top level, while
	// message.ReadWithOptions returns a usable entity along with an
	// unknown-charset or unknown-encoding error. Both are fine for us: the
	// body is then read undecoded and repaired in readText.
	fixed := repairRaw(raw) // once for both walks (the text, then scanParts)
	br := readers.Get().(*bufio.Reader)
	defer func() {
		br.Reset(nil) // keeps no message alive
		readers.Put(br)
	}()
	e, err := readRepairedWith(fixed, br) // e is read only here: br is free again when parse returns
	if e == nil {
		return tickets.Inbound{}, fmt.Errorf("parse message: %w: read header: %v", ErrMalformed, err)
	}
	h := gomail.Header{Header: e.Header}

	from := parseAddressList(h.Get("From"))
	if len(from) == 0 {
		if h.Get("From") == "" {
			return tickets.Inbound{}, fmt.Errorf("parse message: %w: no From header", ErrMalformed)
		}
		return tickets.Inbound{}, fmt.Errorf("parse message: %w: no usable address in From", ErrMalformed)
	}
	in.From = from[0]
	in.ReplyTo = parseAddressList(h.Get("Reply-To"))
	in.To = parseAddressList(h.Get("To"))
	in.Cc = parseAddressList(h.Get("Cc"))
	in.DeliveredTo = envelopeRecipients(h, "Delivered-To")
	in.XOriginalTo = envelopeRecipients(h, "X-Original-To")

	// Subject returns the raw value alongside an error when an encoded
	// word cannot be decoded; the raw value is the best we have.
	subject, _ := h.Subject()
	in.Subject = cleanHeaderText(subject)

	if ids := msgIDs(h.Get("Message-Id"), true); len(ids) > 0 && len(ids[0]) <= maxMsgIDBytes {
		in.MessageID = ids[0]
	}
	if in.MessageID == "" {
		in.MessageID = "sha256:" + in.ContentHash
	}
	in.InReplyTo = dropLongIDs(msgIDs(h.Get("In-Reply-To"), false))
	in.References = dropLongIDs(msgIDs(h.Get("References"), false))

	// Date stays zero when missing or unparseable.
	if d, err := headerDate(h); err == nil {
		in.Date = d
	}

	in.AutoSubmitted = isAutoSubmitted(h)
	in.Priority = declaredPriority(h)
	in.ContentLanguage = contentLanguage(h)
	// Several From fields or domains leave open which one the MX
	// authenticated.
	if len(e.Header.Values("From")) == 1 && !slices.ContainsFunc(from, func(a tickets.Address) bool {
		return fromDomain(a.Email) != fromDomain(in.From.Email)
	}) {
		auth := verifySender(e.Header, in.From.Email, opts.TrustedAuthservID)
		in.SenderVerified = auth.domain
		if len(from) == 1 { // a login names one author
			in.AuthLogin = auth.login
		}
	}
	rules := DefaultSpamRules
	if opts.Spam != nil {
		rules = *opts.Spam
	}
	in.Spam = spamVerdict(e.Header, in.From.Email, opts.TrustedAuthservID, rules)
	// The visible text is found in the whole text before either is
	// capped: a cut must not hide where the quoted history starts.
	var (
		full string
		cut  bool
		info partsInfo
	)
	if body == nil {
		full, cut, info = textAndParts(e, opts)
	} else {
		full, cut = body(e)
	}
	in.FullText = capText(full, cut)
	visible := VisibleText(full)
	in.Text = capText(visible, cut && len(visible) == len(full))
	in.Forwarded = forwarded(raw, full, in.Subject) // forward.go
	if body != nil {
		info = scanRepaired(fixed, opts)
	}
	if info.storageErr != nil {
		return tickets.Inbound{}, fmt.Errorf("parse message: %w", info.storageErr)
	}
	in.Attachments = info.attachments
	classify(&in, h, raw, info, append([]string{opts.DeskAddress}, opts.QueueAddresses...))
	return in, nil
}

// dropLongIDs removes the ids longer than maxMsgIDBytes.
func dropLongIDs(ids []string) []string {
	ids = slices.DeleteFunc(ids, func(id string) bool { return len(id) > maxMsgIDBytes })
	if len(ids) == 0 {
		return nil
	}
	return ids
}

// readEntity reads the message header and prepares the body for decoding.
func readEntity(raw []byte) (*message.Entity, error) { return readRepaired(repairRaw(raw)) }

// readRepaired is readEntity of raw already repaired (repairRaw), for the
// second walk of a message without a second repair pass.
func readRepaired(raw []byte) (*message.Entity, error) {
	return readRepairedWith(raw, bufio.NewReader(nil))
}

// readRepairedWith is readRepaired reading through br, which the
// entity's body then reads on from.
func readRepairedWith(raw []byte, br *bufio.Reader) (*message.Entity, error) {
	e, err := readMessage(raw, br)
	if e == nil && errors.Is(err, io.EOF) && !bytes.Contains(raw, []byte("\n\n")) && !bytes.Contains(raw, []byte("\r\n\r\n")) {
		// A header with no body and no blank line after it: complete
		// the header block rather than reject a readable message.
		// (Copy: appending to a subslice of raw would write into the
		// caller's buffer.)
		fixed := make([]byte, 0, len(raw)+4)
		fixed = append(fixed, bytes.TrimRight(raw, "\r\n")...)
		fixed = append(fixed, "\r\n\r\n"...)
		e, err = readMessage(fixed, br)
	}
	return e, err
}

// readMessage is message.ReadWithOptions(bytes.NewReader(raw),
// &message.ReadOptions{MaxHeaderBytes: maxHeaderBytes}) through br
// (reset), which go-message would allocate (4 KiB) for every message:
// Parse takes it from readers. The usual header block is read from raw
// directly (readHeaderBytes).
func readMessage(raw []byte, br *bufio.Reader) (*message.Entity, error) {
	if h, body, ok := readHeaderBytes(raw); ok { // the usual header, read in place
		br.Reset(bytes.NewReader(raw[body:]))
		return message.New(message.Header{Header: h}, br)
	}
	lr := &headerLimit{r: bytes.NewReader(raw), n: maxHeaderBytes}
	br.Reset(lr)
	h, err := textproto.ReadHeader(br)
	if err != nil {
		return nil, err
	}
	lr.n = math.MaxInt64
	return message.New(message.Header{Header: h}, br)
}

// readers are the buffered readers of Parse's messages (readMessage).
var readers = sync.Pool{New: func() any { return bufio.NewReader(nil) }}

// errHeaderTooBig is go-message's error for a header block over
// MaxHeaderBytes.
var errHeaderTooBig = errors.New("message: header exceeds maximum size")

// headerLimit is go-message's limitedReader: an io.LimitedReader that
// fails with errHeaderTooBig.
type headerLimit struct {
	r io.Reader
	n int64
}

func (l *headerLimit) Read(p []byte) (int, error) {
	if l.n <= 0 {
		return 0, errHeaderTooBig
	}
	if int64(len(p)) > l.n {
		p = p[:l.n]
	}
	n, err := l.r.Read(p)
	l.n -= int64(n)
	return n, err
}

// isAutoSubmitted reports whether the message must never be answered
// automatically.
func isAutoSubmitted(h gomail.Header) bool {
	// RFC 3834 §5: any Auto-Submitted value other than "no" (AutoNo)
	// marks automatic mail. Parameters may follow the keyword.
	if v := h.Get("Auto-Submitted"); v != "" {
		kw, _, _ := strings.Cut(v, ";")
		kw = strings.ToLower(strings.TrimSpace(kw))
		if kw != "" && kw != string(tickets.AutoNo) {
			return true
		}
	}
	// RFC 3834 §3.1.8 (and long practice): list and bulk mail.
	switch strings.ToLower(strings.TrimSpace(h.Get("Precedence"))) {
	case "bulk", "junk", "list":
		return true
	}
	// Widespread non-standard markers of vacation responders.
	if h.Has("X-Autoreply") || h.Has("X-Autorespond") {
		return true
	}
	// RFC 3834 §2: a null return path means a bounce or another message
	// that must not be replied to (RFC 5321 §4.5.5).
	if rp := strings.TrimSpace(h.Get("Return-Path")); rp == "<>" {
		return true
	}
	// Delivery status notifications and read receipts (RFC 6522).
	if t, _, _ := h.ContentType(); strings.EqualFold(t, "multipart/report") {
		return true
	}
	return false
}

// wordDecoder decodes RFC 2047 encoded words with every registered charset.
var wordDecoder = &mime.WordDecoder{CharsetReader: charset.Reader}

// parseAddressList parses an address header leniently: the strict RFC 5322
// parser first, then each comma-separated element on its own, then a
// salvage of anything that looks like an address. Addresses are
// normalised with tickets.NewAddress; duplicates are dropped.
func parseAddressList(v string) []tickets.Address {
	v = strings.TrimSpace(v)
	if v == "" {
		return nil
	}
	var out []tickets.Address
	seen := map[string]bool{}
	add := func(name, email string) {
		if strings.Contains(name, "=?") {
			// Encoded words inside a quoted display name are not
			// allowed (RFC 2047 §5) but common; clients decode them.
			if d, err := wordDecoder.DecodeHeader(name); err == nil {
				name = d
			}
		}
		a := tickets.NewAddress(cleanHeaderText(name), email)
		if !tickets.ValidEmail(a.Email) || seen[a.Email] {
			return
		}
		seen[a.Email] = true
		out = append(out, a)
	}
	parser := mail.AddressParser{WordDecoder: wordDecoder}
	if list, err := parser.ParseList(v); err == nil {
		for _, a := range list {
			add(a.Name, a.Address)
		}
		return out
	}
	pending := ""
	for _, part := range splitAddressList(v) {
		if pending != "" {
			part = pending + ", " + part
			pending = ""
		}
		if !strings.Contains(part, "@") {
			// Most often an unquoted comma in a display name
			// ("Pérez, Juan <juan@example.com>"): the next element
			// holds the address. A run longer than any display name
			// is junk, dropped: joining it on would cost quadratic time
			// on a header of 40,000 such elements.
			if len(part) <= maxPendingName {
				pending = part
			}
			continue
		}
		if a, err := parser.Parse(part); err == nil {
			add(a.Name, a.Address)
			continue
		}
		if name, email, ok := salvageAddress(part); ok {
			add(name, email)
		}
	}
	return out
}

// maxPendingName bounds the address-less elements joined onto the next.
const maxPendingName = 256

// splitAddressList splits an address list at the commas that are not
// inside quotes, angle brackets or comments.
func splitAddressList(v string) []string {
	var parts []string
	var quoted, escaped bool
	angle, paren, start := 0, 0, 0
	for i := 0; i < len(v); i++ {
		c := v[i]
		switch {
		case escaped:
			escaped = false
		case c == '\\':
			escaped = true
		case quoted:
			if c == '"' {
				quoted = false
			}
		case c == '"':
			quoted = true
		case c == '(':
			paren++
		case c == ')' && paren > 0:
			paren--
		case c == '<':
			angle++
		case c == '>' && angle > 0:
			angle--
		case c == ',' && angle == 0 && paren == 0:
			parts = append(parts, strings.TrimSpace(v[start:i]))
			start = i + 1
		}
	}
	parts = append(parts, strings.TrimSpace(v[start:]))
	return parts
}

// salvageAddress pulls an address out of a malformed element such as
// `Pérez, Juan <juan@example.com>` (unquoted comma, raw 8-bit name) or
// `juan@example.com (Juan)`.
func salvageAddress(s string) (name, email string, ok bool) {
	if i := strings.LastIndexByte(s, '<'); i >= 0 {
		if j := strings.IndexByte(s[i:], '>'); j > 0 {
			email = strings.TrimSpace(s[i+1 : i+j])
			name = strings.TrimSpace(s[:i])
			name = strings.Trim(name, "\"' ")
			if dec, err := wordDecoder.DecodeHeader(name); err == nil {
				name = dec
			}
			return name, email, tickets.PlainEmail(email)
		}
	}
	for _, f := range strings.Fields(s) {
		f = strings.Trim(f, "<>()[]\"',;:")
		if tickets.PlainEmail(f) {
			return "", f, true
		}
	}
	return "", "", false
}

// msgIDs extracts message identifiers, without angle brackets, from a
// Message-ID, In-Reply-To or References value. Junk is tolerated: the
// bracketed ids are taken wherever they are (Outlook's commas, phrases in
// old In-Reply-To fields); without brackets, bare tokens are accepted when
// they contain '@' (or, for Message-ID, the first token at all).
func msgIDs(v string, single bool) []string {
	v = strings.TrimSpace(v)
	if v == "" {
		return nil
	}
	var ids []string
	seen := map[string]bool{}
	add := func(id string) {
		id = strings.Map(func(r rune) rune {
			if r == ' ' || r == '\t' || r == '\r' || r == '\n' {
				return -1
			}
			return r
		}, id)
		id = strings.Trim(id, "<>")
		// An id with a control character or a bracket inside is not
		// one (RFC 5322 §3.6.4) and would be copied into the headers
		// of our own mail: dropped.
		if id == "" || seen[id] || !utf8.ValidString(id) || strings.ContainsAny(id, "<>") || strings.ContainsFunc(id, unicode.IsControl) {
			return
		}
		seen[id] = true
		ids = append(ids, id)
	}
	rest := v
	for {
		i := strings.IndexByte(rest, '<')
		if i < 0 {
			break
		}
		j := strings.IndexByte(rest[i:], '>')
		if j < 0 {
			break
		}
		add(rest[i+1 : i+j])
		rest = rest[i+j+1:]
	}
	if len(ids) > 0 {
		return ids
	}
	for _, f := range strings.FieldsFunc(v, func(r rune) bool {
		return r == ' ' || r == '\t' || r == '\r' || r == '\n' || r == ','
	}) {
		if single || strings.Contains(f, "@") {
			add(f)
			if single {
				break
			}
		}
	}
	return ids
}

// cleanHeaderText makes a decoded header value safe to store and show:
// valid UTF-8, no control characters, unfolded, trimmed.
func cleanHeaderText(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	s = strings.Map(func(r rune) rune {
		switch {
		case r == '\t' || r == '\r' || r == '\n':
			return ' '
		case r < 0x20 || r == 0x7f:
			return -1
		}
		return r
	}, s)
	return textfields.Join(s)
}
