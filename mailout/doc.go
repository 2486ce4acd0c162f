// Package mailout composes ticketd's outgoing mail as RFC 5322 messages
// (go-message writers) and delivers the durable outbox over SMTP (a
// go-smtp Client). It makes no business decisions: what to send, to whom
// and with which text was decided when package tickets queued the mail.
//
// # Delivery
//
// A Sender takes the due mails from a Queue (implemented by
// *tickets.Store), sends them over one SMTP connection per batch (a new
// MAIL FROM per mail, RSET after an aborted transaction, a new connection
// when one breaks) and records each outcome in the Queue:
//
//   - accepted by the server: MarkDelivered. When the server refuses some
//     recipients permanently (5xx on RCPT) but accepts others, the mail is
//     delivered to those, the refusals are logged at Error, reported in
//     Stats, and recorded on the ticket by the same MarkDelivered.
//   - an SMTP 4xx reply, or a network/TLS/connection problem: MarkRetry
//     with exponential backoff (1m, 2m, 4m, … at most 1h) — or MarkFailed
//     once the mail has been waiting longer than Options.MaxAge.
//     A temporary refusal of any one recipient defers the whole mail, so
//     nobody receives it twice.
//   - an SMTP 5xx reply (or every recipient refused): MarkFailed, with the
//     server's code and text in the reason.
//
// A failure to log in or to set up TLS is never blamed on the mails: they
// are retried (and the problem logged at Error) until MaxAge.
//
// # Invariants
//
//   - Security "starttls" never falls back to plain text; "none" is
//     accepted only towards a loopback host.
//   - Compose is deterministic for a mail (Date is the time it was queued),
//     so a retried mail carries the same Message-ID and Date.
//   - Never logged: message bodies, passwords (go-smtp's DebugWriter stays
//     unset). Log keys: ticket, msgid, rcpt, err; Info per delivery, Warn
//     per deferral, Error per permanent failure or refused recipient.
//
// Mails with attachments are composed as multipart/mixed, the content
// read from Options.Blobs by SHA-256 (ComposeWith); a missing attachment
// fails the mail (recorded on its ticket). Login is AUTH PLAIN, or
// XOAUTH2 / OAUTHBEARER with a token from Options.Token (package
// mailauth); a refused login is retried like any connection problem, and
// the first of each failure streak is reported to Options.OnAuthFailure.
//
// Package smtptest provides the capturing SMTP server the tests use.
package mailout
