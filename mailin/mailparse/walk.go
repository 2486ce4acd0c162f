package mailparse

import (
	"strings"

	"github.com/emersion/go-message"
)

// walkEntities calls visit for e and every entity below it, depth first
// and in order, each multipart before its children. It visits at most
// maxParts entities and maxDepth levels of nesting, so that a hostile
// message cannot make parsing loop or recurse without bound. visit must
// not read a multipart's body: the walk reads its parts.
func walkEntities(e *message.Entity, visit func(e *message.Entity, multipart bool)) {
	seen := 0
	var walk func(e *message.Entity, depth int)
	walk = func(e *message.Entity, depth int) {
		if seen >= maxParts || depth > maxDepth {
			return
		}
		seen++
		mr := e.MultipartReader()
		visit(e, mr != nil)
		if mr == nil {
			return
		}
		for seen < maxParts {
			// An unknown charset or transfer encoding comes with a usable
			// part (read undecoded); any other error is a broken
			// structure (missing boundary, truncated message): keep what
			// was read so far.
			p, _ := mr.NextPart()
			if p == nil {
				return
			}
			walk(p, depth+1)
		}
	}
	walk(e, 0)
}

// partHeader is what the walk's visitors look at in a part's header,
// parsed once: each parse of a parameterised field allocates a map.
type partHeader struct {
	typ    string // mediaType
	params map[string]string
	// disp is the Content-Disposition value before its parameters,
	// trimmed (the raw value when unparseable).
	disp string
	name string // fileName
}

func readPartHeader(h message.Header) partHeader {
	typ, params := mediaType(h)
	disp, dispParams, _ := h.ContentDisposition()
	disp, _, _ = strings.Cut(disp, ";") // the raw value when unparseable
	return partHeader{typ: typ, params: params, disp: strings.TrimSpace(disp), name: fileName(h, dispParams, params)}
}

// inlineText reports a text/plain or text/html part not marked as an
// attachment: the parts textParts reads.
func (ph partHeader) inlineText() bool {
	return (ph.typ == "text/plain" || ph.typ == "text/html") && !strings.EqualFold(ph.disp, "attachment")
}
