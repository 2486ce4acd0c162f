package mailout

// DefaultMaxRecipients stays well under the 100 recipients RFC 5321
// §4.5.3.1.8 tells servers to accept at least.
const DefaultMaxRecipients = 50

// DefaultConnections is how many SMTP connections drain a long outbox at
// once (Options.Connections): two keep one busy while the other waits for
// the server, and share each durable record of a delivery (record.go).
// Each connection may send one mail twice after a crash.
const DefaultConnections = 2
