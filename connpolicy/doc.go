// Package connpolicy holds the rules for how ticketd connects to the mail
// servers and where it listens, in one place so that every package applies
// the same ones:
//
//   - [Security]: the connection security of an IMAP or SMTP server (tls,
//     starttls, none), parsed once from the configuration and checked
//     against the host it is used for.
//   - [IsLoopback]: which host names and addresses count as this machine.
//     It decides where passwords and mail may travel in plain text
//     (Security "none"), where the admin endpoint may listen without
//     allow_remote, and where the sandbox may listen.
//   - [ClientTLS]: the TLS settings of a client connection (the
//     certificate checked against the configured host, TLS 1.2 at least).
//   - [Backoff]: the exponential retry delay after consecutive failures.
//
// Invariants:
//
//   - Security "none" is accepted only for a host IsLoopback accepts, and
//     once connected the peer's address must be a loopback address too
//     ([Security.CheckPeer]), so a name that resolves elsewhere never
//     receives a password in plain text.
//   - IsLoopback never resolves a name: it decides from the text alone,
//     and refuses what it is not sure of.
//
// The package is a leaf: it imports only the standard library, so mailin,
// mailout and cmd/ticketd can all use it.
package connpolicy
