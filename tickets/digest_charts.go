package tickets

import (
	"bytes"
	"errors"
	"fmt"
	htmltemplate "html/template"
	"runtime"
	"sync"
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

// drawCharts points d's HTML at the digest's charts and starts drawing
// them from cd in the desk's language, as many at once as there are
// cores (GOMAXPROCS): the three charts are most of a digest's CPU, and
// drawn side by side, and beside the mail's rendering, which needs only
// their Content-IDs, they take the wall time of about one or two. No
// more at once than cores: a chart drawn after another reuses its image
// and PNG buffers (package charts), memory a short-lived command would
// otherwise fault in afresh. wait returns them in a fixed order. Their
// Content-IDs are unique to the digest (its instant) under the desk's
// domain.
func (s *Service) drawCharts(d *templates.Digest, cd chartData, now time.Time) (wait func() ([]DigestImage, error)) {
	lang := string(s.deskLanguage(nil))
	sz := charts.MailSize
	kinds := []struct {
		name string
		draw func() ([]byte, error)
		into **templates.Chart
	}{
		{"volume", func() ([]byte, error) { return charts.Volume(lang, cd.days, sz) }, &d.VolumeChart},
		{"sla", func() ([]byte, error) { return charts.SLA(lang, cd.tiers, sz) }, &d.SLAChart},
		{"backlog", func() ([]byte, error) { return charts.Backlog(lang, cd.ages, sz) }, &d.AgeChart},
	}
	out := make([]DigestImage, len(kinds))
	errs := make([]error, len(kinds))
	var wg sync.WaitGroup
	cores := make(chan struct{}, runtime.GOMAXPROCS(0))
	for i, c := range kinds {
		cid := fmt.Sprintf("digest-%s.%d@%s", c.name, now.UnixNano(), domainOf(s.opts.Desk.Email))
		out[i] = DigestImage{Name: c.name + ".png", ContentID: cid}
		*c.into = &templates.Chart{Src: htmltemplate.URL("cid:" + cid), Width: sz.Width, Height: sz.Height}
		wg.Go(func() {
			cores <- struct{}{}
			defer func() { <-cores }()
			defer func() {
				// gonum panics on some failures (a font it cannot
				// load); a digest reports it rather than crash the daemon.
				if r := recover(); r != nil {
					errs[i] = fmt.Errorf("digest chart %s: panic: %v", c.name, r)
				}
			}()
			png, err := c.draw()
			if err != nil {
				errs[i] = fmt.Errorf("digest chart %s: %w", c.name, err)
				return
			}
			out[i].png, out[i].Size = png, len(png)
		})
	}
	return func() ([]DigestImage, error) {
		wg.Wait()
		if err := errors.Join(errs...); err != nil {
			return nil, err
		}
		return out, nil
	}
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
