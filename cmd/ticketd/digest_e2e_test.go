package main

import (
	"bytes"
	"fmt"
	"image/png"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-message"
	_ "github.com/emersion/go-message/charset"

	"github.com/ticketd/ticketd/internal/testkit/dovecottest"
	"github.com/ticketd/ticketd/internal/testkit/smtptest"
)

const (
	digestManager = "jefatura@ticketd.test"
	managerPass   = "s3cret-jefa"
)

// part is one entity of a mail read back from Dovecot.
type part struct {
	ctype    string
	params   map[string]string
	header   message.Header
	body     []byte
	children []*part
}

func readParts(t *testing.T, e *message.Entity) *part {
	t.Helper()
	ct, params, err := e.Header.ContentType()
	if err != nil {
		t.Fatalf("content type: %v", err)
	}
	p := &part{ctype: ct, params: params, header: e.Header}
	if mr := e.MultipartReader(); mr != nil {
		for {
			c, err := mr.NextPart()
			if err == io.EOF {
				return p
			}
			if err != nil {
				t.Fatalf("next part: %v", err)
			}
			p.children = append(p.children, readParts(t, c))
		}
	}
	if p.body, err = io.ReadAll(e.Body); err != nil {
		t.Fatalf("read %s: %v", ct, err)
	}
	return p
}

// find returns the parts of type ctype under p, depth first.
func (p *part) find(ctype string) []*part {
	var out []*part
	if p.ctype == ctype {
		out = append(out, p)
	}
	for _, c := range p.children {
		out = append(out, c.find(ctype)...)
	}
	return out
}

// TestDigestWithChartsEndToEnd: the real binary sends the managers'
// digest over SMTP; the captured message is stored in the manager's
// mailbox on a real Dovecot (IMAP APPEND, as a final delivery would) and
// fetched back over IMAP. Read back, it is multipart/alternative of the
// text and a multipart/related HTML whose three cid: images are valid
// 600×300 PNGs.
func TestDigestWithChartsEndToEnd(t *testing.T) {
	e := &e2e{t: t, dir: t.TempDir()}
	e.imap = dovecottest.Start(t, dovecottest.User{Name: deskAddr, Password: deskPass}, dovecottest.User{Name: digestManager, Password: managerPass})
	e.smtp = smtptest.StartWith(t, smtptest.Options{})
	e.dataDir = filepath.Join(e.dir, "data")
	e.writeConfig(server{addr: e.imap.Addr(), security: "none"}, server{addr: e.smtp.Addr(), security: "none"})
	f, err := os.OpenFile(e.config, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	fmt.Fprintf(f, "[digest]\nmanagers = [%q]\nperiod = \"daily\"\n", digestManager)
	f.Close()

	// Two tickets; Ana answers and resolves the first.
	e.deliver("From: Pedro <pedro@cliente.test>\nTo: soporte@ticketd.test\nSubject: Impresora\nMessage-ID: <d1@cliente.test>\n\nNo imprime.\n")
	e.deliver("From: Eva <eva@cliente.test>\nTo: soporte@ticketd.test\nSubject: Correo\nMessage-ID: <d2@cliente.test>\n\nNo llega.\n")
	e.ticketd("once")
	e.smtp.WaitFor(4, 10*time.Second) // two acks, two notifications
	e.deliver("From: Ana <ana@ticketd.test>\nTo: soporte@ticketd.test\nSubject: Re: [Soporte #1] Impresora\nMessage-ID: <ana-d1@ticketd.test>\n\n#resolve\nYa imprime: reiniciamos la cola.\n")
	e.ticketd("once")

	dry := e.ticketd("digest", "--dry-run")
	if !strings.Contains(dry, "3 charts, inline images of the HTML part") || strings.Count(dry, `<img src="cid:digest-`) != 3 {
		t.Errorf("digest --dry-run does not say where the charts go:\n%s", dry)
	}
	e.smtp.Reset()
	e.ticketd("digest")
	var digest smtptest.Message
	for _, m := range e.smtp.WaitFor(1, 10*time.Second) {
		if strings.Join(m.To, ",") == digestManager {
			digest = m
		}
	}
	if digest.Data == nil {
		t.Fatal("no digest reached the manager")
	}

	// Delivered to the manager's mailbox and read back over IMAP.
	e.imap.Append(t, digestManager, "INBOX", digest.Data)
	got := e.imap.Fetch(t, digestManager, "INBOX")
	if len(got) != 1 {
		t.Fatalf("%d messages in the manager's mailbox", len(got))
	}
	ent, err := message.Read(bytes.NewReader(got[0]))
	if err != nil {
		t.Fatalf("the digest read back from Dovecot does not parse: %v", err)
	}
	root := readParts(t, ent)
	if root.ctype != "multipart/alternative" || len(root.children) != 2 || root.children[0].ctype != "text/plain" || root.children[1].ctype != "multipart/related" {
		t.Fatalf("digest structure: %s of %d parts", root.ctype, len(root.children))
	}
	text := string(root.children[0].body)
	// The digest covers whole days up to today's midnight, so today's
	// tickets are in tomorrow's figures (the unit tests, with their own
	// clock, check those); what is open it shows as of now.
	for _, want := range []string{"Abiertos ahora:      1", "[Soporte #2] Correo — ",
		"Tickets abiertos y resueltos por día", "Cumplimiento de SLA por nivel", "< 1 d      1\r\n"} {
		if !strings.Contains(text, want) {
			t.Errorf("text part lacks %q:\n%s", want, text)
		}
	}
	rel := root.children[1]
	html := rel.find("text/html")
	if len(html) != 1 {
		t.Fatalf("%d HTML parts in the related part", len(html))
	}
	images := map[string]*part{}
	for _, img := range rel.find("image/png") {
		if d, _, _ := img.header.ContentDisposition(); d != "inline" {
			t.Errorf("image disposition %q, want inline", d)
		}
		images[strings.Trim(img.header.Get("Content-Id"), "<>")] = img
	}
	refs := regexp.MustCompile(`src="cid:([^"]+)"`).FindAllStringSubmatch(string(html[0].body), -1)
	if len(refs) != 3 || len(images) != 3 {
		t.Fatalf("%d cid references and %d images, want 3 of each", len(refs), len(images))
	}
	for _, r := range refs {
		img := images[r[1]]
		if img == nil {
			t.Fatalf("cid:%s names no part of the mail", r[1])
		}
		pic, err := png.Decode(bytes.NewReader(img.body))
		if err != nil {
			t.Fatalf("cid:%s is not a PNG: %v", r[1], err)
		}
		if s := pic.Bounds().Size(); s.X != 600 || s.Y != 300 {
			t.Errorf("cid:%s is %v, want 600x300", r[1], s)
		}
	}
}
