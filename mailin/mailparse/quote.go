package mailparse

import (
	"regexp"
	"strings"

	"github.com/ticketd/ticketd/templates"
)

// replyMarkers are the "reply above this line" lines ticketd puts at the top
// of its mails, in every language of the templates (templates.ReplyLine),
// matched loosely: clients re-wrap and re-quote them.
var replyMarkers = replyMarkerPattern()

func replyMarkerPattern() *regexp.Regexp {
	// The Spanish line is also written without its accent by some people.
	alts := []string{`responda por encima de esta l[ií]nea`}
	for _, lang := range templates.Languages() {
		words := strings.Fields(strings.Trim(templates.ReplyLine(lang), "# "))
		for i, w := range words {
			words[i] = regexp.QuoteMeta(w)
		}
		alts = append(alts, strings.Join(words, `\s+`))
	}
	return regexp.MustCompile(`(?i)^[>\s]*##\s*(` + strings.Join(alts, "|") + `)\s*##`)
}

// attributionLines start the quoted history in common clients, in Spanish
// and English: Gmail/Apple "On … wrote:" / "El … escribió:", Outlook's
// separators and header blocks.
var attributionLines = []*regexp.Regexp{
	regexp.MustCompile(`(?i)^\s*(on|el)\s.*(wrote|escribi[oó])\s*:\s*$`),
	regexp.MustCompile(`(?i)^\s*-{2,}\s*(original message|mensaje original)\s*-{2,}\s*$`),
	regexp.MustCompile(`^_{10,}\s*$`), // Outlook's line above its header block
}

// outlookHeader matches the first line of Outlook's quoted header block
// ("De: …" followed by "Enviado:"/"Fecha:", or "From: …" then "Sent:"/"Date:").
var (
	outlookFrom = regexp.MustCompile(`(?i)^\s*\*?(from|de)\s*:\*?\s+\S`)
	outlookNext = regexp.MustCompile(`(?i)^\s*\*?(sent|date|enviado|fecha|to|para)\s*:`)
)

// mobileSignatures are lines phones append on their own.
var mobileSignatures = regexp.MustCompile(`(?i)^\s*(sent from my|enviado desde mi)\s`)

// VisibleText returns the new text of a reply: text without the quoted
// history, ticketd's reply line and what follows it, a trailing "-- "
// signature or a phone's "Sent from my …" line. When nothing is left (a
// reply that only quotes) it returns "": callers decide what to show then,
// e.g. the full text.
func VisibleText(text string) string {
	lines := strings.Split(text, "\n")
	cut := len(lines)
	for i, l := range lines {
		if replyMarkers.MatchString(l) || isAttribution(l) ||
			(outlookFrom.MatchString(l) && i+1 < len(lines) && outlookNext.MatchString(lines[i+1])) {
			cut = i
			break
		}
		if l == "-- " || l == "--" {
			cut = i
			break
		}
	}
	top := trimTrailingQuote(lines[:cut])
	if top != "" || cut == len(lines) {
		return top
	}
	// Nothing above the history: a bottom-posted answer ("El … escribió:",
	// the ">" quote, then the new text) is what follows the last quoted
	// line.
	last := -1
	for i, l := range lines {
		if strings.HasPrefix(strings.TrimSpace(l), ">") {
			last = i
		}
	}
	if last < cut {
		return ""
	}
	return VisibleText(strings.Join(lines[last+1:], "\n"))
}

// trimTrailingQuote drops a block of ">" quoting, blank lines and a
// phone's signature at the end of lines.
func trimTrailingQuote(lines []string) string {
	for len(lines) > 0 {
		l := strings.TrimSpace(lines[len(lines)-1])
		if l == "" || strings.HasPrefix(l, ">") || mobileSignatures.MatchString(l) || isRule(l) {
			lines = lines[:len(lines)-1]
			continue
		}
		break
	}
	return strings.TrimSpace(strings.Join(lines, "\n"))
}

func isAttribution(line string) bool {
	for _, re := range attributionLines {
		if re.MatchString(line) {
			return true
		}
	}
	return false
}

// isRule reports a line of dashes or underscores only: the horizontal
// rule clients put above the quoted header block (an HTML <hr> rendered).
func isRule(l string) bool {
	return len(l) >= 3 && strings.Trim(l, "-_—") == ""
}
