// Package mailout composes ticketd's outgoing mail as RFC 5322 messages
// (go-message writers) and delivers the durable outbox over SMTP (a
// go-smtp Client). It makes no business decisions: what to send, to whom
// and with which text was decided when package tickets queued the mail.
//
// # Delivery
//
// A Sender takes the due mails from a Queue (implemented by
// *tickets.Store) and sends them over up to Options.Connections SMTP
// connections, each reused for a batch of mails (a new MAIL FROM per
// transaction, RSET after an aborted one, a new connection when one
// breaks). The SMTP session is spoken by session.go on top of
// net/textproto, not by go-smtp's Client (which waits for each reply):
// to a server that offers PIPELINING (RFC 2920), a transaction's MAIL,
// RCPTs and DATA go out in one write, and its content, final dot and the
// next mail's MAIL, RCPTs and DATA in the next (§3.1: content may start a
// group) — one write and one wait for replies per mail; replies are
// *smtp.SMTPError as go-smtp makes them. A mail goes to its pending recipients (tickets.Mail.Pending),
// at most Options.MaxRecipients per transaction (OnLimit is told when a
// mail is split). Outcomes, per recipient:
//
//   - accepted by the server: the transaction is recorded durably
//     (Queue.MarkSent, or DeliveryLog.LogSent: the store's delivery log,
//     one synchronous write) before the next transaction on that
//     connection is accepted — the write runs while the next mail's lines
//     go out, only its final dot waits, and the connections share each
//     write (record.go). A crash therefore re-sends at most one mail per
//     connection. The logged deliveries reach the outbox and the tickets'
//     events in one commit per round of mails (sendParallel).
//   - refused for good (5xx to RCPT, or an address that cannot go into an
//     envelope, address.go): recorded for that recipient only; the mail
//     fails as a whole only when nobody could get it.
//   - refused for now (4xx to RCPT, e.g. 452): only that recipient is
//     retried later; the others get the mail now.
//   - a 4xx to MAIL or DATA, or a network/TLS/connection problem:
//     MarkRetry for the recipients still pending, with exponential
//     backoff (1m, 2m, 4m, … at most 1h) — or MarkFailed once the mail
//     has been waiting longer than Options.MaxAge.
//   - a 5xx to MAIL or DATA: the recipients of that transaction fail.
//
// Stopping (the context of Run or Drain done, a SIGTERM) never cuts a
// DATA: the transaction in flight is finished and recorded, then the
// Sender stops; only a server still silent after Options.StopGrace has
// its connection closed.
//
// A failure to log in or to set up TLS is never blamed on the mails: they
// are retried (and the problem logged at Error) until MaxAge.
//
// # Invariants
//
//   - Security "starttls" never falls back to plain text; "none" is
//     accepted only towards a loopback host, and checked again against
//     the peer's address once connected (package connpolicy).
//   - Compose is deterministic for a mail (Date is the time it was queued),
//     so a retried mail carries the same Message-ID and Date.
//   - The envelope and the headers name the same mailboxes: an address
//     refused for SMTP is left out of both.
//   - Never logged: message bodies, passwords (the session has no debug
//     writer). Log keys: ticket, msgid, rcpt, err; Info per delivery
//     (once recorded, record.go), Warn per deferral, Error per permanent
//     failure or refused recipient.
//
// Mails with attachments are composed as multipart/mixed, the content
// read from Options.Blobs by SHA-256 (ComposeWith); a missing attachment
// fails the mail (recorded on its ticket). Login is AUTH PLAIN, or
// XOAUTH2 / OAUTHBEARER with a token from Options.Token (package
// mailauth); a refused login is retried like any connection problem, and
// the first of each failure streak is reported to Options.OnAuthFailure.
//
// The tests capture what is sent with internal/testkit/smtptest (a
// go-smtp server, which offers PIPELINING); session_test.go scripts a
// server without it.
package mailout
