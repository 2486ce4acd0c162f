package mailparse

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"unicode/utf8"

	"github.com/ticketd/ticketd/loadtest"
	"github.com/ticketd/ticketd/tickets"
)

// seedFiles returns every .eml seed: testdata, testdata/corpus and
// testdata/realworld.
func seedFiles(t testing.TB) [][]byte {
	t.Helper()
	raws, err := readSeeds()
	if err != nil {
		t.Fatal(err)
	}
	return raws
}

func readSeeds() ([][]byte, error) {
	var out [][]byte
	for _, glob := range []string{"testdata/*.eml", "testdata/corpus/*.eml", "testdata/realworld/*.eml"} {
		files, err := filepath.Glob(glob)
		if err != nil {
			return nil, err
		}
		for _, name := range files {
			raw, err := os.ReadFile(name)
			if err != nil {
				return nil, err
			}
			out = append(out, raw)
		}
	}
	return out, nil
}

// corpusTexts are the full texts of the seeds (seedFiles) and of the
// load test's corpus, parsed once for all the tests that read them;
// clipped, so a caller's append copies.
func corpusTexts(t testing.TB) []string {
	t.Helper()
	texts, err := parsedCorpus()
	if err != nil {
		t.Fatal(err)
	}
	return slices.Clip(texts)
}

var parsedCorpus = sync.OnceValues(func() ([]string, error) {
	seeds, err := readSeeds()
	if err != nil {
		return nil, err
	}
	var texts []string
	raws, _ := loadtest.Corpus(300, 1)
	for _, raw := range append(seeds, raws...) {
		if in, err := Parse(raw); err == nil {
			texts = append(texts, in.FullText)
		}
	}
	return texts, nil
})

// FuzzVisibleText checks quote stripping on any text: no panic; the
// result is trimmed and made of the input's own lines — an interleaved
// answer's quoted context is re-quoted with "> " and set apart by a blank
// line, so it may grow by a few bytes a line, never more.
func FuzzVisibleText(f *testing.F) {
	for _, raw := range seedFiles(f) {
		if in, err := Parse(raw); err == nil {
			f.Add(in.FullText)
		}
	}
	f.Add("Hola\n\nEl lun, 2 mar 2026 a las 10:00, X escribió:\n> cita\n")
	f.Add("> a\n> b\nrespuesta abajo\n-- \nfirma")
	f.Add("De: x\nEnviado: y\n")
	f.Fuzz(func(t *testing.T, text string) {
		out := VisibleText(text)
		if len(out) > len(text)+3*strings.Count(text, "\n")+3 {
			t.Fatalf("visible text grew: %q → %q", text, out)
		}
		in := strings.ReplaceAll(text, "\u00a0", " ")
		for _, l := range strings.Split(out, "\n") {
			if !strings.Contains(in, strings.TrimPrefix(l, "> ")) {
				t.Fatalf("line %q is not in the text %q (visible %q)", l, text, out)
			}
		}
		if out != strings.TrimSpace(out) {
			t.Fatalf("not trimmed: %q", out)
		}
		if utf8.ValidString(text) && !utf8.ValidString(out) {
			t.Fatalf("valid UTF-8 in, invalid out: %q", out)
		}
	})
}

// FuzzInspect runs the whole of `ticketd inspect` (parse, classify,
// bounce and attachment scan) on any bytes: no panic, a known kind, a
// bounce only with its report, and JSON that encodes.
func FuzzInspect(f *testing.F) {
	for _, raw := range seedFiles(f) {
		f.Add(raw)
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		r, err := Inspect(raw, InspectOptions{Tag: "Soporte", Parse: Options{DeskAddress: "soporte@example.com", MaxAttachmentSize: 1 << 10}})
		if err != nil {
			return
		}
		switch r.Kind {
		case tickets.KindNormal, tickets.KindOwn:
			if r.FailedRecipients != nil || r.OriginalMessageID != "" {
				t.Fatalf("%s with bounce fields: %+v", r.Kind, r)
			}
		case tickets.KindAutoReply:
			// An auto-reply may name the mail it answers, never failed
			// recipients.
			if r.FailedRecipients != nil {
				t.Fatalf("%s with failed recipients: %+v", r.Kind, r)
			}
		case tickets.KindBounce:
			if r.FailedRecipients == nil {
				t.Fatal("bounce without failed_recipients")
			}
		default:
			t.Fatalf("unknown kind %q", r.Kind)
		}
		for _, fr := range r.FailedRecipients {
			if !tickets.PlainEmail(fr.Email) {
				t.Fatalf("failed recipient %q is not an address", fr.Email)
			}
		}
		for _, a := range r.Attachments {
			if a.Size < 0 || !utf8.ValidString(a.Name) || (a.Dropped && a.Size <= 1<<10) {
				t.Fatalf("bad attachment %+v", a)
			}
		}
		if _, err := json.Marshal(r); err != nil {
			t.Fatalf("report does not encode: %v", err)
		}
	})
}

// FuzzDSN feeds delivery-status bodies to the RFC 3464 reader.
func FuzzDSN(f *testing.F) {
	f.Add([]byte("Reporting-MTA: dns; mx\n\nFinal-Recipient: rfc822; a@b.example\nAction: failed\nStatus: 5.1.1\nDiagnostic-Code: smtp; 550\n"))
	f.Add([]byte("Final-Recipient: rfc822;<x@y.example>\n  continued\nAction: delayed\nStatus: 4.4.1\n\n\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		rs := parseDSN(b)
		if len(rs) > maxBouncedRecipients {
			t.Fatalf("%d recipients", len(rs))
		}
		for _, r := range rs {
			if !tickets.PlainEmail(r.Email) || len(r.Diagnostic) > 500 || !utf8.ValidString(r.Diagnostic) {
				t.Fatalf("bad recipient %+v", r)
			}
		}
	})
}
