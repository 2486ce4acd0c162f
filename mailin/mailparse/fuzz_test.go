package mailparse

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
	corpus, err := filepath.Glob("testdata/corpus/*.eml")
	if err != nil {
		f.Fatal(err)
	}
	files = append(files, corpus...)
	realworld, err := filepath.Glob("testdata/realworld/*.eml")
	if err != nil {
		f.Fatal(err)
	}
	files = append(files, realworld...)
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
		if !utf8.ValidString(in.FullText) || strings.Contains(in.FullText, "\r") || in.FullText != strings.TrimSpace(in.FullText) {
			t.Fatalf("full text not normalised: %q", in.FullText)
		}
		if len(in.Text) > MaxTextBytes || len(in.FullText) > MaxTextBytes {
			t.Fatalf("text over the cap: %d, %d bytes", len(in.Text), len(in.FullText))
		}
		if in.Text != "" && in.FullText == "" {
			t.Fatalf("visible text %q without a full text", in.Text)
		}
		for _, id := range append([]string{in.MessageID}, append(in.InReplyTo, in.References...)...) {
			if id == "" || len(id) > maxMsgIDBytes {
				t.Fatalf("bad message id %q", id)
			}
		}
	})
}
