package charts

import (
	"image"
	"image/png"
	"sync"

	"git.sr.ht/~sbinet/gg"
	xdraw "golang.org/x/image/draw"
	"gonum.org/v1/plot/vg/vgimg"
)

// newCanvas is a white canvas of sz pixels at dpi, and the image it
// draws into. It draws straight into an image of its own: vgimg.NewWith
// without an image allocates one and gg then copies it into another
// (gg.NewContextForImage), a second 600×300×4-byte buffer written for
// nothing, which in a short-lived command is mostly the page faults of
// fresh memory (BenchmarkCharts and a profile of "ticketd digest
// --dry-run"). The image comes from a pool: the charts drawn one after
// the other reuse it (putImage), and NewWith paints it all white first.
// The context gets what NewWith gives its own: butt line caps and Y
// pointing up.
func newCanvas(sz Size) (*vgimg.Canvas, *image.RGBA) {
	img, _ := images.Get().(*image.RGBA)
	if img == nil || img.Rect.Dx() != sz.Width || img.Rect.Dy() != sz.Height {
		img = image.NewRGBA(image.Rect(0, 0, sz.Width, sz.Height))
	}
	ctx := gg.NewContextForRGBA(img)
	ctx.SetLineCapButt()
	ctx.SetInterpolator(textInterpolator)
	ctx.InvertY()
	// Size and DPI: the image's pixels at dpi. The background is
	// NewWith's default, white, painted over the whole image.
	return vgimg.NewWith(vgimg.UseImageWithContext(img, ctx), vgimg.UseDPI(dpi)), img
}

// textInterpolator is how gg puts each glyph's mask on the image:
// bilinear by default, but a chart's glyphs land on whole pixels (each
// mask is rasterized at the pen's fraction of a pixel), where nearest
// neighbour gives the same pixels for less work
// (TestTextInterpolatorDrawsTheSame) — and no blur if one ever did not.
var textInterpolator xdraw.Interpolator = xdraw.NearestNeighbor

// images are the canvases' images, kept for the next chart once its PNG
// is written.
var images sync.Pool

// putImage gives img back for the next chart.
func putImage(img *image.RGBA) { images.Put(img) }

// encoder writes the charts' PNGs. Fast compression: deflate is a large
// part of drawing a chart; BestSpeed takes about an eighth less CPU than
// the default level (BenchmarkCharts) for files a few percent larger.
// Its buffer pool keeps the deflate state (a few hundred KB) and row
// buffers between charts instead of allocating them for each.
var encoder = png.Encoder{CompressionLevel: png.BestSpeed, BufferPool: &encoderPool{}}

// encoderPool is a png.EncoderBufferPool safe for the charts drawn at
// once.
type encoderPool struct{ p sync.Pool }

func (e *encoderPool) Get() *png.EncoderBuffer {
	b, _ := e.p.Get().(*png.EncoderBuffer)
	return b // nil: the encoder makes a new one
}

func (e *encoderPool) Put(b *png.EncoderBuffer) { e.p.Put(b) }
