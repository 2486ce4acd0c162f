package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"

	"github.com/ticketd/ticketd/mailin"
	"github.com/ticketd/ticketd/mailin/mailparse"
	"github.com/ticketd/ticketd/tickets"
)

// inspectMail prints, as JSON, what ticketd makes of the message in file
// ("-" reads standard input). The configuration, when given, supplies
// the support address (for own mail), the subject tag and the trusted
// authserv-id; the database is never opened.
func inspectMail(cfg *Config, file string, stdin io.Reader, w io.Writer) error {
	var raw []byte
	var err error
	if file == "-" {
		raw, err = io.ReadAll(io.LimitReader(stdin, mailin.DefaultMaxMessageSize+1))
	} else {
		raw, err = readLimited(file, mailin.DefaultMaxMessageSize)
	}
	if err != nil {
		return fmt.Errorf("inspect: %w", err)
	}
	var opts mailparse.InspectOptions
	if cfg != nil {
		opts.Tag = cfg.Tag
		if cfg.multiQueue() {
			opts.Tag = "" // any queue's tag names the ticket
		}
		opts.Parse = mailparse.Options{DeskAddress: cfg.Desk.Email, QueueAddresses: cfg.IMAP.QueueAddresses, TrustedAuthservID: cfg.IMAP.TrustedAuthservID, Spam: cfg.IMAP.Spam}
	}
	r, err := mailparse.Inspect(raw, opts)
	if err != nil {
		return fmt.Errorf("inspect %s: %w", file, err)
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(r)
}

// readLimited reads file, refusing one larger than limit bytes.
func readLimited(file string, limit int64) ([]byte, error) {
	f, err := os.Open(file)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	raw, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(raw)) > limit {
		return nil, fmt.Errorf("%s: larger than %d bytes", file, limit)
	}
	return raw, nil
}

// printAttachments lists an event's attachments for show: name, type,
// size, and whether the content was kept.
func printAttachments(w io.Writer, atts []tickets.Attachment) {
	for _, a := range atts {
		state := "kept"
		switch {
		case a.Dropped:
			state = "DROPPED: " + a.Reason
		case !a.Stored:
			state = "not kept"
		}
		fmt.Fprintf(w, "    [attachment] %s (%s, %d bytes) %s\n", or(a.Name, "(no name)"), a.Type, a.Size, state)
	}
}
