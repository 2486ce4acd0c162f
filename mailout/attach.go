package mailout

import (
	"bytes"
	"fmt"
	"io"
	"mime"

	"github.com/emersion/go-message/mail"

	"github.com/ticketd/ticketd/internal/textfields"
	"github.com/ticketd/ticketd/tickets"
)

// writeMixed writes m as multipart/mixed: its text (with the HTML
// alternative when there is one), then every attachment; a mail whose
// HTML shows inline images is written by writeRelated instead.
func writeMixed(buf *bytes.Buffer, h mail.Header, m *tickets.Mail, blobs BlobSource) error {
	if inline, rest := relatedParts(m); len(inline) > 0 {
		return writeRelated(buf, h, m, inline, rest, blobs) // images the HTML shows
	}
	w, err := mail.CreateWriter(buf, h)
	if err != nil {
		return err
	}
	if m.HTML == "" {
		var ph mail.InlineHeader
		ph.SetContentType("text/plain", flowedParams())
		ph.Set("Content-Transfer-Encoding", "quoted-printable")
		pw, err := w.CreateSingleInline(ph)
		if err != nil {
			return fmt.Errorf("text part: %w", err)
		}
		if err := writeClose(pw, flowedText(m.Text)); err != nil {
			return fmt.Errorf("text part: %w", err)
		}
	} else {
		iw, err := w.CreateInline()
		if err != nil {
			return err
		}
		if err := writeAlternatives(iw, m); err != nil {
			return err
		}
	}
	for i := range m.Attachments {
		if err := writeAttachment(w, &m.Attachments[i], blobs); err != nil {
			return err
		}
	}
	return w.Close()
}

// writeAttachment copies one stored attachment into w, base64-encoded,
// named (RFC 2231 for non-ASCII names) as it was received.
func writeAttachment(w *mail.Writer, a *tickets.Attachment, blobs BlobSource) error {
	ah, name := attachmentHeader(a)
	return copyBlob(a, name, blobs, func() (io.WriteCloser, error) { return w.CreateAttachment(ah) })
}

// attachmentHeader is the header of a stored attachment's part, and the
// name it goes by: its media type (application/octet-stream when unusable)
// and Content-Disposition attachment with its file name.
func attachmentHeader(a *tickets.Attachment) (mail.AttachmentHeader, string) {
	typ := a.Type
	if typ == "" || mime.FormatMediaType(typ, nil) == "" {
		typ = "application/octet-stream"
	}
	name := textfields.Join(a.Name)
	if name == "" {
		name = "attachment"
	}
	var ah mail.AttachmentHeader
	ah.SetContentType(typ, nil)
	ah.SetFilename(name)
	return ah, name
}

// copyBlob opens a's stored content, then creates its part and copies the
// content into it: a missing blob fails before anything is written.
func copyBlob(a *tickets.Attachment, name string, blobs BlobSource, create func() (io.WriteCloser, error)) error {
	r, err := blobs.Open(a.SHA256)
	if err != nil {
		return fmt.Errorf("attachment %q: %w", name, err)
	}
	defer r.Close()
	pw, err := create()
	if err != nil {
		return fmt.Errorf("attachment %q: %w", name, err)
	}
	if _, err := io.Copy(pw, r); err != nil {
		pw.Close()
		return fmt.Errorf("attachment %q: %w", name, err)
	}
	if err := pw.Close(); err != nil {
		return fmt.Errorf("attachment %q: %w", name, err)
	}
	return nil
}
