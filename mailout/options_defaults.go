package mailout

// DefaultMaxRecipients stays well under the 100 recipients RFC 5321
// §4.5.3.1.8 tells servers to accept at least.
const DefaultMaxRecipients = 50
