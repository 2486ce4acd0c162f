// Package mailin turns mail waiting in an IMAP mailbox into
// [tickets.Inbound] values and hands them to the ticket workflow.
//
// It owns the IMAP side; reading one raw message is package
// [github.com/ticketd/ticketd/mailin/mailparse] (the split go-imap makes
// between imap and imapclient), which mailin calls with the desk's address,
// trusted authserv-id and attachment store from [PollerOptions]:
//
//   - Login (auth.go): LOGIN with a password or AUTHENTICATE XOAUTH2 /
//     OAUTHBEARER with a token from a command (package mailauth). A
//     refused login is a *mailauth.Error; OnAuthFailure hears of the first
//     one of each failure streak.
//   - Ingest ([Poller]): one IMAP connection per pass (go-imap v2) that
//     fetches waiting messages in UID batches, parses them and calls an
//     [Applier] (satisfied by *tickets.Service) once per batch. Between
//     passes, [Poller.Run] waits on a separate connection in IDLE where
//     the server has it, else on a timer. poller.go holds the options and
//     one pass; batch.go plans, parses, applies and sets aside one batch;
//     pipeline.go runs the batches as a pipeline on both cores: batch
//     N+1 is fetched and parsed (on GOMAXPROCS goroutines) while batch N
//     is applied, and batch N is moved while N+1 is applied;
//     PollerOptions.Throttle, when set, may hold a batch before it is
//     applied (cmd/ticketd's flow control waits there for delivery);
//     imapcmd.go the IMAP commands they issue (sizes, bodies, MOVE/flags).
//
// Invariants:
//
//   - A message leaves the ingest mailbox only after the Applier has
//     returned a Result for it, i.e. after its effects are committed. A
//     crash at any point therefore loses nothing; a message applied but not
//     yet moved is fetched again and recognised by tickets as a duplicate
//     (by Message-ID, or "sha256:"+ContentHash when it has none).
//   - Mail is never deleted or expunged by mailin. It is moved with UID MOVE
//     (by UID set only) to the processed or failed mailbox; servers without
//     MOVE get flags instead (\Seen plus $TicketdProcessed or
//     $TicketdFailed) and flagged messages are left out of later searches.
//   - A message that cannot be parsed, is larger than
//     PollerOptions.MaxMessageSize, or that the Applier refuses with a
//     *tickets.MessageError, is moved to the failed mailbox with the
//     reason logged: it is kept, never lost, and never blocks the queue.
//     The rest of its batch is applied without it. A message the server
//     returned no body for is left where it is for the next pass.
//   - Memory per batch is bounded: at most BatchSize messages and
//     MaxBatchBytes of raw mail (by RFC822.SIZE), but at least one message;
//     a pass holds at most two batches (the one applied and the one
//     fetched ahead), each raw message only until it is parsed.
//   - Batches are applied one at a time in UID order, so mail about one
//     ticket is applied in the order it arrived; a batch is moved only
//     after its own transaction committed.
//   - Without MOVE, the mailbox must allow our keywords (PERMANENTFLAGS);
//     otherwise Poll fails rather than fetch the same mail for ever.
//   - Passwords are never sent in plaintext to a non-loopback host
//     (Security "none" is refused there, and refused after dialling when
//     the peer's address is not loopback; rule in package connpolicy). Message bodies and passwords are
//     never logged; go-imap's debug writer is never enabled.
//
// mailin never opens the database: everything it knows about tickets goes
// through the Applier.
package mailin
