package mailout

import (
	"bytes"
	"fmt"
	"io"

	"github.com/emersion/go-message"
	"github.com/emersion/go-message/mail"

	"github.com/ticketd/ticketd/tickets"
)

// relatedParts splits m's attachments into the images its HTML shows by
// Content-ID (sent beside the HTML in multipart/related) and the others
// (sent as attachments). Without HTML nothing can show an image inline:
// every attachment is then an ordinary one.
func relatedParts(m *tickets.Mail) (inline, rest []tickets.Attachment) {
	for _, a := range m.Attachments {
		if m.HTML != "" && a.Inline && validMsgID(a.ContentID) {
			inline = append(inline, a)
		} else {
			rest = append(rest, a)
		}
	}
	return inline, rest
}

// writeRelated writes m with its inline images:
//
//	multipart/mixed                  (only with other attachments)
//	  multipart/alternative
//	    text/plain
//	    multipart/related; type="text/html"   (RFC 2387)
//	      text/html                    (shows the images as cid:...)
//	      image/png ... Content-ID: <...>, Content-Disposition: inline
//	  attachments...
//
// The text alternative stays first and whole, for clients that show no
// HTML; a client that shows HTML finds the images in the same related
// part, which is what Outlook, Gmail and Apple Mail need to show them
// rather than list them as attachments.
func writeRelated(buf *bytes.Buffer, h mail.Header, m *tickets.Mail, inline, rest []tickets.Attachment, blobs BlobSource) error {
	top := h.Header.Copy()
	if !top.Has("Mime-Version") {
		top.Set("MIME-Version", "1.0")
	}
	var mixed *message.Writer
	var alt *message.Writer
	var err error
	if len(rest) > 0 {
		top.SetContentType("multipart/mixed", nil)
		if mixed, err = message.CreateWriter(buf, top); err != nil {
			return err
		}
		var ah message.Header
		ah.SetContentType("multipart/alternative", nil)
		if alt, err = mixed.CreatePart(ah); err != nil {
			return err
		}
	} else {
		top.SetContentType("multipart/alternative", nil)
		if alt, err = message.CreateWriter(buf, top); err != nil {
			return err
		}
	}
	if err := writeTextPart(alt, "text/plain", flowedParams(), flowedText(m.Text)); err != nil {
		return err
	}
	var rh message.Header
	rh.SetContentType("multipart/related", map[string]string{"type": "text/html"})
	rel, err := alt.CreatePart(rh)
	if err != nil {
		return err
	}
	if err := writeTextPart(rel, "text/html", map[string]string{"charset": "utf-8"}, m.HTML); err != nil {
		return err
	}
	for i := range inline {
		if err := writePart(rel, &inline[i], blobs, true); err != nil {
			return err
		}
	}
	if err := rel.Close(); err != nil {
		return err
	}
	if err := alt.Close(); err != nil {
		return err
	}
	if mixed == nil {
		return nil
	}
	for i := range rest {
		if err := writePart(mixed, &rest[i], blobs, false); err != nil {
			return err
		}
	}
	return mixed.Close()
}

// writeTextPart writes one quoted-printable text part into w.
func writeTextPart(w *message.Writer, ctype string, params map[string]string, body string) error {
	var ph message.Header
	ph.SetContentType(ctype, params)
	ph.Set("Content-Transfer-Encoding", "quoted-printable")
	pw, err := w.CreatePart(ph)
	if err != nil {
		return fmt.Errorf("%s part: %w", ctype, err)
	}
	if err := writeClose(pw, body); err != nil {
		return fmt.Errorf("%s part: %w", ctype, err)
	}
	return nil
}

// writePart copies one stored attachment into w, base64, named (RFC 2231
// for non-ASCII names) as it was stored: inline with its Content-ID in
// angle brackets (RFC 2392), or as an attachment.
func writePart(w *message.Writer, a *tickets.Attachment, blobs BlobSource, inline bool) error {
	ah, name := attachmentHeader(a)
	if inline {
		_, params, _ := ah.ContentDisposition()
		ah.SetContentDisposition("inline", params)
		ah.Set("Content-ID", "<"+a.ContentID+">")
	}
	ah.Set("Content-Transfer-Encoding", "base64")
	return copyBlob(a, name, blobs, func() (io.WriteCloser, error) { return w.CreatePart(ah.Header) })
}
