package mailin

// Defaults of PollerOptions that a configuration leaves unset.
const (
	DefaultMailbox          = "INBOX"
	DefaultProcessedMailbox = "Procesados"
	DefaultFailedMailbox    = "Fallidos"
	// DefaultSpamMailbox is the name most clients and servers give the
	// junk folder, in Spanish and English alike.
	DefaultSpamMailbox = "Spam"
	// DefaultMaxAttachmentSize is what common providers accept in one
	// mail.
	DefaultMaxAttachmentSize = 25 << 20
)

// DefaultPollerOptions are the options with every default filled in; the
// server, the login and the hooks are the caller's.
func DefaultPollerOptions() PollerOptions {
	return PollerOptions{
		Mailbox:           DefaultMailbox,
		ProcessedMailbox:  DefaultProcessedMailbox,
		FailedMailbox:     DefaultFailedMailbox,
		SpamMailbox:       DefaultSpamMailbox,
		MaxAttachmentSize: DefaultMaxAttachmentSize,
	}
}
