// Package mailparse reads one raw RFC 5322 message into a plain
// [tickets.Inbound]. It is pure: no network, no database, no clock; package
// mailin feeds it the mail it fetches over IMAP, and `ticketd inspect` the
// mail given on the command line.
//
// It owns:
//
//   - Parsing ([Parse], [ParseWithOptions]): one raw message, in any
//     charset and any MIME shape, becomes a [tickets.Inbound]. Parsing is
//     lenient (unknown charsets, junk in address or Message-ID headers,
//     broken multipart bodies keep what can be read) and never panics (a
//     panic in a library is recovered and reported as [ErrMalformed]); a
//     message whose header cannot be read or that has no usable From is an
//     error. Small faults mail clients forgive are repaired first
//     (repair.go: an mbox From line, a missing blank line, 8-bit header
//     bytes, a multipart without a boundary, …). It gives both the whole
//     readable body (FullText, HTML turned into text by html.go, its
//     quotes marked "> ") and the new text without quoted history (Text,
//     possibly empty; quote.go, with the words of 17 languages in one
//     table, quotewords.go), each capped at [MaxTextBytes]; reading is
//     bounded however many parts a message has (one bounded MIME walk,
//     walk.go, serves the text and the attachment scans).
//   - Sender verification (authres.go): [ParseWithOptions] sets
//     SenderVerified from the Authentication-Results headers (RFC 8601) of
//     the one authserv-id the admin trusts: the receiving server must strip
//     such headers arriving from outside (RFC 8601 §5), or a sender could
//     forge them.
//   - Classification ([tickets.Kind], classify.go, bounce.go,
//     autoreply.go, autokinds.go, priority.go): own mail (the desk's address or
//     Message-ID), bounces (RFC 3464 delivery-status reports, and the
//     non-standard ones of common MTAs, with the original Message-ID and
//     the failed recipients), automatic mail (RFC 3834 and the usual
//     vacation, list and daemon markers), else normal; and the priority the
//     sender declared. [Inspect] reports all of it for `ticketd inspect`.
//   - Forwarded mail (forward.go): an inline forward (Gmail, Outlook, Apple
//     Mail, Thunderbird layouts, es and en) or an attached message/rfc822
//     becomes Inbound.Forwarded: its sender, date, subject (without
//     Fwd:/RV:/…) and text, and the forwarder's note above it. tickets
//     decides what it means (only an agent's forward is on someone's behalf).
//   - Attachments (parts.go): listed with their decoded names (RFC
//     2231/2047), types and sizes; with an [AttachmentStore] their content
//     is streamed into it (never held in memory) or dropped over the size
//     limit, the reason recorded.
//
// Parsing runs for every message ticketd ingests, so the hot path avoids
// what costs most per message: some patterns and library readers have
// hand-written equivalents there (hasWroteVerb, labelOf, isFieldLine,
// the fold filters' scan, normalizeText, textfields.Join, headerDate,
// readHeaderBytes), each held by a test and a fuzz target to the
// regexp, steps or go-message call it stands for; buffers are pooled
// where go-message and io would allocate them per message.
//
// The seeds in testdata (and testdata/corpus, real clients and MTAs) feed
// the tests and the fuzz targets here and in cmd/ticketd's inspect tests;
// testdata/realworld (each mail with its source and what a person reads
// in it, expectations.json) measures accuracy per category
// (TestRealWorldCorpus).
package mailparse
