package tickets

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"github.com/ticketd/ticketd/templates"
)

// ErrTooLarge is returned by Blobs.Put for content over its limit.
var ErrTooLarge = errors.New("attachment larger than the limit")

// ErrStorage is wrapped by the errors of Blobs when the file system fails
// (a full disk, a permission, an unreadable file): nothing is wrong with
// the mail, so it is kept (left in the inbox, left in the outbox) and
// tried again later, never dropped or reported to its sender.
var ErrStorage = errors.New("attachment storage failed")

// Blobs is the content-addressed attachment store: each attachment's
// decoded bytes live once in dir/<sha256[:2]>/<sha256>, however many
// messages carry it. Files are written to a temporary name and renamed
// into place, so a file under its final name is always complete; a crash
// leaves at most a temporary file, or an unreferenced blob (harmless:
// the same content gets the same name when the message is applied again).
type Blobs struct {
	dir string
}

// OpenBlobs opens (creating) the store in dir.
func OpenBlobs(dir string) (*Blobs, error) {
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return nil, fmt.Errorf("open attachment store: %w", err)
	}
	return &Blobs{dir: dir}, nil
}

// Put stores what r yields, at most limit bytes (limit <= 0: no limit),
// and returns its hex SHA-256 and size. Over the limit it keeps nothing
// and returns ErrTooLarge with size the whole length of r.
func (b *Blobs) Put(r io.Reader, limit int64) (sum string, size int64, err error) {
	bufp := smallBlobs.Get().(*[]byte)
	defer smallBlobs.Put(bufp)
	n, err := io.ReadFull(r, *bufp)
	switch {
	case err == nil: // more than a small blob: stream it through a file
		return b.write(io.MultiReader(bytes.NewReader((*bufp)[:n]), r), limit)
	case err != io.EOF && err != io.ErrUnexpectedEOF:
		return "", int64(n), fmt.Errorf("store attachment: %w", err)
	}
	small := (*bufp)[:n]
	if limit > 0 && int64(n) > limit {
		return "", int64(n), ErrTooLarge
	}
	h := sha256.Sum256(small)
	sum = hex.EncodeToString(h[:])
	// A file under its final name is always complete (write renames it
	// into place), and the same content has the same name.
	if fi, err := os.Stat(b.path(sum)); err == nil && fi.Mode().IsRegular() && fi.Size() == int64(n) {
		return sum, int64(n), nil
	}
	return b.write(bytes.NewReader(small), limit)
}

// smallBlob is the size up to which Put hashes an attachment in memory
// before touching the disk: content already stored (the logo in every
// signature of a sender's mail, a file sent twice) then costs one stat
// instead of a temporary file, its write and a rename over the old
// file — about 300 µs of CPU each on this machine's ext4, which made
// storing 4 % of messages' attachments a tenth of parsing them all.
// Larger content is streamed, so memory stays bounded.
const smallBlob = 64 << 10

// smallBlobs are Put's buffers (one per concurrent Put, reused).
var smallBlobs = sync.Pool{New: func() any { b := make([]byte, smallBlob); return &b }}

// write stores what r yields through a temporary file renamed into place.
func (b *Blobs) write(r io.Reader, limit int64) (sum string, size int64, err error) {
	tmp, err := os.CreateTemp(b.dir, ".put-*")
	if err != nil {
		return "", 0, storageErr(err)
	}
	defer func() {
		if tmp != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	h := sha256.New()
	src := r
	if limit > 0 {
		src = io.LimitReader(r, limit+1)
	}
	// Tell the disk's errors (ErrStorage) from the message's (a body
	// that cannot be decoded).
	dst := &writeErr{w: tmp}
	n, err := io.Copy(io.MultiWriter(dst, h), src)
	if dst.err != nil {
		return "", n, storageErr(dst.err)
	}
	if err != nil {
		return "", n, fmt.Errorf("store attachment: %w", err)
	}
	if limit > 0 && n > limit {
		rest, _ := io.Copy(io.Discard, r) // its size, for the record
		return "", n + rest, ErrTooLarge
	}
	if err := tmp.Close(); err != nil {
		return "", n, storageErr(err)
	}
	sum = hex.EncodeToString(h.Sum(nil))
	final := b.path(sum)
	if err := os.MkdirAll(filepath.Dir(final), 0o750); err != nil {
		return "", n, storageErr(err)
	}
	if err := os.Rename(tmp.Name(), final); err != nil {
		return "", n, storageErr(err)
	}
	tmp = nil
	return sum, n, nil
}

func storageErr(err error) error { return fmt.Errorf("store attachment: %w: %w", ErrStorage, err) }

// writeErr remembers the error of its writer.
type writeErr struct {
	w   io.Writer
	err error
}

func (w *writeErr) Write(p []byte) (int, error) {
	n, err := w.w.Write(p)
	if err != nil && w.err == nil {
		w.err = err
	}
	return n, err
}

// Open returns the content stored under sum.
func (b *Blobs) Open(sum string) (io.ReadCloser, error) {
	if !validSum(sum) {
		return nil, fmt.Errorf("open attachment %q: not a sha256", sum)
	}
	f, err := os.Open(b.path(sum))
	if err != nil {
		return nil, fmt.Errorf("open attachment: %w: %w", ErrStorage, err)
	}
	return storageReader{f}, nil
}

// storageReader marks its file's read errors as ErrStorage. (Not an
// embedded *os.File: its WriteTo would bypass Read.)
type storageReader struct{ f *os.File }

func (r storageReader) Close() error { return r.f.Close() }

func (r storageReader) Read(p []byte) (int, error) {
	n, err := r.f.Read(p)
	if err != nil && err != io.EOF {
		err = fmt.Errorf("read attachment: %w: %w", ErrStorage, err)
	}
	return n, err
}

func (b *Blobs) path(sum string) string { return filepath.Join(b.dir, sum[:2], sum) }

func validSum(s string) bool {
	if len(s) != 64 {
		return false
	}
	_, err := hex.DecodeString(s)
	return err == nil && strings.ToLower(s) == s
}

// storedAttachments returns the attachments of m whose content is in the
// store: the ones that can go out with a relayed mail.
func storedAttachments(m *Inbound) []Attachment {
	var out []Attachment
	for _, a := range m.Attachments {
		if a.Stored && !a.Dropped && validSum(a.SHA256) {
			out = append(out, a)
		}
	}
	return out
}

// tellDropped tells the sender of m which of its attachments were not
// kept and why (too large, or damaged), so they can send them again.
func (a *applier) tellDropped(t *Ticket, m *Inbound) error {
	from := NewAddress(m.From.Name, m.From.Email)
	lang := a.languageFor(t, []Address{from})
	var lines []string
	for _, at := range m.Attachments {
		if at.Dropped {
			name := at.Name
			if name == "" {
				name = "(" + at.Type + ")"
			}
			why := "attachment_too_large"
			if at.Unreadable {
				why = "attachment_unreadable"
			}
			lines = append(lines, fmt.Sprintf("%s (%s): %s", name, humanSize(at.Size), phrase(a.s.opts.Templates, lang, why, templates.Phrase{})))
		}
	}
	if len(lines) == 0 {
		return nil
	}
	th := thread{inReplyTo: m.MessageID, references: []string{m.MessageID}}
	return a.queue(t, outgoing{kind: templates.AttachmentDropped, to: []Address{from}, thread: th, auto: AutoReplied,
		text: strings.Join(lines, "\n")})
}

// humanSize formats n bytes for people: 512 B, 3.4 MB.
func humanSize(n int64) string {
	switch {
	case n < 1<<10:
		return fmt.Sprintf("%d B", n)
	case n < 1<<20:
		return fmt.Sprintf("%.1f KB", float64(n)/(1<<10))
	default:
		return fmt.Sprintf("%.1f MB", float64(n)/(1<<20))
	}
}
