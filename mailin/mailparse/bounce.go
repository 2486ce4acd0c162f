package mailparse

import (
	"bytes"
	"strings"

	"github.com/ticketd/ticketd/internal/lazyre"
	"github.com/ticketd/ticketd/tickets"
)

// Bounds of the bounce heuristics.
const (
	maxBouncedRecipients = 50
	maxBounceScan        = 1 << 20 // bytes of a non-standard bounce searched for the original Message-ID
)

// parseDSN reads the per-recipient fields of a message/delivery-status
// body (RFC 3464 §2.3): blocks of header-like fields separated by blank
// lines, the first block being per-message.
func parseDSN(b []byte) []tickets.BouncedRecipient {
	var out []tickets.BouncedRecipient
	b = bytes.ReplaceAll(b, []byte("\r\n"), []byte("\n"))
	for _, block := range strings.Split(string(b), "\n\n") {
		fields := dsnFields(block)
		rcpt := fields["final-recipient"]
		if rcpt == "" {
			rcpt = fields["original-recipient"]
		}
		// "rfc822; user@example.com" (the address type is RFC 3464 §2.3.2).
		if _, addr, ok := strings.Cut(rcpt, ";"); ok {
			rcpt = addr
		}
		rcpt = tickets.NormalizeEmail(strings.Trim(strings.TrimSpace(rcpt), "<>"))
		if !tickets.PlainEmail(rcpt) {
			continue
		}
		r := tickets.BouncedRecipient{
			Email:  rcpt,
			Action: strings.ToLower(strings.TrimSpace(fields["action"])),
			Status: statusCode().FindString(fields["status"]),
		}
		diag := fields["diagnostic-code"]
		if _, d, ok := strings.Cut(diag, ";"); ok {
			diag = d
		}
		r.Diagnostic = truncateText(cleanHeaderText(diag), 500)
		out = append(out, r)
		if len(out) == maxBouncedRecipients {
			break
		}
	}
	return out
}

// dsnFields parses one block of "Name: value" lines with folded
// continuations; names are lower-cased, the first occurrence wins.
func dsnFields(block string) map[string]string {
	fields := map[string]string{}
	last := ""
	for _, line := range strings.Split(block, "\n") {
		if line == "" {
			continue
		}
		if (line[0] == ' ' || line[0] == '\t') && last != "" {
			fields[last] += " " + strings.TrimSpace(line)
			continue
		}
		k, v, ok := strings.Cut(line, ":")
		if !ok {
			last = ""
			continue
		}
		k = strings.ToLower(strings.TrimSpace(k))
		if _, dup := fields[k]; dup {
			last = ""
			continue
		}
		fields[k] = strings.TrimSpace(v)
		last = k
	}
	return fields
}

// statusCode is an RFC 3463 enhanced status code.
var statusCode = lazyre.New(`\b[245]\.\d{1,3}\.\d{1,3}\b`)

// bounceSubject matches the subjects of non-standard bounces of common
// MTAs (Postfix, Exim, qmail, Exchange, Gmail, Sendmail) in English and
// Spanish.
var bounceSubject = lazyre.New(`(?i)(undeliver|undelivered|returned mail|mail delivery (failed|failure)|delivery (status notification|failure|has failed|failed)|failure notice|could not be delivered|no se puede entregar|no se pudo entregar|no entregado|devuelto|error de entrega|notificación de estado de entrega)`)

// emailInText finds addresses in free text.
var emailInText = lazyre.New(`[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,}`)

// returnedStart is the line after which a non-standard bounce quotes the
// returned message: addresses below it are not the failed recipients.
var returnedStart = lazyre.New(`(?im)^.*(original message|copy of the message|message headers follow|returned message|mensaje original|copia del mensaje|^received:|^message-id:|^from:|^de:|^to:|^para:|^subject:|^asunto:)`)

// embeddedMsgID finds a Message-ID header quoted in a bounce's body.
var embeddedMsgID = lazyre.New(`(?im)^[ \t>]*message-id:[ \t]*<([^<>\s]{1,250})>`)

// isDaemonSender reports whether addr is a mail system's address.
func isDaemonSender(a tickets.Address) bool {
	local, _, _ := strings.Cut(a.Email, "@")
	switch strings.ToLower(local) {
	case "mailer-daemon", "postmaster", "mail-daemon", "mailerdaemon":
		return true
	}
	name := strings.ToLower(a.Name)
	return strings.Contains(name, "mail delivery") || strings.Contains(name, "mailer-daemon")
}

// bounceInput is what detectBounce looks at.
type bounceInput struct {
	in       *tickets.Inbound
	info     partsInfo
	xFailed  string // X-Failed-Recipients (Exim)
	raw      []byte
	fullText string
}

// detectBounce returns the bounce a message is, or nil.
//
// A standard bounce is a multipart/report of report-type delivery-status
// (RFC 6522, RFC 3464): it is a bounce when a recipient failed or was
// delayed (success reports are just automatic mail). A non-standard one
// comes from a mail system's address (mailer-daemon, postmaster) with a
// bounce subject or an X-Failed-Recipients field; its recipients are taken
// from X-Failed-Recipients or from the text above the returned message.
func detectBounce(bi bounceInput) *tickets.Bounce {
	if bi.info.report || bi.info.dsn != nil {
		rcpts := parseDSN(bi.info.dsn)
		failing := false
		for _, r := range rcpts {
			if r.Action == "failed" || r.Action == "delayed" {
				failing = true
			}
		}
		if failing || (len(rcpts) == 0 && isDaemonSender(bi.in.From)) {
			b := &tickets.Bounce{Recipients: rcpts}
			b.OriginalMessageID, b.Returned = bi.originalID()
			return b
		}
		return nil
	}
	daemon := isDaemonSender(bi.in.From)
	switch {
	case daemon && (bounceSubject().MatchString(bi.in.Subject) || bi.xFailed != ""):
	case (daemon || isNoReplySender(bi.in.From)) && (bounceSubject().MatchString(bi.in.Subject) ||
		bounceWording().MatchString(truncateUTF8(bi.fullText, autoReplyWindow*2))):
		// A vendor's or carrier's failure notice: no report, but a
		// system's address and a failure said in words.
	default:
		return nil
	}
	b := &tickets.Bounce{}
	b.OriginalMessageID, b.Returned = bi.originalID()
	status := statusCode().FindString(bi.fullText)
	add := func(addr string) {
		addr = tickets.NormalizeEmail(strings.Trim(addr, "<>.,;:()[]\"'"))
		if !tickets.PlainEmail(addr) || len(b.Recipients) >= maxBouncedRecipients || bi.excluded(addr) {
			return
		}
		for _, r := range b.Recipients {
			if r.Email == addr {
				return
			}
		}
		b.Recipients = append(b.Recipients, tickets.BouncedRecipient{Email: addr, Action: "failed", Status: status})
	}
	if bi.xFailed != "" {
		for _, a := range strings.Split(bi.xFailed, ",") {
			add(strings.TrimSpace(a))
		}
		return b
	}
	report := bi.fullText
	if loc := returnedStart().FindStringIndex(report); loc != nil {
		report = report[:loc[0]]
	}
	for _, a := range emailInText().FindAllString(report, -1) {
		add(a)
	}
	return b
}

// excluded reports whether addr is one the bounce names but is not a
// failed recipient: its sender, mail systems, the addressees of the
// bounce (that is us).
func (bi bounceInput) excluded(addr string) bool {
	if addr == bi.in.From.Email || isDaemonSender(tickets.Address{Email: addr}) {
		return true
	}
	for _, a := range bi.in.To {
		if a.Email == addr {
			return true
		}
	}
	return false
}

// originalID finds the Message-ID of the mail that bounced: the returned
// message's header (returned is then true: the report carries that mail's
// headers), else a Message-ID line in the decoded text, else one in the raw
// body (a returned copy in an encoding the text walk skipped) — those
// thread the report but prove nothing.
func (bi bounceInput) originalID() (id string, returned bool) {
	if bi.info.returnedMsgID != "" && bi.info.returnedMsgID != bi.in.MessageID {
		return bi.info.returnedMsgID, true
	}
	for _, s := range []string{bi.fullText, string(rawBody(bi.raw, maxBounceScan))} {
		for _, m := range embeddedMsgID().FindAllStringSubmatch(s, -1) {
			if m[1] != bi.in.MessageID {
				return m[1], false
			}
		}
	}
	return "", false
}

// rawBody returns at most n bytes of raw after its header block.
func rawBody(raw []byte, n int) []byte {
	i := bytes.Index(raw, []byte("\r\n\r\n"))
	if j := bytes.Index(raw, []byte("\n\n")); i < 0 || (j >= 0 && j < i) {
		i = j
	}
	if i < 0 {
		return nil
	}
	b := raw[i:]
	if len(b) > n {
		b = b[:n]
	}
	return b
}

// truncateText cuts s to at most n bytes at a rune boundary.
func truncateText(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && n < len(s) && s[n]&0xC0 == 0x80 {
		n--
	}
	return s[:n]
}
