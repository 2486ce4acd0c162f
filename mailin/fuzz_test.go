package mailin

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzParse checks that Parse never panics and that whatever it returns
// holds the invariants the workflow relies on.
func FuzzParse(f *testing.F) {
	files, err := filepath.Glob("testdata/*.eml")
	if err != nil {
		f.Fatal(err)
	}
	for _, name := range files {
		raw, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(raw)
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		in, err := Parse(raw)
		if err != nil {
			return
		}
		if in.MessageID == "" || in.From.Email == "" || !strings.Contains(in.From.Email, "@") {
			t.Fatalf("incomplete Inbound without error: %#v", in)
		}
		if in.Size != int64(len(raw)) || len(in.ContentHash) != 64 {
			t.Fatalf("bad size/hash: %d %q", in.Size, in.ContentHash)
		}
		if !utf8.ValidString(in.Text) || !utf8.ValidString(in.Subject) || strings.Contains(in.Text, "\r") {
			t.Fatalf("text not normalised: %q / %q", in.Subject, in.Text)
		}
		if in.Text != strings.TrimSpace(in.Text) {
			t.Fatalf("text not trimmed: %q", in.Text)
		}
	})
}
