package templates

import (
	"testing"

	"github.com/ticketd/ticketd/internal/lazyre"
)

// TestPatternsCompile compiles every regexp this package (and those it
// links) declares with lazyre: a bad pattern fails here, not on the first
// mail that reaches it.
func TestPatternsCompile(t *testing.T) {
	lazyre.CompileAll()
}
