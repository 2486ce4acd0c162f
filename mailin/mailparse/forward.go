package mailparse

import (
	"bytes"
	"io"
	"net/mail"
	"strconv"
	"strings"
	"time"

	"github.com/emersion/go-message"
	gomail "github.com/emersion/go-message/mail"

	"github.com/ticketd/ticketd/internal/lazyre"
	"github.com/ticketd/ticketd/tickets"
)

// Forwarded mail: an agent sends the desk a customer's mail, either
// inline under a header block or attached as message/rfc822. forwarded
// finds the original's sender, date, subject and text; tickets decides
// whether that makes the sender the requester (only for an agent's mail).
//
// The inline layouts, as the clients write them in plain text (seen in
// crisp-oss/email-forward-parser's test/fixtures, e.g. gmail_es_body.txt,
// apple_mail_es_body.txt, thunderbird_es_body.txt, new_outlook_2019_es_body.txt,
// and Mozilla's composeMsgs.properties mailnews.forward_header_originalmessage):
//
//	Gmail        "---------- Forwarded message ---------" (es: "---------- Mensaje reenviado ---------"),
//	             then From/De, Date, Subject, To lines (Gmail es mixes "De:" with "Date:")
//	Thunderbird  "-------- Forwarded Message --------" / "-------- Mensaje reenviado --------",
//	             then "Subject: \t…", "Date: \t…", "From: \t…", "To: \t…" (its table as text)
//	Apple Mail   "Begin forwarded message:" / "Inicio del mensaje reenviado:", often "> "-quoted
//	Outlook      an optional "____" rule, then "From:"/"De:", "Sent:"/"Enviado el:", "To:"/"Para:",
//	             "Subject:"/"Asunto:" (no marker line: taken only when the subject says
//	             it is a forward, FW:/RV:/TR:/Fwd:/Reenviado:, since a reply quotes the same block)

// forwardMarker is a line that announces a forwarded mail.
var forwardMarker = lazyre.New(`(?i)^\s*(-{2,}\s*(forwarded message|original message|mensaje reenviado|mensaje original)\s*-{2,}|(begin forwarded message|inicio del mensaje reenviado)\s*:)\s*$`)

// mayBeForwardMarker is a cheap test that forwardMarker may match l: after
// white space, a dash, or a "b" or "i" in either case (the letters fold
// with no other rune), so that most lines of a text run no regexp.
func mayBeForwardMarker(l string) bool {
	t := strings.TrimLeft(l, regexpSpace)
	return t != "" && (t[0] == '-' || t[0]|0x20 == 'b' || t[0]|0x20 == 'i')
}

// forwardSubject is a forward's subject prefix, repeated or not.
var forwardSubject = lazyre.New(`(?i)^\s*((fwd?|rv|tr|reenviado|reenv)\s*:\s*)+`)

// headerKey is a line of a forwarded header block: "Key: value", the key
// possibly starred (bold turned into text).
var headerKey = lazyre.New(`^\s*\*?([A-Za-zé][A-Za-zé -]{0,20}?)\*?\s*:\*?(\s+(.*))?$`)

// forwardKeys maps the field names of the layouts (en, es: the languages
// forwardMarker knows) to their labels. The names are those of the quoted
// header block table in quotewords.go, so that a client's wording is
// added in one place.
var forwardKeys = func() map[string]headerLabel {
	keys := map[string]headerLabel{}
	for _, l := range quoteLanguages {
		if l.lang != "en" && l.lang != "es" {
			continue
		}
		for label, names := range map[headerLabel][]string{labelFrom: l.from, labelSent: l.sent,
			labelTo: l.to, labelCc: l.cc, labelSubject: l.subject, labelReplyTo: l.replyTo} {
			for _, n := range names {
				keys[n] = label
			}
		}
	}
	keys["enviados"] = labelSent // seen in Outlook es, not in the quote table
	return keys
}()

// stripForwardSubject removes forward prefixes ("Fwd: RV: …") from a subject.
func stripForwardSubject(s string) string {
	return strings.TrimSpace(forwardSubject().ReplaceAllString(s, ""))
}

// Bounds, so that hostile text costs linear time: the bytes read of an
// attached message, the header-block candidates tried in one text, and
// the lines of one header block.
const (
	maxForwardedRead    = 8 << 20
	maxForwardTries     = 8
	maxForwardHeaderLen = 16
	maxForwardedLines   = 1 << 16
)

// forwarded returns the mail that the message forwards, nil when none:
// an inline forward in full (the readable body, quotes included) first,
// else the first message/rfc822 part of raw.
func forwarded(raw []byte, full, subject string) *tickets.Forwarded {
	if f := forwardedInline(full, subject); f != nil {
		return f
	}
	return forwardedAttached(raw, full)
}

// forwardedInline finds an inline forward in text.
func forwardedInline(text, subject string) *tickets.Forwarded {
	lines := strings.Split(text, "\n")
	outlook := forwardSubject().MatchString(subject)
	tries := 0
	for i, l := range lines {
		if tries == maxForwardTries {
			return nil
		}
		quoted, depth := unquoteLine(l)
		var block []string
		headerOnly := false // Outlook: no marker, the block must look like one
		switch {
		case mayBeForwardMarker(quoted) && forwardMarker().MatchString(quoted):
			block = quotedBlock(lines[i+1:], depth)
		case outlook && isField(quoted, labelFrom):
			// HTML turned into text may quote the whole block.
			block, headerOnly = quotedBlock(lines[i:], depth), true
		default:
			continue
		}
		tries++
		if headerOnly && (len(block) < 2 || !hasDateField(block[1:])) {
			continue
		}
		f := readForwardBlock(block)
		if f == nil {
			continue
		}
		f.Note = noteAbove(lines[:i])
		if f.Subject == "" {
			f.Subject = stripForwardSubject(subject)
		}
		return f
	}
	return nil
}

// unquoteLine strips one level of ">" quoting, reporting whether it did.
func unquoteLine(l string) (string, int) {
	t := strings.TrimLeft(l, " ")
	if !strings.HasPrefix(t, ">") {
		return l, 0
	}
	return strings.TrimPrefix(t[1:], " "), 1
}

// quotedBlock returns lines as they are or, with depth 1, their run of
// ">"-quoted (and blank) lines, one level of quoting removed.
func quotedBlock(lines []string, depth int) []string {
	if depth == 0 {
		return lines
	}
	out := make([]string, 0, 64)
	for _, l := range lines {
		if len(out) == maxForwardedLines {
			break
		}
		u, d := unquoteLine(l)
		if d == 0 && strings.TrimSpace(l) != "" {
			break
		}
		out = append(out, u)
	}
	return out
}

// fieldOf names the forwarded-header field a line starts (labelNone for
// none) and returns its value.
func fieldOf(l string) (headerLabel, string) {
	m := headerKey().FindStringSubmatch(l)
	if m == nil {
		return labelNone, ""
	}
	return forwardKeys[strings.ToLower(strings.TrimSpace(m[1]))], strings.TrimSpace(m[3])
}

// isField reports whether l starts the field name.
func isField(l string, name headerLabel) bool {
	f, _ := fieldOf(l)
	return f == name
}

// hasDateField reports a date line among the next few: what tells an
// Outlook header block from a line that happens to start with "From:".
func hasDateField(lines []string) bool {
	for i := 0; i < len(lines) && i < 4; i++ {
		if isField(lines[i], labelSent) {
			return true
		}
	}
	return false
}

// readForwardBlock reads the header block at the top of lines (blank
// lines before it skipped) and takes what follows as the text. Nil unless
// the block names a sender with a usable address.
func readForwardBlock(lines []string) *tickets.Forwarded {
	for len(lines) > 0 && strings.TrimSpace(lines[0]) == "" {
		lines = lines[1:]
	}
	fields := map[headerLabel]string{}
	last, n := labelNone, 0
	for ; n < len(lines) && n < maxForwardHeaderLen; n++ {
		l := lines[n]
		if strings.TrimSpace(l) == "" {
			break
		}
		if name, value := fieldOf(l); name != labelNone {
			if _, seen := fields[name]; !seen {
				fields[name] = value
			}
			last = name
			continue
		}
		if last != labelNone && (l[0] == ' ' || l[0] == '\t') && !strings.Contains(l, ":") {
			fields[last] += " " + strings.TrimSpace(l) // a wrapped value
			continue
		}
		break // no blank line between block and text (new Outlook)
	}
	from := forwardedSender(fields[labelFrom])
	if from == nil {
		return nil
	}
	body := normalizeText(strings.Join(lines[n:], "\n"))
	text := VisibleText(body)
	if text == "" {
		text = body
	}
	return &tickets.Forwarded{From: *from, Date: forwardedDate(fields[labelSent]),
		Subject: stripForwardSubject(cleanHeaderText(fields[labelSubject])), Text: capText(text, false)}
}

// forwardedSender reads a From value of a layout: an address list entry,
// Outlook's old "Name [mailto:addr]", Gmail's "Name <addr>" in bold.
func forwardedSender(v string) *tickets.Address {
	v = strings.ReplaceAll(v, "*", "")
	if i := strings.Index(strings.ToLower(v), "[mailto:"); i >= 0 {
		if j := strings.IndexByte(v[i:], ']'); j > 0 {
			v = v[:i] + "<" + v[i+len("[mailto:"):i+j] + ">"
		}
	}
	list := parseAddressList(v)
	if len(list) == 0 {
		return nil
	}
	return &list[0]
}

// noteAbove is what the forwarder wrote above the forwarded mail, without
// the rule a client draws over it.
func noteAbove(lines []string) string {
	for len(lines) > 0 {
		l := strings.TrimSpace(lines[len(lines)-1])
		if l == "" || isRule(l) || l == ">" {
			lines = lines[:len(lines)-1]
			continue
		}
		break
	}
	return strings.TrimSpace(strings.Join(lines, "\n"))
}

// Dates in the layouts' own words: RFC 5322 (Thunderbird), "Mon, Nov 30,
// 2026 at 10:12 AM" (Gmail en), "lun, 30 nov 2026 a las 10:12" (Gmail es),
// "Monday, November 30, 2026 10:12 AM" (Outlook), "30 de noviembre de
// 2026, 10:12:00 GMT-5" (Apple). Without a zone the wall-clock time is
// read as UTC; the date is only shown, never computed with.
var (
	dayMonthYear = lazyre.New(`(?i)\b(\d{1,2})\.?\s+(?:de\s+)?([a-zé]{3,10})\.?,?\s+(?:de\s+)?(\d{4})\b`)
	monthDayYear = lazyre.New(`(?i)\b([a-z]{3,10})\.?\s+(\d{1,2}),?\s+(\d{4})\b`)
	clockTime    = lazyre.New(`(?i)\b(\d{1,2}):(\d{2})(?::(\d{2}))?\s*([ap])?\.?\s?m?\b`)
	monthNames   = map[string]time.Month{"jan": 1, "ene": 1, "feb": 2, "mar": 3, "apr": 4, "abr": 4, "may": 5, "jun": 6,
		"jul": 7, "aug": 8, "ago": 8, "sep": 9, "set": 9, "oct": 10, "nov": 11, "dec": 12, "dic": 12}
)

// forwardedDate reads v; zero when it cannot.
func forwardedDate(v string) time.Time {
	if v == "" {
		return time.Time{}
	}
	if d, err := mail.ParseDate(v); err == nil {
		return d
	}
	var day, year int
	var month time.Month
	if m := dayMonthYear().FindStringSubmatch(v); m != nil {
		day, _ = strconv.Atoi(m[1])
		month = monthOf(m[2])
		year, _ = strconv.Atoi(m[3])
	}
	if month == 0 {
		if m := monthDayYear().FindStringSubmatch(v); m != nil {
			month = monthOf(m[1])
			day, _ = strconv.Atoi(m[2])
			year, _ = strconv.Atoi(m[3])
		}
	}
	if month == 0 || day < 1 || day > 31 {
		return time.Time{}
	}
	hour, minute, sec := 0, 0, 0
	if m := clockTime().FindStringSubmatch(v); m != nil {
		hour, _ = strconv.Atoi(m[1])
		minute, _ = strconv.Atoi(m[2])
		sec, _ = strconv.Atoi(m[3])
		switch strings.ToLower(m[4]) {
		case "p":
			if hour < 12 {
				hour += 12
			}
		case "a":
			if hour == 12 {
				hour = 0
			}
		}
	}
	return time.Date(year, month, day, hour, minute, sec, 0, time.UTC)
}

func monthOf(word string) time.Month {
	w := []rune(strings.ToLower(word))
	if len(w) < 3 {
		return 0
	}
	return monthNames[string(w[:3])]
}

// forwardedAttached reads the first message/rfc822 part of raw; note is
// the forwarder's text around it.
func forwardedAttached(raw []byte, note string) *tickets.Forwarded {
	if !mentionsRFC822(raw) {
		return nil // cheap: most mail attaches no message
	}
	e, _ := readEntity(raw)
	if e == nil {
		return nil
	}
	var inner []byte
	walkEntities(e, func(p *message.Entity, multipart bool) {
		if multipart || inner != nil {
			return
		}
		if typ, _ := mediaType(p.Header); typ == "message/rfc822" {
			inner, _ = io.ReadAll(io.LimitReader(p.Body, maxForwardedRead))
		}
	})
	if len(inner) == 0 {
		return nil
	}
	ie, _ := readEntity(inner)
	if ie == nil {
		return nil
	}
	h := gomail.Header{Header: ie.Header}
	from := parseAddressList(h.Get("From"))
	if len(from) == 0 {
		return nil
	}
	f := &tickets.Forwarded{From: from[0], Note: VisibleText(note)}
	if f.Note == "" {
		f.Note = note
	}
	subject, _ := h.Subject()
	f.Subject = stripForwardSubject(cleanHeaderText(subject))
	if d, err := headerDate(h); err == nil {
		f.Date = d
	}
	full, cut := bodyText(ie)
	text := VisibleText(full)
	if text == "" {
		text = full
	}
	f.Text = capText(text, cut && len(text) == len(full))
	return f
}

// mentionsRFC822 reports whether raw names the type message/rfc822 (any
// case) anywhere: a byte search for "822", fast on a 50 MB attachment
// where a case-insensitive regexp is not, then a look at what precedes it.
func mentionsRFC822(raw []byte) bool {
	const prefix = "message/rfc"
	for i := 0; ; {
		j := bytes.Index(raw[i:], []byte("822"))
		if j < 0 {
			return false
		}
		at := i + j
		if at >= len(prefix) && strings.EqualFold(string(raw[at-len(prefix):at]), prefix) {
			return true
		}
		i = at + 3
	}
}
