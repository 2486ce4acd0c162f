// Package smtptest runs a capturing SMTP server on loopback for tests: it
// accepts any sender and recipient (with or without AUTH PLAIN, any
// credentials), keeps every message in memory, and can be told to refuse
// recipients or messages to exercise temporary and permanent failures.
//
// The server is a real go-smtp server, so clients talk real SMTP to it.
// All state is guarded by a mutex; message data is read completely before
// the server answers the final dot.
//
// Typical use:
//
//	sink := smtptest.Start(t)
//	// ... point the code under test at sink.Addr() ...
//	msgs := sink.WaitFor(1, 5*time.Second)
package smtptest
