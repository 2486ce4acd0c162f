package mailparse

import (
	"unicode/utf8"

	"github.com/ticketd/ticketd/internal/lazyre"
	"github.com/ticketd/ticketd/internal/textfields"
)

// Out-of-office and other auto-responders that ignore RFC 3834 send
// mail no header marks as automatic. Their text gives them away, but so
// little of it that a real request could say the same words ("I was out
// of office yesterday and my printer…"), and mail taken for automatic
// never opens a ticket. So the text counts only at its very top and only
// when it says one of two things:
//
//   - that it is an automatic reply ("This is an automatic reply",
//     "Respuesta automática", …), or
//   - that the writer is away now or will be (first person, present or
//     future: "I am out of the office", "Estoy de vacaciones", …) AND
//     what only a responder adds: a promise to answer on return, whom to
//     contact meanwhile, or limited access to mail.
//
// A requester who is away and writes about a problem ("I'm out of the
// office until Monday and the VPN fails") states no such promise.

// autoReplyWindow is how much of the top of the text is looked at, in
// bytes: a responder's message is short and says what it is first.
const autoReplyWindow = 600

// autoReplyStatement says in so many words that the mail is an automatic
// reply, in es, en, pt, fr, de and it — as a statement: "my automatic
// reply does not work" is a request.
var autoReplyStatement = lazyre.New(`(?i)\b(this is an? (automatic|automated|auto)[ -]?(reply|response)|this (message|mail|e-?mail) is an (automatic|automated) (reply|response)|(esta|[eé]sta) es una respuesta autom[aá]tica|(este|[eé]ste) es un (mensaje|correo) de respuesta autom[aá]tica|esta [eé] uma resposta autom[aá]tica|ceci est une r[ée]ponse automatique|dies ist eine automatische (antwort|abwesenheitsnotiz)|questa [eè] una risposta automatica)\b`)

// awayStatement is the writer saying they are (or will be) away: first
// person, present or future tense only.
var awayStatement = lazyre.New(`(?i)\b(i(\s+am|'m|’m|\s+will\s+be|'ll\s+be|’ll\s+be)(\s+(currently|now|presently|also))?\s+(out\s+of\s+(the\s+)?office|away\s+from\s+(the\s+|my\s+)?(office|desk|e-?mail)|on\s+(annual\s+|parental\s+|maternity\s+|paternity\s+|sick\s+|medical\s+|business\s+)?(vacation|holidays?|leave|travel|a\s+business\s+trip)|out\s+until|away\s+until|not\s+in\s+the\s+office)|(estoy|estar[eé]|me\s+encuentro|me\s+encontrar[eé]|permanecer[eé])(\s+(actualmente|ahora|temporalmente))?\s+(fuera\s+de\s+(la\s+)?oficina|ausente|de\s+vacaciones|de\s+licencia|de\s+permiso|fuera\s+hasta|sin\s+acceso)|(je\s+suis|je\s+serai)\s+(actuellement\s+)?(absente?|en\s+(cong[ée]s?|vacances|d[ée]placement))|ich\s+bin(\s+\S+){0,4}?\s+(nicht\s+im\s+b[üu]ro|abwesend|im\s+urlaub)|(sono|sar[oò])\s+(attualmente\s+)?(fuori\s+(ufficio|sede)|in\s+ferie|assente)|(estou|estarei)\s+(atualmente\s+)?(fora\s+do\s+escrit[óo]rio|ausente|de\s+f[ée]rias))\b`)

// responderCue is what a responder adds to "I am away": when it will
// answer, whom to contact meanwhile, how little it reads its mail.
var responderCue = lazyre.New(`(?i)(\b(i\s+will|i'll|i’ll)\s+(respond|reply|answer|get\s+back|return\s+your|read|deal\s+with|attend)|\b(upon|on|after)\s+my\s+return|\bwhen\s+i\s+(return|get\s+back|am\s+back)|\b(i\s+will|i'll|i’ll)\s+be\s+back|\bback\s+in\s+the\s+office|\b(limited|no|without|intermittent)\s+access\s+to\s+(my\s+)?e-?mail|\b(for|in\s+case\s+of|regarding|with)\s+(urgent|immediate)\s+(matters|issues|requests|questions|inquiries|enquiries|assistance|needs)|\bif\s+(it\s+is\s+|this\s+is\s+|your\s+\S+\s+is\s+)?urgent|\bplease\s+contact\s+((my|our|the)\s|\S+@|(?-i:[A-Z]))|\bresponder[eé]|\bcontestar[eé]|\ba\s+mi\s+(regreso|vuelta|retorno)|\bcuando\s+(regrese|vuelva|retorne)|\bestar[eé]\s+de\s+(vuelta|regreso)|\b(regreso|regresar[eé]|vuelvo|volver[eé]|retorno|retornar[eé])\s+(el|a\s+partir)|\bacceso\s+limitado|\bsin\s+acceso\s+al\s+correo|\bno\s+tendr[eé]\s+acceso|\b(para|en\s+caso\s+de)\s+(asuntos|temas|casos|consultas)?\s*urgen|\b(contacte\s+a|comun[ií]quese\s+con|dir[ií]jase\s+a|puede\s+contactar\s+a)\b|\b[àa]\s+mon\s+retour|\bje\s+r[ée]pondrai|\ben\s+cas\s+d'urgence|\bnach\s+meiner\s+r[üu]ckkehr|\bin\s+dringenden\s+f[äa]llen|\bal\s+mio\s+rientro|\bao\s+meu\s+retorno)`)

// autoReplyText reports whether the top of text reads as an automatic
// reply (see the comment at the top of this file).
func autoReplyText(text string) bool {
	t := truncateUTF8(text, autoReplyWindow)
	key := foldFields(t) // foldfilter.go: most text is ruled out without a regexp
	if key == "" {
		return false
	}
	statement, away := autoReplyStatementFilter().pass(key), awayStatementFilter().pass(key)
	if !statement && !away {
		return false
	}
	top := textfields.Join(t)
	if statement && autoReplyStatement().MatchString(top) {
		return true
	}
	return away && awayStatement().MatchString(top) && responderCue().MatchString(top)
}

// truncateUTF8 returns at most n bytes of s, cut at a rune boundary.
func truncateUTF8(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}
