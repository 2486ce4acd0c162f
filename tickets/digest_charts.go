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

// chartDrawer draws a digest's charts in the desk's language, each
// started (start) as soon as its numbers are known, so the first ones
// are drawn while the later figures and the lists are still read, and
// all of them beside the mail's rendering, which needs only their
// Content-IDs: the three charts are most of a digest's CPU. As many at
// once as there are cores (GOMAXPROCS), no more: a chart drawn after
// another reuses its image and PNG buffers (package charts), memory a
// short-lived command would otherwise fault in afresh. wait returns them
// in a fixed order. Their Content-IDs are unique to the digest (its
// instant) under the desk's domain.
type chartDrawer struct {
	d      *templates.Digest
	lang   string
	sz     charts.Size
	suffix string // of the Content-IDs: ".instant@domain"
	wg     sync.WaitGroup
	cores  chan struct{}
	out    [len(digestCharts)]DigestImage
	errs   [len(digestCharts)]error
}

// The digest's charts, in the order wait returns them.
const (
	chartVolume = iota
	chartSLA
	chartBacklog
)

var digestCharts = [...]string{chartVolume: "volume", chartSLA: "sla", chartBacklog: "backlog"}

func (s *Service) newChartDrawer(d *templates.Digest, now time.Time) *chartDrawer {
	return &chartDrawer{d: d, lang: string(s.deskLanguage(nil)), sz: charts.MailSize,
		suffix: fmt.Sprintf(".%d@%s", now.UnixNano(), domainOf(s.opts.Desk.Email)),
		cores:  make(chan struct{}, runtime.GOMAXPROCS(0))}
}

// volume, sla and backlog start drawing their chart from its numbers
// and point the digest's HTML at it. A nil drawer draws nothing.
func (c *chartDrawer) volume(days []charts.Day) {
	if c == nil {
		return
	}
	c.start(chartVolume, &c.d.VolumeChart, func() ([]byte, error) { return charts.Volume(c.lang, days, c.sz) })
}

func (c *chartDrawer) sla(tiers []charts.TierSLA) {
	if c == nil {
		return
	}
	c.start(chartSLA, &c.d.SLAChart, func() ([]byte, error) { return charts.SLA(c.lang, tiers, c.sz) })
}

func (c *chartDrawer) backlog(ages []charts.Bucket) {
	if c == nil {
		return
	}
	c.start(chartBacklog, &c.d.AgeChart, func() ([]byte, error) { return charts.Backlog(c.lang, ages, c.sz) })
}

func (c *chartDrawer) start(i int, into **templates.Chart, draw func() ([]byte, error)) {
	name := digestCharts[i]
	cid := "digest-" + name + c.suffix
	c.out[i] = DigestImage{Name: name + ".png", ContentID: cid}
	*into = &templates.Chart{Src: htmltemplate.URL("cid:" + cid), Width: c.sz.Width, Height: c.sz.Height}
	c.wg.Go(func() {
		c.cores <- struct{}{}
		defer func() { <-c.cores }()
		defer func() {
			// gonum panics on some failures (a font it cannot
			// load); a digest reports it rather than crash the daemon.
			if r := recover(); r != nil {
				c.errs[i] = fmt.Errorf("digest chart %s: panic: %v", name, r)
			}
		}()
		png, err := draw()
		if err != nil {
			c.errs[i] = fmt.Errorf("digest chart %s: %w", name, err)
			return
		}
		c.out[i].png, c.out[i].Size = png, len(png)
	})
}

// wait returns the charts once all are drawn; none from a nil drawer.
func (c *chartDrawer) wait() ([]DigestImage, error) {
	if c == nil {
		return nil, nil
	}
	c.wg.Wait()
	if err := errors.Join(c.errs[:]...); err != nil {
		return nil, err
	}
	return c.out[:], nil
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
