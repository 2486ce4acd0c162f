// Package dovecottest starts a real, throw-away Dovecot IMAP server for tests.
//
// ticketd's end-to-end suite talks to the same kind of server it meets in
// production, so this package runs Dovecot 2.3 (Debian's dovecot-imapd) on
// 127.0.0.1 and a free port, with every file — configuration, sockets, state,
// log and maildirs — in one short temporary directory under /tmp. [Start]
// registers the stop with t.Cleanup; helpers ([Server.Append],
// [Server.AppendMany], [Server.Count], [Server.Fetch], [Server.Caps]) drive the
// server over IMAP with a go-imap v2 client, logged in as a test user.
//
// [StartWith] with Options.TLS turns on ssl = yes with a throw-away CA's
// certificate for 127.0.0.1 (package testcert): STARTTLS on [Server.Addr],
// implicit TLS on [Server.TLSAddr], the CA for clients in [Server.CAFile].
// The helpers then log in over STARTTLS, verifying the certificate, and
// [Server.LoginsOverTLS] reads from Dovecot's log how a user logged in.
// Without TLS (Start) the server is plain text only, as before.
//
// Invariants:
//   - Nothing here reads ../shared or any file outside the temporary directory
//     at run time: the configuration is generated in Go.
//   - A missing Dovecot is never a silent skip. As root, with apt-get present,
//     Start installs dovecot-imapd; otherwise the test fails with a message
//     saying exactly what to install.
//   - The server is stopped by the PID Dovecot writes to base_dir/master.pid:
//     SIGTERM, a bounded wait until the process is gone, then SIGKILL. The
//     master runs in the foreground as a child of the test binary (so it is
//     reaped, never a zombie) and gets SIGTERM if the test binary dies first.
//   - Failed logins are neither delayed nor penalised (auth_failure_delay = 0,
//     nodelay=yes, no anvil-auth-penalty), so one failing test does not slow
//     the next.
//
// Helpers take a testing.TB and call t.Fatal on error, so call them from the
// test's own goroutine.
package dovecottest
