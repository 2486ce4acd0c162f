package mailparse

import (
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/ticketd/ticketd/internal/fold"
	"github.com/ticketd/ticketd/internal/lazyre"
)

// quoteLanguage is what mail clients write, in one language, around the
// quoted history of a reply. Adding a language is adding a row to
// quoteLanguages: the patterns in quote.go are built from this table.
type quoteLanguage struct {
	lang string
	// wrote are the verbs of the attribution line ("On …, X wrote:"),
	// as Gmail, Apple Mail, Thunderbird, Outlook.com and the mail
	// services write them.
	wrote []string
	// on are the words an attribution starts with ("On", "El", "Le",
	// "Am", "Il giorno", "W dniu", …).
	on []string
	// original are the "Original Message" separators (framed by dashes).
	// Forward separators are not: a forward is not a reply's history.
	original []string
	// Labels of Outlook/Exchange's quoted header block, by field.
	from, sent, to, cc, subject, replyTo []string
	// mobile starts the footer phones and mail apps add ("Sent from my
	// iPhone"); mobileEnd is a footer's end when the verb comes last
	// ("Von meinem iPhone gesendet").
	mobile, mobileEnd []string
}

// quoteLanguages: sources are the clients' own localisations (Gmail web,
// Apple Mail, Thunderbird, Outlook/Exchange, Outlook.com, Yahoo, Zoho,
// Yandex, GMX/Web.de, QQ Mail) as they appear in the mails they write.
var quoteLanguages = []quoteLanguage{
	{lang: "en", wrote: []string{"wrote", "writes", "said"}, on: []string{"on"},
		original: []string{"original message", "original e-?mail"},
		from:     []string{"from"}, sent: []string{"sent", "date"}, to: []string{"to"}, cc: []string{"cc"},
		subject: []string{"subject"}, replyTo: []string{"reply-to", "reply to"},
		mobile: []string{"sent from my", "sent from", "sent via", "get outlook for"}},
	{lang: "es", wrote: []string{"escribió", "escribio", "ha escrito"}, on: []string{"el"},
		original: []string{"mensaje original"},
		from:     []string{"de"}, sent: []string{"enviado", "enviado el", "fecha"}, to: []string{"para"}, cc: []string{"cc", "copia"},
		subject: []string{"asunto"}, replyTo: []string{"responder a"},
		mobile: []string{"enviado desde mi", "enviado desde", "obtener outlook para"}},
	{lang: "pt", wrote: []string{"escreveu"}, on: []string{"em", "no dia"},
		original: []string{"mensagem original"},
		from:     []string{"de"}, sent: []string{"enviada", "enviado", "enviada em", "enviado em", "data"}, to: []string{"para"},
		cc: []string{"cc"}, subject: []string{"assunto"}, replyTo: []string{"responder a"},
		mobile: []string{"enviado do meu", "enviado do", "enviado a partir do"}},
	{lang: "fr", wrote: []string{"a écrit", "a ecrit"}, on: []string{"le"},
		original: []string{"message d'origine", "message d’origine", "message original"},
		from:     []string{"de", "expéditeur"}, sent: []string{"envoyé", "envoyé le", "date"}, to: []string{"à", "a", "destinataire"},
		cc: []string{"cc"}, subject: []string{"objet", "sujet"}, replyTo: []string{"répondre à"},
		mobile: []string{"envoyé de mon", "envoyé depuis mon", "envoyé de", "envoyé depuis"}},
	{lang: "de", wrote: []string{"schrieb", "hat geschrieben"}, on: []string{"am"},
		original: []string{"ursprüngliche nachricht", "original-nachricht", "originalnachricht"},
		from:     []string{"von"}, sent: []string{"gesendet", "datum"}, to: []string{"an"}, cc: []string{"cc", "kopie"},
		subject: []string{"betreff"}, replyTo: []string{"antwort an"},
		mobile: []string{"von meinem", "gesendet von meinem", "gesendet mit"}, mobileEnd: []string{"gesendet"}},
	{lang: "it", wrote: []string{"ha scritto", "scrisse"}, on: []string{"il", "il giorno"},
		original: []string{"messaggio originale"},
		from:     []string{"da"}, sent: []string{"inviato", "data"}, to: []string{"a"}, cc: []string{"cc"},
		subject: []string{"oggetto"}, replyTo: []string{"rispondi a"},
		mobile: []string{"inviato da", "inviato dal mio"}},
	{lang: "nl", wrote: []string{"schreef", "heeft geschreven"}, on: []string{"op"},
		original: []string{"oorspronkelijk bericht", "origineel bericht"},
		from:     []string{"van"}, sent: []string{"verzonden", "datum"}, to: []string{"aan"}, cc: []string{"cc"},
		subject: []string{"onderwerp"}, replyTo: []string{"antwoord aan"},
		mobile: []string{"verzonden vanaf mijn", "verstuurd vanaf mijn", "verzonden vanaf", "verstuurd vanaf"}},
	{lang: "pl", wrote: []string{"napisał", "napisała", "napisał\\(a\\)", "pisze"}, on: []string{"w dniu", "dnia"},
		original: []string{"wiadomość oryginalna", "oryginalna wiadomość"},
		from:     []string{"od"}, sent: []string{"wysłano", "wysłane", "data"}, to: []string{"do"}, cc: []string{"dw", "kopia"},
		subject: []string{"temat"}, replyTo: []string{"odpowiedź do"},
		mobile: []string{"wysłane z mojego", "wysłane z"}},
	{lang: "ru", wrote: []string{"написал", "написала", "написал\\(а\\)", "пишет"}, on: []string{},
		original: []string{"исходное сообщение"},
		from:     []string{"от"}, sent: []string{"отправлено", "дата"}, to: []string{"кому"}, cc: []string{"копия"},
		subject: []string{"тема"}, replyTo: []string{"ответить"},
		mobile: []string{"отправлено с моего", "отправлено с", "отправлено из"}},
	{lang: "sv", wrote: []string{"skrev"}, on: []string{"den"},
		original: []string{"ursprungligt meddelande", "originalmeddelande"},
		from:     []string{"från"}, sent: []string{"skickat", "datum"}, to: []string{"till"}, cc: []string{"kopia"},
		subject: []string{"ämne"}, replyTo: []string{"svara till"},
		mobile: []string{"skickat från min", "skickat från"}},
	{lang: "da", wrote: []string{"skrev"}, on: []string{"den"},
		original: []string{"oprindelig meddelelse", "original meddelelse"},
		from:     []string{"fra"}, sent: []string{"sendt", "dato"}, to: []string{"til"}, cc: []string{"cc"},
		subject: []string{"emne"}, replyTo: []string{"svar til"},
		mobile: []string{"sendt fra min", "sendt fra"}},
	{lang: "nb", wrote: []string{"skrev"}, on: []string{"den"},
		original: []string{"opprinnelig melding", "original melding"},
		from:     []string{"fra"}, sent: []string{"sendt", "dato"}, to: []string{"til"}, cc: []string{"kopi"},
		subject: []string{"emne"}, replyTo: []string{"svar til"},
		mobile: []string{"sendt fra min", "sendt fra"}},
	{lang: "cs", wrote: []string{"napsal", "napsala", "napsal\\(a\\)"}, on: []string{"dne"},
		original: []string{"původní zpráva", "původní e-mail"},
		from:     []string{"od"}, sent: []string{"odesláno", "datum"}, to: []string{"komu"}, cc: []string{"kopie"},
		subject: []string{"předmět"}, replyTo: []string{"odpovědět"},
		mobile: []string{"odesláno z mého", "odesláno z"}},
	{lang: "tr", wrote: []string{"yazdı", "şunu yazdı"}, on: []string{},
		original: []string{"orijinal ileti", "özgün ileti", "orijinal mesaj"},
		from:     []string{"kimden", "gönderen"}, sent: []string{"gönderildi", "gönderilme tarihi", "tarih"}, to: []string{"kime", "alıcı"},
		cc: []string{"bilgi", "cc"}, subject: []string{"konu"}, replyTo: []string{"yanıtla"},
		mobileEnd: []string{"gönderildi"}},
	{lang: "ja", wrote: []string{"書きました", "のメッセージ"}, on: []string{},
		original: []string{"元のメッセージ"},
		from:     []string{"差出人", "送信者", "from"}, sent: []string{"送信日時", "日付", "送信日"}, to: []string{"宛先", "to"},
		cc: []string{"cc"}, subject: []string{"件名"}, replyTo: []string{"返信先"},
		mobileEnd: []string{"から送信"}},
	{lang: "zh", wrote: []string{"写道", "寫道"}, on: []string{"在"},
		original: []string{"原始邮件", "原始郵件", "原始信件"},
		from:     []string{"发件人", "寄件者", "寄件人"}, sent: []string{"发送时间", "发送日期", "日期", "時間", "傳送時間", "寄件日期"},
		to: []string{"收件人", "收件者"}, cc: []string{"抄送", "副本"}, subject: []string{"主题", "主旨"}, replyTo: []string{"回复"},
		mobile: []string{"发自我的", "從我的", "来自我的"}},
	{lang: "vi", wrote: []string{"đã viết", "viết"}, on: []string{"vào"},
		original: []string{"thư gốc", "tin nhắn gốc"},
		from:     []string{"từ", "người gửi"}, sent: []string{"đã gửi", "ngày", "gửi"}, to: []string{"đến", "tới"},
		cc: []string{"cc"}, subject: []string{"chủ đề", "tiêu đề"}, replyTo: []string{"trả lời"},
		mobile: []string{"gửi từ"}},
}

// alternation joins the words picked from every language into one regexp
// alternation; spaces match any run of white space.
func alternation(pick func(quoteLanguage) []string) string {
	seen := map[string]bool{}
	var alts []string
	for _, l := range quoteLanguages {
		for _, w := range pick(l) {
			w = strings.ReplaceAll(w, " ", `\s+`)
			if !seen[w] {
				seen[w] = true
				alts = append(alts, w)
			}
		}
	}
	return strings.Join(alts, "|")
}

// headerLabel names the field of a line of a quoted header block.
type headerLabel int

const (
	labelNone headerLabel = iota
	labelFrom
	labelSent
	labelTo
	labelCc
	labelSubject
	labelReplyTo
)

// labelPicks are the label lists of quoteLanguage, in the order labelOf
// tries them: Reply-To first, since "Reply to" could otherwise be taken
// for "to".
var labelPicks = []struct {
	label headerLabel
	pick  func(quoteLanguage) []string
}{
	{labelReplyTo, func(l quoteLanguage) []string { return l.replyTo }},
	{labelFrom, func(l quoteLanguage) []string { return l.from }},
	{labelSent, func(l quoteLanguage) []string { return l.sent }},
	{labelTo, func(l quoteLanguage) []string { return l.to }},
	{labelCc, func(l quoteLanguage) []string { return l.cc }},
	{labelSubject, func(l quoteLanguage) []string { return l.subject }},
}

// headerLabels maps a label, folded (fold.String) with its spaces single,
// to its field: the first of labelPicks that lists it. maxLen is the
// longest key.
var headerLabels = sync.OnceValue(func() (labels struct {
	m      map[string]headerLabel
	maxLen int
}) {
	labels.m = map[string]headerLabel{}
	for _, p := range labelPicks {
		for _, l := range quoteLanguages {
			for _, w := range p.pick(l) {
				k := foldFields(w)
				if _, ok := labels.m[k]; !ok {
					labels.m[k] = p.label
				}
				labels.maxLen = max(labels.maxLen, len(k))
			}
		}
	}
	return labels
})

// labelOf returns the header field a line starts with ("From:", "*De
// :*", "发件人："), or labelNone: what the pattern
// `(?i)^[\s>*]*(label)\s*\*?\s*[:：]` of each field's labels (spaces in
// a label matching any run of white space) would find, in the order of
// labelPicks, without running a regexp per field on every line with a
// colon. Labels are words, starting and ending with a letter, so that
// the label is what lies between the leading run of white space, '>'
// and '*' and the first colon, less white space and one '*' before the
// colon (TestLabelOfIsRegexp holds it to the patterns).
func labelOf(line string) headerLabel {
	rest := strings.TrimLeft(line, regexpSpace+">*")
	k := strings.IndexByte(rest, ':')
	if w := strings.Index(rest, "："); w >= 0 && (k < 0 || w < k) {
		k = w
	}
	if k <= 0 {
		return labelNone
	}
	label := strings.TrimRight(rest[:k], regexpSpace)
	label = strings.TrimRight(strings.TrimSuffix(label, "*"), regexpSpace)
	labels := headerLabels()
	var buf [64]byte
	key := buf[:0]
	space := false
	for _, r := range label {
		if r < utf8.RuneSelf && isRegexpSpace(byte(r)) {
			space = true
			continue
		}
		if space {
			key, space = append(key, ' '), false
		}
		key = utf8.AppendRune(key, fold.Rune(r))
		if len(key) > labels.maxLen {
			return labelNone
		}
	}
	return labels.m[string(key)]
}

var (
	// wroteVerb is an attribution's verb, as a word.
	wroteVerb = lazyre.Build(func() string {
		return `(?i)(^|[\s,:"'(>\d\p{Han}\p{Hiragana}\p{Katakana}])(` + alternation(func(l quoteLanguage) []string { return l.wrote }) + `)([\s:：,)-]|$)`
	})
	// onWord starts an attribution.
	onWord = lazyre.Build(func() string {
		return `(?i)^[\s>]*(` + alternation(func(l quoteLanguage) []string { return l.on }) + `)\s`
	})
	// originalSeparator is "-----Original Message-----" and its
	// translations, framed by dashes, underscores or equals signs.
	originalSeparator = lazyre.Build(func() string {
		return `(?i)^[\s>]*([-_=*]{2,}\s*(` + alternation(func(l quoteLanguage) []string { return l.original }) + `)\s*[-_=*:]*|(` +
			alternation(func(l quoteLanguage) []string { return l.original }) + `)\s*[-_=*]{2,})\s*$`
	})
	// mobileFooterEnd is a footer whose verb comes last.
	mobileFooterEnd = lazyre.Build(func() string {
		return `(?i)\S\s*(` + alternation(func(l quoteLanguage) []string { return l.mobileEnd }) + `)[.!]?$`
	})
	// mobileFooter is a phone's or mail app's footer line.
	mobileFooter = lazyre.Build(func() string {
		return `(?i)^\s*((` + alternation(func(l quoteLanguage) []string { return l.mobile }) + `)\s*\S.*|.*\S\s*(` +
			alternation(func(l quoteLanguage) []string { return l.mobileEnd }) + `))$`
	})
)
