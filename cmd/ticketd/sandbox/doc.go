// Package sandbox is the mail world of "ticketd dev": an IMAP server and an
// SMTP server, in process and on loopback, so someone can try ticketd with
// nothing installed.
//
// The IMAP side is go-imap v2's imapserver over the in-memory imapmemserver
// backend. The SMTP side (go-smtp) accepts mail to any address and delivers it
// into that address's INBOX. Any address can log in over IMAP with the one
// sandbox password; a mailbox owner is created on first use, by a login or by
// a delivery, always with an INBOX (imapmemserver users start without one).
//
// Invariants:
//   - Listeners are loopback only; Start refuses any other address. There is
//     no TLS, and plain-text authentication is allowed on purpose.
//   - Addresses are case-insensitive: "Ana@X" and "ana@x" are one mailbox.
//   - [Sandbox.Deliver] is the only delivery path; the SMTP server uses it
//     too. Delivered mail gets Return-Path and Received header fields, as a
//     real final delivery would add.
//   - Everything is in memory and gone after [Sandbox.Close].
//   - Logs never contain message bodies or passwords.
package sandbox
