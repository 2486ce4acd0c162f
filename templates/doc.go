// Package templates renders every mail ticketd sends, in Spanish ("es"),
// English ("en") and Portuguese ("pt"), as a subject, a text/plain body
// and a text/html body.
//
// Template names are the Name constants (names.go); languages are the
// folders of mail/ (Language, language.go): each folder holds every
// template, a phrases.txt with the phrases and fixed words of the
// language (reply line, status, priority and clock names, rating labels)
// and a stopwords.txt with the frequent words the language is recognised
// by (package langdetect), so a new language is a new folder and no code.
//
// The templates are embedded in the binary (directory mail/ of this package)
// and may be overridden from a directory given to New. The override
// directory mirrors the embedded layout:
//
//	layout.html         the shared HTML frame; defines "layout", which
//	                    calls {{template "body" .}}
//	<lang>/<name>.txt   text/template: {{define "subject"}}...{{end}} plus
//	                    the text body (the template's top level)
//	<lang>/<name>.html  html/template: {{define "body"}}...{{end}}
//	<lang>/phrases.txt  {{define "<phrase or word>"}}...{{end}} for every
//	                    phrase (phraseNames) and word (wordNames)
//	<lang>/stopwords.txt  words, one or more per line, "#" comments: at
//	                    least minStopWords (stopwords.go)
//
// A file present in the override directory replaces the embedded file of the
// same path; files absent there keep the embedded version. A .txt or .html
// file in the override directory that replaces nothing is an error, so a
// misspelt name is reported instead of silently ignored.
//
// # Invariants
//
//   - Everything is parsed, and rendered once with sample data, in New: a
//     broken template stops the daemon at start-up with an error naming the
//     file, never later while a mail is being queued.
//   - HTML bodies go through html/template, so user text (subjects, names,
//     message text) is always escaped; line breaks are kept as <br>.
//   - Subjects are a single line: newlines and runs of spaces are collapsed.
//   - Mails to requesters (ack, reply) start with the reply line returned by
//     ReplyLine, which quote stripping looks for in replies.
//
// Templates may use these functions besides the built-ins: replyLine (the
// language's reply line), lang (the language code), quote (prefix each line
// with "> ", text only), lines (escape and turn newlines into <br>, HTML
// only), status, priority and clock (a Status, Priority or SLA clock value
// in words of the language), bar (a text bar of n blocks) and px (n×10, for
// HTML bars), and rateWord (the label of the i-th rating link).
//
// The package knows nothing of mail formats or delivery: package tickets
// renders a mail when it queues it, and package mailout sends it.
package templates
