package mailparse

import (
	"bytes"
	"io"

	"github.com/emersion/go-message"
)

// textAndParts is bodyText and scanParts in one walk of the MIME tree:
// a message is read (and its header blocks parsed) once instead of
// twice. The two visitors read disjoint parts but for one case, an
// inline text part with a file name (textParts takes it as text,
// partsInfo as an attachment): partsInfo reads it first through a tee
// that keeps what textParts may read of it (its budget and one byte
// more), and textParts then reads that and whatever partsInfo left
// unread, so each sees the bytes, and the decoding error, it would have
// seen alone.
func textAndParts(e *message.Entity, opts Options) (text string, cut bool, info partsInfo) {
	tp := newTextParts()
	info = partsInfo{opts: opts}
	walkEntities(e, func(p *message.Entity, multipart bool) {
		if multipart {
			info.visit(p, true)
			return
		}
		ph := readPartHeader(p.Header) // once for both visitors
		if !ph.inlineText() || ph.name == "" {
			info.visitPart(p, ph)
			tp.visitPart(p, ph)
			return
		}
		left := tp.plainLeft
		if ph.typ == "text/html" {
			left = tp.htmlLeft
		}
		src := &stickyReader{r: p.Body}
		head := headBuffer{max: int(max(left, 0)) + 1}
		p.Body = io.TeeReader(src, &head)
		info.visitPart(p, ph)
		p.Body = io.MultiReader(bytes.NewReader(head.b), src)
		tp.visitPart(p, ph)
	})
	text, cut = tp.text()
	return text, cut, info
}

// stickyReader returns the first error of r for ever after: a reader
// read again after an error gives what a reader read once would have.
type stickyReader struct {
	r   io.Reader
	err error
}

func (s *stickyReader) Read(p []byte) (int, error) {
	if s.err != nil {
		return 0, s.err
	}
	n, err := s.r.Read(p)
	s.err = err
	return n, err
}
