package tickets

import (
	"bytes"
	"fmt"
	htmltemplate "html/template"
	"time"

	"github.com/ticketd/ticketd/templates"
	"github.com/ticketd/ticketd/templates/charts"
)

// DigestImage is one chart a digest carries: an inline PNG of its HTML
// part, named by ContentID ("cid:" in the HTML, RFC 2392).
type DigestImage struct {
	Name      string `json:"name"` // volume.png, sla.png, backlog.png
	ContentID string `json:"content_id"`
	Size      int    `json:"size"` // bytes
	png       []byte
}

// digestCharts draws the digest's charts from cd in the desk's language
// and points d's HTML at them. Their Content-IDs are unique to the
// digest (its instant) under the desk's domain.
func (s *Service) digestCharts(d *templates.Digest, cd chartData, now time.Time) ([]DigestImage, error) {
	lang := string(s.deskLanguage(nil))
	sz := charts.MailSize
	var out []DigestImage
	for _, c := range []struct {
		name string
		draw func() ([]byte, error)
		into **templates.Chart
	}{
		{"volume", func() ([]byte, error) { return charts.Volume(lang, cd.days, sz) }, &d.VolumeChart},
		{"sla", func() ([]byte, error) { return charts.SLA(lang, cd.tiers, sz) }, &d.SLAChart},
		{"backlog", func() ([]byte, error) { return charts.Backlog(lang, cd.ages, sz) }, &d.AgeChart},
	} {
		png, err := c.draw()
		if err != nil {
			return nil, fmt.Errorf("digest chart %s: %w", c.name, err)
		}
		cid := fmt.Sprintf("digest-%s.%d@%s", c.name, now.UnixNano(), domainOf(s.opts.Desk.Email))
		out = append(out, DigestImage{Name: c.name + ".png", ContentID: cid, Size: len(png), png: png})
		*c.into = &templates.Chart{Src: htmltemplate.URL("cid:" + cid), Width: sz.Width, Height: sz.Height}
	}
	return out, nil
}

// storeCharts puts the charts in the attachment store, before the
// transaction that queues the mail (mails are complete when queued), and
// returns them as the mail's inline attachments. The store is content
// addressed: a chart drawn twice is kept once.
func (s *Service) storeCharts(images []DigestImage) ([]Attachment, error) {
	var out []Attachment
	for _, img := range images {
		sum, n, err := s.opts.Blobs.Put(bytes.NewReader(img.png), 0)
		if err != nil {
			return nil, fmt.Errorf("digest chart %s: %w", img.Name, err)
		}
		out = append(out, Attachment{Name: img.Name, Type: "image/png", Size: n, SHA256: sum, Stored: true,
			Inline: true, ContentID: img.ContentID})
	}
	return out, nil
}
