package tickets

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/ticketd/ticketd/internal/lazyre"
)

// An agent's answer often ends with a sign-off typed (or inserted by the
// client) without the "-- " separator: a valediction, then their name,
// title, phone, intranet URL. None of it may reach the requester — the
// desk answers, not the person. cutSignOff removes it, conservatively:
// only when a line that is nothing but a recognised valediction is
// followed, to the end of the text, by a few short lines that each look
// like a signature (a name or title, a phone, a URL, an address) and not
// like a sentence. Real content is never cut: "Saludos" inside a line, a
// valediction as the first line, or any sentence after it leaves the text
// whole.

// valediction is a whole line closing a mail, in es and en.
var valediction = lazyre.New(`(?i)^(?:^(un\s+)?(cordial(es)?\s+)?(saludos?|abrazos?)(\s+(cordiales|afectuosos|cordial))?|atentamente|atte\.?|cordialmente|(muchas\s+)?gracias|mil\s+gracias|quedo\s+(atent[oa]|a\s+(su|tu|la|sus)\s+(entera\s+)?(disposici[oó]n|[oó]rdenes|espera))|(best|kind|warm|warmest|many)?\s*regards|best(\s+wishes)?|cheers|thanks(\s+(again|a\s+lot))?|thank\s+you|many\s+thanks|(yours\s+)?(sincerely|truly)|all\s+the\s+best|take\s+care|rgds|slds|br)$`)

// valedictionLine reports whether line is only a valediction (with its
// comma, dot or exclamation mark).
func valedictionLine(line string) bool {
	l := strings.TrimRight(strings.TrimSpace(line), ",.!¡ ")
	l = strings.TrimLeft(l, "¡")
	return !tooLongForValediction(l) && valediction().MatchString(l)
}

// maxValedictionRunes bounds the runes other than white space (\s) of
// the longest line valediction matches ("un cordiales saludos
// afectuosos": 28): a longer line, most lines of a mail, is refused
// without running the regexp.
const maxValedictionRunes = 40

func tooLongForValediction(l string) bool {
	if len(l) <= maxValedictionRunes {
		return false
	}
	n := 0
	for _, r := range l {
		if !regexpSpace(r) {
			if n++; n > maxValedictionRunes {
				return true
			}
		}
	}
	return false
}

// regexpSpace is what \s matches in package regexp (ASCII only).
func regexpSpace(r rune) bool {
	return r == ' ' || r == '\t' || r == '\n' || r == '\f' || r == '\r'
}

// valedictionAndName splits a closing line that also holds a name
// ("Saludos, Ana Gómez", "Regards, Luis") into the valediction it keeps
// ("Saludos,") — when what follows the comma is a name: one to four
// capitalised words and nothing else.
func valedictionAndName(line string) (string, bool) {
	v, name, ok := strings.Cut(line, ",")
	if !ok || !valedictionLine(v) {
		return "", false
	}
	name = strings.TrimRight(strings.TrimSpace(name), ".!")
	words := strings.Fields(name)
	if len(words) == 0 || len(words) > 4 {
		return "", false
	}
	for _, w := range words {
		first, _ := utf8.DecodeRuneInString(w)
		if !unicode.IsUpper(first) || sentenceWords[strings.ToLower(w)] || strings.IndexFunc(w, func(r rune) bool {
			return !unicode.IsLetter(r) && r != '.' && r != '-' && r != '\''
		}) >= 0 {
			return "", false
		}
	}
	return v + ",", true
}

// maxSignOffLines is how many non-empty lines a sign-off has at most
// after its valediction.
const maxSignOffLines = 6

var (
	signOffURL   = lazyre.New(`(?i)(https?://|www\.)\S+|\b[a-z0-9-]+(\.[a-z0-9-]+)*\.(com|org|net|edu|gov|co|es|mx|ar|cl|pe|local|corp|lan|intranet|internal)(/\S*)?\b`)
	signOffPhone = lazyre.New(`(?i)^\s*(tel|tel[eé]fono|t[eé]l|phone|ph|mobile|mob|m[oó]vil|cel|celular|cell|ext|extensi[oó]n|fax|whatsapp|pbx|conmutador|oficina|office|direct|directo)\b\.?\s*:?|(\+?\d[\d\s().-]{5,}\d)`)
)

// maybePhone is false for a line signOffPhone cannot match, cheaply: no
// digit (its number needs two) and no first letter of its words (which
// come first on the line, after \s).
func maybePhone(l string) bool {
	if strings.ContainsAny(l, "0123456789") {
		return true
	}
	l = strings.TrimLeft(l, " \t\n\f\r")
	return l != "" && strings.IndexByte("tpmcefwodTPMCEFWOD", l[0]) >= 0
}

// maybeURL is false for a line signOffURL cannot match: both its forms
// need "://" or a dot.
func maybeURL(l string) bool {
	return strings.Contains(l, "://") || strings.IndexByte(l, '.') >= 0
}

// hasEmail is what `\S+@\S+` matches: an @ with something other than
// \s on both sides.
func hasEmail(l string) bool {
	for i := 1; i < len(l)-1; i++ {
		if l[i] == '@' && !regexpSpace(rune(l[i-1])) && !regexpSpace(rune(l[i+1])) {
			return true
		}
	}
	return false
}

// sentenceWords are words of a sentence (an instruction, a question)
// that a name, title or address line does not hold.
var sentenceWords = map[string]bool{
	"que": true, "favor": true, "please": true, "si": true, "if": true, "you": true, "your": true,
	"usted": true, "ustedes": true, "puede": true, "pueden": true, "podría": true, "can": true,
	"could": true, "would": true, "will": true, "should": true, "let": true, "me": true, "nos": true,
	"le": true, "les": true, "lo": true, "is": true, "are": true, "es": true, "está": true, "esta": true,
	"están": true, "was": true, "fue": true, "no": true, "not": true, "ya": true, "again": true,
	"vez": true, "when": true, "cuando": true, "it": true, "this": true, "that": true, "try": true,
	"intente": true, "pruebe": true, "haga": true, "do": true, "does": true, "did": true, "have": true,
	"has": true, "tiene": true, "hay": true, "there": true, "we": true, "i": true, "yo": true,
}

// signatureLine reports whether line looks like a line of a signature:
// a phone, a URL, an address, or a short name or title that is not a
// sentence.
func signatureLine(line string) bool {
	l := strings.TrimSpace(line)
	if utf8.RuneCountInString(l) > 72 || strings.HasSuffix(l, "?") || strings.HasSuffix(l, ":") {
		return false
	}
	if maybePhone(l) && signOffPhone().MatchString(l) || maybeURL(l) && signOffURL().MatchString(l) || hasEmail(l) {
		return true
	}
	words := strings.FieldsFunc(l, func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r)
	})
	if len(words) == 0 {
		return true // "|", "---": decoration
	}
	if len(words) > 7 {
		return false
	}
	for _, w := range words {
		// An acronym ("IT", "NO" of a department) is not the word.
		if sentenceWords[strings.ToLower(w)] && (len(w) < 2 || strings.ToUpper(w) != w) {
			return false
		}
	}
	// A sentence ends with its stop; "Ana G." or "Av. 7 # 32-16" do not
	// end a sentence.
	if strings.HasSuffix(l, ".") || strings.HasSuffix(l, "!") {
		last := words[len(words)-1]
		if len(words) >= 3 && utf8.RuneCountInString(last) > 2 {
			return false
		}
	}
	first, _ := utf8.DecodeRuneInString(l)
	return !unicode.IsLower(first)
}

// cutSignOff returns text without its trailing sign-off block (see the
// comment at the top of this file), keeping the valediction itself.
//
// It walks the lines back from the end, in place: no line slice, no copy
// unless it cuts (the language detection runs it on every requester's
// mail).
func cutSignOff(text string) string {
	body := strings.TrimRight(text, " \t\r\n")
	// The first line with content is never part of a sign-off.
	firstContent := strings.IndexFunc(body, func(r rune) bool { return !unicode.IsSpace(r) })
	firstStart := strings.LastIndexByte(body[:max(firstContent, 0)], '\n') + 1
	if firstContent < 0 {
		return text
	}
	nonEmpty := 0
	for end := len(body); nonEmpty <= maxSignOffLines; {
		start := strings.LastIndexByte(body[:end], '\n') + 1
		if start <= firstStart {
			break
		}
		l := body[start:end]
		end = start - 1
		if strings.TrimSpace(l) == "" {
			continue
		}
		if valedictionLine(l) && nonEmpty > 0 {
			return body[:start+len(l)]
		}
		if v, ok := valedictionAndName(l); ok {
			return body[:start] + v
		}
		if !signatureLine(l) {
			return text
		}
		nonEmpty++
	}
	return text
}
