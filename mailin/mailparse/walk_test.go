package mailparse

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	"github.com/emersion/go-message"
)

// TestWalkEntitiesBounds: a hostile MIME tree, very deep or very wide, is
// walked only to maxDepth levels and maxParts entities, in order.
func TestWalkEntitiesBounds(t *testing.T) {
	count := func(raw string) (n, leaves int, first string) {
		e, err := message.Read(strings.NewReader(raw))
		if err != nil && e == nil {
			t.Fatal(err)
		}
		walkEntities(e, func(e *message.Entity, multipart bool) {
			n++
			if !multipart {
				leaves++
				if first == "" {
					b := new(bytes.Buffer)
					_, _ = b.ReadFrom(e.Body)
					first = strings.TrimSpace(b.String())
				}
			}
		})
		return n, leaves, first
	}

	// 100 nested multiparts with a text part at the bottom.
	var deep strings.Builder
	for i := range 100 {
		fmt.Fprintf(&deep, "Content-Type: multipart/mixed; boundary=b%d\r\n\r\n--b%d\r\n", i, i)
	}
	deep.WriteString("Content-Type: text/plain\r\n\r\nbottom\r\n")
	if n, leaves, _ := count(deep.String()); n != maxDepth+1 || leaves != 0 {
		t.Errorf("deep tree: visited %d entities (%d leaves), want %d multiparts only", n, leaves, maxDepth+1)
	}

	// One multipart with 600 text parts.
	var wide strings.Builder
	wide.WriteString("Content-Type: multipart/mixed; boundary=XX\r\n\r\n")
	for i := range 600 {
		fmt.Fprintf(&wide, "--XX\r\nContent-Type: text/plain\r\n\r\npart %d\r\n", i)
	}
	wide.WriteString("--XX--\r\n")
	if n, leaves, first := count(wide.String()); n != maxParts || leaves != maxParts-1 || first != "part 0" {
		t.Errorf("wide tree: visited %d entities (%d leaves, first %q), want %d (%d leaves, first \"part 0\")",
			n, leaves, first, maxParts, maxParts-1)
	}
}
