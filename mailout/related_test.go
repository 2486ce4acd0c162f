package mailout

import (
	"bytes"
	"image/png"
	"io"
	"mime"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-message"

	"github.com/ticketd/ticketd/templates/charts"
	"github.com/ticketd/ticketd/tickets"
)

// node is one entity of a parsed message: its type, headers, decoded
// body (leaves) and children (multiparts).
type node struct {
	ctype    string
	params   map[string]string
	header   message.Header
	body     []byte
	children []*node
}

func parseTree(t *testing.T, raw []byte) *node {
	t.Helper()
	e, err := message.Read(bytes.NewReader(raw))
	if err != nil {
		t.Fatalf("parse: %v", err)
	}
	return walk(t, e)
}

func walk(t *testing.T, e *message.Entity) *node {
	t.Helper()
	ct, params, err := e.Header.ContentType()
	if err != nil {
		t.Fatalf("content type: %v", err)
	}
	n := &node{ctype: ct, params: params, header: e.Header}
	if mr := e.MultipartReader(); mr != nil {
		for {
			p, err := mr.NextPart()
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Fatalf("next part: %v", err)
			}
			n.children = append(n.children, walk(t, p))
		}
		return n
	}
	if n.body, err = io.ReadAll(e.Body); err != nil {
		t.Fatalf("read %s: %v", ct, err)
	}
	return n
}

func (n *node) types() []string {
	var out []string
	for _, c := range n.children {
		out = append(out, c.ctype)
	}
	return out
}

// chartMail is a mail whose HTML shows two real charts by Content-ID,
// and carries a PDF as an ordinary attachment when withPDF.
func chartMail(t *testing.T, withPDF bool) (*tickets.Mail, *tickets.Blobs, map[string][]byte) {
	t.Helper()
	blobs, err := tickets.OpenBlobs(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	vol, err := charts.Volume("es", []charts.Day{{Date: queued, Opened: 3, Resolved: 1}, {Date: queued.AddDate(0, 0, 1), Opened: 2, Resolved: 4}}, charts.MailSize)
	if err != nil {
		t.Fatal(err)
	}
	bl, err := charts.Backlog("es", []charts.Bucket{{Label: "< 1 d", N: 4}}, charts.MailSize)
	if err != nil {
		t.Fatal(err)
	}
	images := map[string][]byte{"volume.1.abc@example.com": vol, "backlog.1.abc@example.com": bl}
	m := testMail()
	m.HTML = `<p>Resumen</p><img src="cid:volume.1.abc@example.com" alt="volumen"><img src="cid:backlog.1.abc@example.com" alt="pendientes">`
	for _, cid := range []string{"volume.1.abc@example.com", "backlog.1.abc@example.com"} {
		sum, n, err := blobs.Put(bytes.NewReader(images[cid]), 0)
		if err != nil {
			t.Fatal(err)
		}
		m.Attachments = append(m.Attachments, tickets.Attachment{Name: strings.SplitN(cid, ".", 2)[0] + ".png", Type: "image/png",
			Size: n, SHA256: sum, Stored: true, Inline: true, ContentID: cid})
	}
	if withPDF {
		sum, n, err := blobs.Put(strings.NewReader("%PDF-1.4 informe"), 0)
		if err != nil {
			t.Fatal(err)
		}
		m.Attachments = append(m.Attachments, tickets.Attachment{Name: "informe.pdf", Type: "application/pdf", Size: n, SHA256: sum, Stored: true})
	}
	return m, blobs, images
}

func TestComposeInlineImagesInRelated(t *testing.T) {
	for _, withPDF := range []bool{false, true} {
		m, blobs, images := chartMail(t, withPDF)
		raw, err := ComposeWith(m, queued.Add(time.Hour), blobs)
		if err != nil {
			t.Fatal(err)
		}
		root := parseTree(t, raw)
		alt := root
		if withPDF {
			if root.ctype != "multipart/mixed" || strings.Join(root.types(), ",") != "multipart/alternative,application/pdf" {
				t.Fatalf("with a PDF: %s of %v, want multipart/mixed of alternative and the PDF", root.ctype, root.types())
			}
			alt = root.children[0]
			if d, _, _ := root.children[1].header.ContentDisposition(); d != "attachment" {
				t.Errorf("the PDF's disposition is %q, want attachment", d)
			}
		}
		if alt.ctype != "multipart/alternative" || strings.Join(alt.types(), ",") != "text/plain,multipart/related" {
			t.Fatalf("alternative: %s of %v, want multipart/alternative of text/plain, multipart/related", alt.ctype, alt.types())
		}
		if !strings.Contains(string(alt.children[0].body), "Hola, José:") {
			t.Error("the text alternative lost its text")
		}
		rel := alt.children[1]
		if rel.params["type"] != "text/html" {
			t.Errorf("multipart/related type parameter %q, want text/html (RFC 2387)", rel.params["type"])
		}
		if got := strings.Join(rel.types(), ","); got != "text/html,image/png,image/png" {
			t.Fatalf("related parts %s, want the HTML then the two images", got)
		}
		html := string(rel.children[0].body)
		byCID := map[string]*node{}
		for _, img := range rel.children[1:] {
			id := img.header.Get("Content-ID")
			if !strings.HasPrefix(id, "<") || !strings.HasSuffix(id, ">") {
				t.Errorf("Content-ID %q is not in angle brackets", id)
			}
			if d, _, _ := img.header.ContentDisposition(); d != "inline" {
				t.Errorf("image %s: disposition %q, want inline", id, d)
			}
			byCID[strings.Trim(id, "<>")] = img
		}
		// Every cid: the HTML refers to resolves to a part holding the
		// very PNG that was stored.
		refs := regexp.MustCompile(`src="cid:([^"]+)"`).FindAllStringSubmatch(html, -1)
		if len(refs) != 2 {
			t.Fatalf("HTML has %d cid references, want 2: %s", len(refs), html)
		}
		for _, r := range refs {
			img := byCID[r[1]]
			if img == nil {
				t.Fatalf("cid:%s resolves to no part", r[1])
			}
			if !bytes.Equal(img.body, images[r[1]]) {
				t.Errorf("cid:%s: the part is not the stored image", r[1])
			}
			if _, err := png.Decode(bytes.NewReader(img.body)); err != nil {
				t.Errorf("cid:%s: %v", r[1], err)
			}
		}
		if d := root.header.Get("Date"); d == "" || root.header.Get("Message-Id") == "" {
			t.Error("the top-level headers were lost")
		}
	}
}

func TestComposeInlineWithoutHTMLIsAnAttachment(t *testing.T) {
	m, blobs, _ := chartMail(t, false)
	m.HTML = ""
	raw, err := ComposeWith(m, queued, blobs)
	if err != nil {
		t.Fatal(err)
	}
	root := parseTree(t, raw)
	if root.ctype != "multipart/mixed" || strings.Join(root.types(), ",") != "text/plain,image/png,image/png" {
		t.Fatalf("%s of %v, want multipart/mixed of the text and two attachments", root.ctype, root.types())
	}
	for _, c := range root.children[1:] {
		_, params, _ := c.header.ContentDisposition()
		if _, _, err := mime.ParseMediaType(c.header.Get("Content-Disposition")); err != nil || params["filename"] == "" {
			t.Errorf("image without HTML has no file name: %q", c.header.Get("Content-Disposition"))
		}
	}
}

func TestComposeInlineMissingBlobFails(t *testing.T) {
	m, blobs, _ := chartMail(t, false)
	m.Attachments[1].SHA256 = strings.Repeat("0", 64)
	if _, err := ComposeWith(m, queued, blobs); err == nil || !strings.Contains(err.Error(), "backlog.png") {
		t.Errorf("an image missing from the store: %v, want an error naming it", err)
	}
}
