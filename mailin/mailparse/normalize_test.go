package mailparse

import (
	"strings"
	"testing"

	"github.com/emersion/go-message"
	gomail "github.com/emersion/go-message/mail"
)

// normalizeTextSteps is what normalizeText does in one pass, step by step.
func normalizeTextSteps(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	s = strings.ReplaceAll(s, "\r\n", "\n")
	s = strings.ReplaceAll(s, "\r", "\n")
	s = strings.Map(func(r rune) rune {
		switch {
		case r == '\n' || r == '\t':
			return r
		case r < 0x20 || r == 0x7f || r == '\uFEFF':
			return -1
		}
		return r
	}, s)
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		if l != "-- " {
			lines[i] = strings.TrimRight(l, " \t\u00a0")
		}
	}
	return strings.TrimSpace(strings.Join(lines, "\n"))
}

var normalizeSeeds = []string{"", "a", " a \r\n b \t\r\n", "-- \r\nfirma", "-- \u00a0\n--  \n-- ", "a\r\r\nb\rc\n\r",
	"\xff\xfe a \xff\x00\xfe", "\ufeffhola\u00a0\u00a0\t \nx", "\r\x00\n\x7f\x1b[1m", "a \u00a0\xc2", "\xc2\xa0\xa0 \n", "\u2003x\u2003\n\u0085",
	"\xef\xbf\xbd\xff", "line \t\n\n\n", "a\u00a0 \u00a0"}

// checkNormalize holds normalizeText to the steps it stands for.
func checkNormalize(t *testing.T, s string) {
	t.Helper()
	if got, want := normalizeText(s), normalizeTextSteps(s); got != want {
		t.Fatalf("normalizeText(%q) = %q, the steps give %q", s, got, want)
	}
}

func TestNormalizeTextIsSteps(t *testing.T) {
	texts := append([]string{}, normalizeSeeds...)
	for _, raw := range seedFiles(t) {
		texts = append(texts, string(raw)) // whole messages: CRLF, 8-bit, controls
	}
	for _, s := range append(texts, corpusTexts(t)...) {
		checkNormalize(t, s)
	}
}

func FuzzNormalizeText(f *testing.F) {
	for _, s := range normalizeSeeds {
		f.Add(s)
	}
	f.Fuzz(checkNormalize)
}

// TestFileNameIsAttachmentHeader holds fileName, given the parameters
// readPartHeader has parsed, to go-message's AttachmentHeader.Filename
// (behind the RFC 2231 fallback) over every part of the seeds.
func TestFileNameIsAttachmentHeader(t *testing.T) {
	parts := 0
	for _, raw := range seedFiles(t) {
		e, _ := readEntity(raw)
		if e == nil {
			continue
		}
		walkEntities(e, func(p *message.Entity, multipart bool) {
			parts++
			ah := gomail.AttachmentHeader{Header: p.Header}
			want, _ := ah.Filename()
			for _, fk := range [][2]string{{"Content-Disposition", "filename"}, {"Content-Type", "name"}} {
				if name := rfc2231Fallback(p.Header.Get(fk[0]), fk[1]); name != "" {
					want = name
					break
				}
			}
			if got := readPartHeader(p.Header).name; got != cleanFileName(want) {
				t.Errorf("part %q: name %q, want %q", p.Header.Get("Content-Type"), got, cleanFileName(want))
			}
		})
	}
	if parts < 100 {
		t.Fatalf("only %d parts", parts)
	}
}
