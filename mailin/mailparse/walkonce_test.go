package mailparse

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/ticketd/ticketd/loadtest"
	"github.com/ticketd/ticketd/tickets"
)

// overlapMails have inline text parts with a file name, the one kind of
// part both the text walk and the parts walk read.
func overlapMails() [][]byte {
	part := func(typ, cte, body string) string {
		return "--b\r\nContent-Type: " + typ + "; charset=utf-8; name=\"nota.txt\"\r\nContent-Transfer-Encoding: " + cte + "\r\n\r\n" + body + "\r\n"
	}
	head := "From: Ana <ana@example.com>\r\nTo: soporte@example.com\r\nSubject: Nota\r\nMessage-ID: <n@example.com>\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"b\"\r\n\r\n"
	long := strings.Repeat("Una línea larga de texto para pasar el presupuesto de lectura.\r\n", (maxPlainRead/60)+100)
	bodies := [][]string{
		{part("text/plain", "8bit", "Hola, adjunto la nota.")},
		{part("text/plain", "8bit", "Primero."), part("text/plain", "base64", "SG9sYSBtdW5kbw==")},
		{part("text/plain", "base64", "SG9sYSBtd!!!W5kbw==")}, // broken base64: both see the same error
		{part("text/plain", "quoted-printable", "Caf=C3=A9 =ZZ roto")},
		{part("text/html", "8bit", "<p>Hola <b>mundo</b></p>")},
		{part("text/plain", "8bit", long)}, // longer than the text budget
		{part("text/plain", "8bit", long), part("text/plain", "8bit", "Después del presupuesto.")},
		{"--b\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nEl texto.\r\n", part("text/plain", "8bit", "Y la nota.")},
	}
	var out [][]byte
	for _, b := range bodies {
		out = append(out, []byte(head+strings.Join(b, "")+"--b--\r\n"))
	}
	return out
}

// TestOneWalkIsTwoWalks: the single walk of ParseWithOptions gives what
// the text walk and the parts walk gave, on every message of the corpus,
// the load test's mail and the overlapping parts, with and without an
// attachment store and a size limit.
func TestOneWalkIsTwoWalks(t *testing.T) {
	raws := overlapMails()
	for i, raw := range raws {
		in, err := parseSafely(raw, Options{}, bodyText) // the two walks
		if err != nil || in.FullText == "" || len(in.Attachments) == 0 {
			t.Fatalf("overlap mail %d: %v; text %q, %d attachments: the test needs both", i, err, in.FullText, len(in.Attachments))
		}
	}
	files, _ := filepath.Glob("testdata/*.eml")
	more, _ := filepath.Glob("testdata/*/*.eml")
	for _, f := range append(files, more...) {
		raw, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		raws = append(raws, raw)
	}
	corpus, _ := loadtest.Corpus(200, 1)
	raws = append(raws, corpus...)

	blobs, err := tickets.OpenBlobs(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	for _, opts := range []Options{{}, {Attachments: blobs}, {Attachments: blobs, MaxAttachmentSize: 100}, {MaxAttachmentSize: 10}} {
		for i, raw := range raws {
			want, werr := parseSafely(raw, opts, bodyText)
			got, gerr := ParseWithOptions(raw, opts)
			if (werr == nil) != (gerr == nil) || !reflect.DeepEqual(got, want) {
				t.Errorf("message %d (opts %+v): one walk gives\n%+v, %v\ntwo walks give\n%+v, %v", i, opts, got, gerr, want, werr)
			}
		}
	}
}
