package mailparse

import (
	"math/bits"
	"regexp"
	"strings"
	"unicode/utf8"

	"github.com/ticketd/ticketd/internal/fold"
	"github.com/ticketd/ticketd/internal/lazyre"
	"github.com/ticketd/ticketd/templates"
)

// replyMarkers are the "reply above this line" lines ticketd puts at the top
// of its mails, in every language of the templates (templates.ReplyLine),
// matched loosely: clients re-wrap and re-quote them.
var replyMarkers = lazyre.Build(replyMarkerPattern)

func replyMarkerPattern() string {
	// The Spanish line is also written without its accent by some people.
	alts := []string{`responda por encima de esta l[ií]nea`}
	for _, lang := range templates.Languages() {
		words := strings.Fields(strings.Trim(templates.ReplyLine(lang), "# "))
		if len(words) == 0 {
			continue
		}
		for i, w := range words {
			words[i] = regexp.QuoteMeta(w)
		}
		alts = append(alts, strings.Join(words, `\s+`))
	}
	return `(?i)^[>\s]*##\s*(` + strings.Join(alts, "|") + `)\s*##`
}

// refLine is the "ref:" line ticketd ends its mails with.
var refLine = lazyre.New(`^\s*ref:\s*ticketd\.`)

// VisibleText returns the new text of a reply: text without the quoted
// history, ticketd's reply line and what follows it, a trailing "-- "
// signature or a phone's "Sent from my …" footer.
//
// The history starts at an attribution line ("On … wrote:" in any of the
// languages of quotewords.go, over up to three lines), an "Original
// Message" separator, a quoted header block (Outlook's "From:/Sent:"),
// or ticketd's reply line. Text written below or between quoted lines
// counts too: a bottom-posted answer (mailx, s-nail, mutt) is the text
// below the quote, and an interleaved one keeps its new lines in order,
// each after the few quoted lines it answers. When nothing is new it
// returns "": callers decide what to show then, e.g. the full text.
func VisibleText(text string) string {
	// No-break spaces (QQ Mail's separator, French typography) match
	// as spaces.
	lines := strings.Split(strings.ReplaceAll(text, "\u00a0", " "), "\n")
	h, attr, soft, tabs := findHistory(lines)
	body := lines[:h]
	if soft {
		// Below an attribution or inside a quote, the quote may be
		// answered in place or below.
		rest := lines[h+attr:]
		body = append(body[:len(body):len(body)], rest[:newTextEnd(rest, tabs)]...)
	}
	return answerText(body, tabs)
}

// findHistory returns the index of the first line of the quoted history
// (len(lines) when there is none). soft reports a history that may be
// answered below or in between: one that starts with an attribution
// (attr is then the number of lines it takes) or inside a quote; tabs
// reports a quote indented with tabs (mailx) rather than "> ".
func findHistory(lines []string) (h, attr int, soft, tabs bool) {
	for i, l := range lines {
		if isHardHistory(lines, i) {
			tabs = strings.HasPrefix(l, "\t")
			if i == 0 && !tabs && isReplyMarker(l) && strings.HasPrefix(firstNonBlank(lines[1:]), "\t") {
				// mailx's ~m quote, its first tab lost with the text's
				// leading space: the quote goes on below.
				return 0, 1, true, true
			}
			return i, 0, tabs || isQuoted(l, false), tabs
		}
		if n := attributionAt(lines, i); n > 0 {
			next := firstNonBlank(lines[i+n:])
			return i, n, true, strings.HasPrefix(next, "\t")
		}
	}
	return len(lines), 0, false, false
}

// newTextEnd returns where the text below an attribution stops being a
// reply: at the writer's own signature or a new, unquoted history block.
func newTextEnd(lines []string, tabs bool) int {
	for i, l := range lines {
		if isQuoted(l, tabs) {
			continue
		}
		if isHardHistory(lines, i) || attributionAt(lines, i) > 0 {
			return i
		}
	}
	return len(lines)
}

// isHardHistory reports a line that starts history nobody answers in
// place: ticketd's reply line, an "Original Message" separator, the
// writer's signature separator, a quoted header block. Cheap tests come
// first: most lines of a long mail are none of these.
func isHardHistory(lines []string, i int) bool {
	l := lines[i]
	if isSignatureSeparator(l) || isReplyMarker(l) {
		return true
	}
	if (strings.Contains(l, "--") || strings.Contains(l, "__") || strings.Contains(l, "==") || strings.Contains(l, "**")) &&
		originalSeparator().MatchString(l) {
		return true
	}
	// (strings.ContainsAny with a non-ASCII set decodes every rune.)
	return (strings.IndexByte(l, ':') >= 0 || strings.Contains(l, "：")) && isHeaderBlock(lines, i)
}

func isReplyMarker(l string) bool { return strings.Contains(l, "##") && replyMarkers().MatchString(l) }

// maxContext is how many quoted lines are kept above an interleaved
// answer: enough to say what it answers.
const maxContext = 3

// answerText is the new text of lines, where quoted lines and new ones
// may alternate. Trailing quotes and footers go. With one block of new
// text, the quotes around it go too (a top- or bottom-posted answer);
// with several (an interleaved answer), each keeps the end of the quote
// above it, at most maxContext lines, as context.
func answerText(lines []string, tabs bool) string {
	lines = trimTrailing(lines, tabs)
	type block struct {
		quoted bool
		lines  []string
	}
	var blocks []block
	newBlocks := 0
	for _, l := range lines {
		q := isQuoted(l, tabs)
		if strings.TrimSpace(l) == "" {
			if len(blocks) == 0 {
				continue
			}
			// A blank line belongs to the block it is in.
			q = blocks[len(blocks)-1].quoted
		}
		if len(blocks) == 0 || blocks[len(blocks)-1].quoted != q {
			blocks = append(blocks, block{quoted: q})
			if !q {
				newBlocks++
			}
		}
		blocks[len(blocks)-1].lines = append(blocks[len(blocks)-1].lines, l)
	}
	var out []string
	context := false // the last thing written is quoted context
	for _, b := range blocks {
		if b.quoted {
			if newBlocks < 2 {
				continue
			}
			if ctx := quoteContext(b.lines, tabs); ctx != "" {
				if len(out) > 0 {
					out = append(out, "")
				}
				out = append(out, ctx)
				context = true
			}
			continue
		}
		t := strings.TrimSpace(strings.Join(b.lines, "\n"))
		if len(out) > 0 && !context {
			out = append(out, "")
		}
		out = append(out, t)
		context = false
	}
	return strings.TrimSpace(strings.Join(out, "\n"))
}

// quoteContext is the quoted paragraph an interleaved answer follows:
// the last lines of a quoted block after its last blank line, at most
// maxContext, quoted once with "> " whatever the quoting and its depth
// were. ticketd's reply line, footer and ref: line never count, nor
// the paragraphs above (the notice's other details).
func quoteContext(lines []string, tabs bool) string {
	var para []string
	gap := false // a blank line since the last line kept
	for _, l := range lines {
		c := unquote(l, tabs)
		for isQuoted(c, false) {
			c = unquote(c, false)
		}
		c = strings.TrimSpace(c)
		switch {
		case isReplyMarker(c) || refLine().MatchString(c):
			continue
		case isSignatureSeparator(c):
			// What follows a quoted signature separator is a
			// signature (ours: the desk's name and the ticket).
			return lastLines(para)
		case c == "":
			gap = true
		default:
			if gap {
				para, gap = para[:0], false
			}
			para = append(para, "> "+c)
		}
	}
	return lastLines(para)
}

func lastLines(kept []string) string {
	if len(kept) > maxContext {
		kept = kept[len(kept)-maxContext:]
	}
	return strings.Join(kept, "\n")
}

// trimTrailing drops quoted lines, blank lines, rules and a phone's
// footer at the end of lines.
func trimTrailing(lines []string, tabs bool) []string {
	for len(lines) > 0 {
		raw := lines[len(lines)-1]
		l := strings.TrimSpace(raw)
		if l == "" || isQuoted(raw, tabs) || isMobileFooter(l) || isRule(l) {
			lines = lines[:len(lines)-1]
			continue
		}
		break
	}
	return lines
}

// isQuoted reports a quoted line: "> " (any depth), or a tab when the
// quote is tab-indented.
func isQuoted(l string, tabs bool) bool {
	if tabs && strings.HasPrefix(l, "\t") {
		return true
	}
	return strings.HasPrefix(strings.TrimLeft(l, " "), ">")
}

// unquote removes one level of quoting.
func unquote(l string, tabs bool) string {
	if tabs && strings.HasPrefix(l, "\t") {
		return l[1:]
	}
	l = strings.TrimLeft(l, " ")
	l = strings.TrimPrefix(l, ">")
	return strings.TrimPrefix(l, " ")
}

func isSignatureSeparator(l string) bool { return l == "-- " || l == "--" }

// isMobileFooter reports a phone's or mail app's footer ("Sent from my
// iPhone", "Enviado desde mi Samsung Galaxy"): short, not a sentence.
// "Sent from my laptop, the report fails with error 5." is a sentence.
func isMobileFooter(l string) bool {
	if utf8.RuneCountInString(l) > 60 || len(strings.Fields(l)) > 8 || strings.ContainsAny(strings.TrimRight(l, ".!"), ".,;:!?") {
		return false
	}
	if !mobileFooterFilter().pass(fold.String(l)) || !mobileFooter().MatchString(l) {
		return false
	}
	// "Sent from my <device>": the device ends the line ("Sent from my
	// phone they work." is a sentence); "Von meinem iPhone gesendet":
	// the verb does.
	words := strings.Fields(strings.TrimRight(l, ".! "))
	return deviceWord().MatchString(words[len(words)-1]) || (mobileFooterEnd().MatchString(l) && deviceWord().MatchString(l))
}

// deviceWord names a phone, tablet or mail app, as footers end with.
var deviceWord = lazyre.New(`(?i)(iphone|ipad|ipod|android|samsung|galaxy|smartphone|mobile|m[oó]vil|celular|handy|telefon|phone|blackberry|huawei|xiaomi|pixel|nokia|tablet|outlook|mail|yahoo|aol|windows|watch|手机|手機)`)

// maxAttribution bounds an attribution's length in runes: longer is a
// paragraph.
const maxAttribution = 400

// What ends an attribution: its verb and a colon ("… wrote:", "… a
// écrit :", "…写道："), an address and a colon (Gmail in ru/ja, Yandex:
// "…, Name <addr>:"), or a dash frame (Zoho: "---- On … wrote ----").
var (
	addressColon = lazyre.New(`(?i)(<[^<>\s]+@[^<>\s]+>|\S+@\S+\.[a-z]{2,})\)?\s*[:：]\s*$`)
	dashFramed   = lazyre.New(`^[\s>]*-{2,}.*-{2,}\s*$`)
)

// endsAttribution reports what the regexp `([:：]|[:：]?\s*-{2,})\s*$`
// matches, without trying every start position: after trailing white
// space (\s: tab, newline, form feed, carriage return, space), a colon
// or two dashes.
func endsAttribution(s string) bool {
	t := strings.TrimRight(s, regexpSpace)
	return strings.HasSuffix(t, ":") || strings.HasSuffix(t, "：") || strings.HasSuffix(t, "--")
}

// hasDigit reports an ASCII digit (the regexp \d).
func hasDigit(s string) bool { return strings.ContainsAny(s, "0123456789") }

// attributionAt returns how many lines (1 to 3) the attribution
// starting at line i takes, or 0 when none starts there. A long
// attribution is wrapped by clients over two or three lines.
func attributionAt(lines []string, i int) int {
	if strings.TrimSpace(lines[i]) == "" || isQuoted(lines[i], false) || !endsLikeAttribution(lines[i:min(i+3, len(lines))]) {
		return 0
	}
	joined := ""
	for n := 1; n <= 3 && i+n <= len(lines); n++ {
		l := strings.TrimSpace(lines[i+n-1])
		if l == "" || (n > 1 && isQuoted(lines[i+n-1], false)) {
			return 0
		}
		next := firstNonBlank(lines[i+n:])
		if n > 1 {
			// The line must open an attribution that this one ends,
			// and this one must not be a whole attribution on its own
			// (the one to cut at, not the sentence above it).
			if !attributionStart(joined) || (opensAttribution(l) && isAttribution(l, next)) {
				return 0
			}
		}
		if strings.HasSuffix(joined, "<") {
			joined += l
		} else {
			joined = strings.TrimSpace(joined + " " + l)
		}
		if utf8.RuneCountInString(joined) > maxAttribution {
			return 0
		}
		if isAttribution(joined, next) && !runsOn(joined, lines[i+n:]) {
			return n
		}
	}
	return 0
}

// endsLikeAttribution is a cheap test that one of lines ends as an
// attribution can: a colon or a dash.
func endsLikeAttribution(lines []string) bool {
	for _, l := range lines {
		l = strings.TrimRight(l, " \t")
		if strings.HasSuffix(l, ":") || strings.HasSuffix(l, "：") || strings.HasSuffix(l, "-") {
			return true
		}
	}
	return false
}

// attributionStart reports a line that may begin a wrapped attribution:
// it starts with "On"/"El"/… or with a date, or names an address.
func attributionStart(s string) bool {
	if strings.HasSuffix(s, ".") || strings.HasSuffix(s, "!") || strings.HasSuffix(s, "?") {
		return false
	}
	return onWord().MatchString(s+" ") || hasDigit(s) || strings.Contains(s, "@") || strings.HasPrefix(s, "\"")
}

// opensAttribution reports a line that begins an attribution by itself:
// "On …", a date, a quoted name, or "Name <addr>".
func opensAttribution(s string) bool {
	first, _, _ := strings.Cut(s, " ")
	lt, at := strings.Index(s, "<"), strings.Index(s, "@")
	return onWord().MatchString(s+" ") || hasDigit(first) || strings.HasPrefix(s, "\"") || (lt > 0 && at > lt)
}

// runsOn reports an attribution-like line that a sentence continues
// right below (no blank line, no quote) and that names no address: "On
// Tuesday it failed again, as Luis wrote:\nthe tray is jammed."
func runsOn(s string, below []string) bool {
	if strings.Contains(s, "@") || len(below) == 0 {
		return false
	}
	next := below[0]
	return strings.TrimSpace(next) != "" && !isQuoted(next, false) && !strings.HasPrefix(next, "\t")
}

// isAttribution reports whether s (one line, or a wrapped one joined) is
// an attribution by its shape. next is the first non-blank line after
// it: a quote there confirms a looser shape.
func isAttribution(s, next string) bool {
	quoteBelow := isQuoted(next, false) || strings.HasPrefix(next, "\t")
	named := strings.Contains(s, "@") || hasDigit(s) || onWord().MatchString(s)
	if dashFramed().MatchString(s) {
		return hasWroteVerb(s) && (named || quoteBelow)
	}
	if !endsAttribution(s) {
		return false
	}
	if hasWroteVerb(s) {
		return named || quoteBelow
	}
	// "пн, 2 мар. 2026 г. в 09:00, Name <addr>:" (a date, an address,
	// a colon) and Japanese Gmail's "2026年3月2日(月) 9:00 Name <addr>:".
	// (Every match names an address: a greeting such as "Buenos días:"
	// runs no regexp.)
	before, _, ok := strings.Cut(s, "@")
	return ok && addressColon().MatchString(s) && (hasDigit(before) || quoteBelow)
}

// isHeaderBlock reports whether a quoted header block (Outlook's
// "From: / Sent: / To: / Subject:", in any language and field order)
// starts at line i: at least three of its fields on consecutive lines
// (blank lines between them allowed), one of them the sender, or the
// sender and the date.
func isHeaderBlock(lines []string, i int) bool {
	first := labelOf(lines[i])
	if first == labelNone {
		return false
	}
	seen := uint(1) << first // a bit per label
	for j, n := i+1, 0; j < len(lines) && n < 5; j++ {
		if strings.TrimSpace(lines[j]) == "" {
			continue
		}
		n++
		l := labelOf(lines[j])
		if l == labelNone {
			break
		}
		seen |= 1 << l
	}
	has := func(l headerLabel) bool { return seen&(1<<l) != 0 }
	if !has(labelFrom) {
		return false
	}
	return bits.OnesCount(seen) >= 3 || has(labelSent) || (has(labelTo) && first == labelFrom)
}

func firstNonBlank(lines []string) string {
	for _, l := range lines {
		if strings.TrimSpace(l) != "" {
			return l
		}
	}
	return ""
}

// isRule reports a line of dashes or underscores only: the horizontal
// rule clients put above the quoted header block (an HTML <hr> rendered).
func isRule(l string) bool {
	return len(l) >= 3 && strings.Trim(l, "-_—") == ""
}
