// Package testkit holds nothing itself: its subpackages are the test kits
// shared by the tests of several packages, kept in one place so that no
// package's tests reach into another production package for helpers.
//
//   - dovecottest starts a real, throw-away Dovecot IMAP server.
//   - smtptest runs a capturing go-smtp server.
//   - testcert makes a throw-away CA and a loopback server certificate.
//
// Invariants:
//   - Only _test.go files and other kits import them; no production code
//     does (internal/ also keeps them out of reach of other modules).
//   - Servers listen on 127.0.0.1 only; files go to temporary directories;
//     what a kit starts or writes is stopped and removed with t.Cleanup.
package testkit
