package templates

import "testing"

// TestTidyBodyInPlace: tidying a render buffer in place gives tidyBody's
// text.
func TestTidyBodyInPlace(t *testing.T) {
	for _, s := range []string{"", "\n", " \t\n", "\n\nHola\n  \n", "a\r\nb\r\n", "a\rb", "x", "\n x \t", "a\n\n\nb\n"} {
		buf := append(make([]byte, 0, len(s)), s...) // no spare capacity
		if got, want := string(tidyBodyInPlace(buf)), tidyBody(s); got != want {
			t.Errorf("%q: %q, want %q", s, got, want)
		}
	}
}
