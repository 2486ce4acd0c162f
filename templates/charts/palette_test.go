package charts

import (
	"image"
	"image/color"
	"testing"

	"gonum.org/v1/plot/vg/draw"
)

// TestPalettedLooksAsDrawn: a month's volume chart (the one with the most
// shades) written paletted differs from the drawn image only on a few
// edge pixels (under 5% of those not white), and there by a few levels
// (at most 12 of 255: an antialiased edge a shade lighter or darker).
func TestPalettedLooksAsDrawn(t *testing.T) {
	img := drawnVolume(t)
	defer putImage(img)
	pimg, done := paletted(img)
	if pimg == nil {
		t.Fatal("a chart was not written paletted")
	}
	defer done()
	inked, changed, worst := 0, 0, 0
	for y := range MailSize.Height {
		for x := range MailSize.Width {
			a, b := img.RGBAAt(x, y), pimg.At(x, y).(color.RGBA)
			if a != (color.RGBA{255, 255, 255, 255}) {
				inked++
			}
			if d := max(diff(a.R, b.R), diff(a.G, b.G), diff(a.B, b.B), diff(a.A, b.A)); d > 0 {
				changed++
				worst = max(worst, d)
			}
		}
	}
	t.Logf("%d of %d inked pixels changed, by at most %d levels", changed, inked, worst)
	if changed*20 > inked || worst > 12 {
		t.Errorf("%d of %d inked pixels changed, by up to %d levels: not the chart as drawn", changed, inked, worst)
	}
}

// TestPalettedIsExactWithFewColours: an image of at most 256 colours is
// written with exactly its colours (here 16 × 13).
func TestPalettedIsExactWithFewColours(t *testing.T) {
	img := image.NewRGBA(image.Rect(0, 0, 200, 120))
	for i := range len(img.Pix) / 4 {
		img.Pix[4*i], img.Pix[4*i+1], img.Pix[4*i+2], img.Pix[4*i+3] = uint8(i%16), uint8(i%13), 9, 255
	}
	pimg, done := paletted(img)
	defer done()
	for y := range 120 {
		for x := range 200 {
			if a, b := img.RGBAAt(x, y), pimg.At(x, y).(color.RGBA); a != b {
				t.Fatalf("(%d,%d): %v, drawn %v", x, y, b, a)
			}
		}
	}
}

// BenchmarkPaletted writes a month's volume chart as a paletted image.
func BenchmarkPaletted(b *testing.B) {
	img := drawnVolume(b)
	defer putImage(img)
	for range b.N {
		_, done := paletted(img)
		done()
	}
}

// drawnVolume is a month's volume chart as drawn, before it is encoded.
func drawnVolume(t testing.TB) *image.RGBA {
	t.Helper()
	w := wordsFor("es")
	c := Chart{Title: w.volume, YLabel: w.tickets}
	var opened, resolved []float64
	for _, d := range sampleDays(30) {
		c.Categories = append(c.Categories, w.day(d.Date))
		opened, resolved = append(opened, float64(d.Opened)), append(resolved, float64(d.Resolved))
	}
	c.Series = []Series{{Name: w.opened, Values: opened}, {Name: w.resolved, Values: resolved}}
	p, err := build(c, MailSize)
	if err != nil {
		t.Fatal(err)
	}
	canvas, img := newCanvas(MailSize)
	p.Draw(draw.New(canvas))
	return img
}

func diff(a, b uint8) int { return max(int(a)-int(b), int(b)-int(a)) }
