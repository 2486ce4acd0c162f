package mailparse

import (
	"slices"
	"strings"

	gomail "github.com/emersion/go-message/mail"

	"github.com/ticketd/ticketd/tickets"
)

// autoReplyHeaders reports the header markers of automatic mail beyond
// RFC 3834 (see isAutoSubmitted): Exchange's X-Auto-Response-Suppress on
// an out-of-office notice (OOF or All), mailing lists (List-Id, RFC 2919)
// and a subject that names an automatic reply.
func autoReplyHeaders(h gomail.Header, subject string) bool {
	if v := strings.ToLower(h.Get("X-Auto-Response-Suppress")); v != "" {
		for _, f := range strings.FieldsFunc(v, func(r rune) bool { return r == ',' || r == ' ' || r == '\t' }) {
			if f == "oof" || f == "all" {
				return true
			}
		}
	}
	if h.Has("List-Id") || hasVendorAutoHeader(h) {
		return true
	}
	return isAutoReplySubject(subject)
}

// classify sets in.Kind (and in.Bounce): own mail first (it must never be
// ingested), then bounces, then automatic mail, else normal.
func classify(in *tickets.Inbound, h gomail.Header, raw []byte, info partsInfo, desks []string) {
	in.Kind = tickets.KindNormal
	if slices.ContainsFunc(desks, func(desk string) bool { return isOwn(in, desk) }) {
		in.Kind = tickets.KindOwn
		in.AutoSubmitted = true
		return
	}
	if b := detectBounce(bounceInput{in: in, info: info, xFailed: h.Get("X-Failed-Recipients"), raw: raw, fullText: in.FullText}); b != nil {
		in.Kind = tickets.KindBounce
		in.Bounce = b
		in.AutoSubmitted = true
		return
	}
	if in.AutoSubmitted || autoReplyHeaders(h, in.Subject) || isDaemonSender(in.From) || autoReplyText(visibleOrFull(in)) {
		in.Kind = tickets.KindAutoReply
		in.AutoSubmitted = true
	}
}

// isOwn reports mail ticketd sent: From the support address, or a
// Message-ID of the form ticketd generates under its domain.
func isOwn(in *tickets.Inbound, desk string) bool {
	desk = tickets.NormalizeEmail(desk)
	if desk == "" {
		return false
	}
	if in.From.Email == desk {
		return true
	}
	_, domain, _ := strings.Cut(desk, "@")
	return tickets.IsDeskMessageID(in.MessageID, domain)
}

// visibleOrFull is the new text of in, or all of it when none is new.
func visibleOrFull(in *tickets.Inbound) string {
	if strings.TrimSpace(in.Text) != "" {
		return in.Text
	}
	return in.FullText
}
