// Package smtptest runs a capturing SMTP server on loopback for tests: it
// accepts any sender and recipient (with or without AUTH PLAIN, any
// credentials), keeps every message in memory, and can be told to refuse
// recipients or messages to exercise temporary and permanent failures.
//
// [StartWith] adds what TLS tests need: STARTTLS or implicit TLS with a
// given certificate (see package testcert for a throw-away CA), AUTH only
// over TLS, AUTH required before MAIL (530), and fixed credentials (535 for
// others). Each [Message] records the AUTH user and whether it came over
// TLS.
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
//
// Over TLS, with a login:
//
//	cert := testcert.New(t)
//	sink := smtptest.StartWith(t, smtptest.Options{
//		TLSConfig: cert.ServerConfig(), ImplicitTLS: true,
//		RequireAuth: true, Username: "desk", Password: "secret",
//	})
package smtptest
