package charts

import (
	"bytes"
	"errors"
	"fmt"
	"image"
	"image/color"
	"math"
	"strconv"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/text"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// Size is a chart's size in pixels.
type Size struct{ Width, Height int }

// MailSize reads well in a mail client's reading pane, beside text.
var MailSize = Size{Width: 600, Height: 300}

// dpi turns pixels into the points gonum lays out in: one pixel is one
// dot at 96 dots per inch, the screen convention.
const dpi = 96

// limits keep a bad size from allocating a huge image.
const minSide, maxSide = 120, 2400

// Series is one set of bars: one value per category, a legend name.
type Series struct {
	Name   string
	Values []float64
}

// Chart is a bar chart: categories along X, one bar per series in each
// category, side by side.
type Chart struct {
	Title      string
	YLabel     string
	Categories []string
	Series     []Series
	// Percent fixes the Y axis at 0–100 with "%" ticks.
	Percent bool
	// NoData is written in the plot when there is nothing to draw.
	NoData string
}

// palette: distinguishable for the common colour blindnesses (Okabe–Ito).
var palette = []color.RGBA{
	{0x00, 0x72, 0xb2, 0xff}, // blue
	{0xe6, 0x9f, 0x00, 0xff}, // orange
	{0x00, 0x9e, 0x73, 0xff}, // green
	{0xcc, 0x79, 0xa7, 0xff}, // purple
}

// PNG draws c as a PNG image of size sz. The same chart always gives the
// same bytes: gonum lays out with its embedded Liberation fonts, and
// nothing depends on time or randomness.
func PNG(c Chart, sz Size) ([]byte, error) {
	if sz.Width < minSide || sz.Height < minSide || sz.Width > maxSide || sz.Height > maxSide {
		return nil, fmt.Errorf("chart size %dx%d: each side must be %d–%d pixels", sz.Width, sz.Height, minSide, maxSide)
	}
	for _, s := range c.Series {
		if len(s.Values) != len(c.Categories) {
			return nil, fmt.Errorf("chart %q: series %q has %d values for %d categories", c.Title, s.Name, len(s.Values), len(c.Categories))
		}
	}
	p, err := build(c, sz)
	if err != nil {
		return nil, fmt.Errorf("chart %q: %w", c.Title, err)
	}
	canvas, img := newCanvas(sz)
	defer putImage(img)
	p.Draw(draw.New(canvas))
	var out image.Image = img
	if pimg, done := paletted(img); pimg != nil {
		defer done()
		out = pimg
	}
	var buf bytes.Buffer
	if err := encoder.Encode(&buf, out); err != nil {
		return nil, fmt.Errorf("chart %q: encode png: %w", c.Title, err)
	}
	return buf.Bytes(), nil
}

func pixels(n int) vg.Length { return vg.Length(n) * vg.Inch / dpi }

// sans is Liberation Sans (embedded in gonum) at size points.
func sans(size float64) font.Font {
	return font.Font{Typeface: "Liberation", Variant: "Sans", Size: vg.Points(size)}
}

func build(c Chart, sz Size) (*plot.Plot, error) {
	p := plot.New()
	// The canvas is white already (newCanvas): painting the background
	// again is a fill of every pixel through the rasterizer, for nothing.
	p.BackgroundColor = nil
	p.Title.Text = c.Title
	p.Y.Label.Text = c.YLabel
	// Sans-serif reads better at mail size than gonum's default serif.
	for st, size := range map[*text.Style]float64{
		&p.Title.TextStyle: 13, &p.Y.Label.TextStyle: 10, &p.X.Tick.Label: 9,
		&p.Y.Tick.Label: 9, &p.Legend.TextStyle: 10,
	} {
		st.Font = sans(size)
	}
	p.Legend.Top = true
	p.Legend.Left = true
	grid := plotter.NewGrid()
	grid.Vertical.Color = nil // categories need no vertical lines
	p.Add(grid)

	most := 0.0
	for _, s := range c.Series {
		for _, v := range s.Values {
			if math.IsNaN(v) || math.IsInf(v, 0) || v < 0 {
				return nil, errors.New("values must be finite and not negative")
			}
			most = max(most, v)
		}
	}
	if c.Percent {
		p.Y.Min, p.Y.Max = 0, 100
		p.Y.Tick.Marker = percentTicks{}
	} else {
		p.Y.Min, p.Y.Max = 0, niceMax(most)
		p.Y.Tick.Marker = countTicks{}
	}
	if len(c.Categories) == 0 || len(c.Series) == 0 {
		p.HideX()
		if c.NoData != "" {
			l, err := plotter.NewLabels(plotter.XYLabels{XYs: plotter.XYs{{X: 0.5, Y: p.Y.Max / 2}}, Labels: []string{c.NoData}})
			if err != nil {
				return nil, err
			}
			l.TextStyle[0].Font = sans(12)
			l.TextStyle[0].XAlign = draw.XCenter
			p.X.Min, p.X.Max = 0, 1
			p.Add(l)
		}
		return p, nil
	}

	// The bars of one category share 70% of its width; the category
	// width is about the plot's inner width (the image less the Y axis
	// and margins) over the number of categories.
	p.X.Min, p.X.Max = -0.5, float64(len(c.Categories))-0.5
	inner := pixels(sz.Width - 70)
	slot := inner / vg.Length(len(c.Categories))
	barW := slot * 0.7 / vg.Length(len(c.Series))
	for i, s := range c.Series {
		bars, err := plotter.NewBarChart(plotter.Values(s.Values), barW)
		if err != nil {
			return nil, err
		}
		bars.Color = palette[i%len(palette)]
		bars.LineStyle.Width = 0
		bars.Offset = barW * (vg.Length(i) - vg.Length(len(c.Series)-1)/2)
		p.Add(bars)
		if s.Name != "" {
			p.Legend.Add(s.Name, bars)
		}
	}
	p.NominalX(c.Categories...)
	if len(c.Series) > 1 {
		// Room above the tallest bar for the legend.
		p.Y.Max *= 1.2
		if c.Percent {
			p.Y.Max = 125
		}
	}
	return p, nil
}

// niceMax is the top of a count axis: at least 1, rounded up to a step
// of countTicks.
func niceMax(most float64) float64 {
	if most < 1 {
		return 1
	}
	step := countStep(most)
	return math.Ceil(most/step) * step
}

// countStep is 1, 2 or 5 × 10ⁿ, for about five ticks up to most.
func countStep(most float64) float64 {
	raw := most / 5
	if raw <= 1 {
		return 1
	}
	mag := math.Pow(10, math.Floor(math.Log10(raw)))
	for _, m := range []float64{1, 2, 5, 10} {
		if raw <= m*mag {
			return m * mag
		}
	}
	return 10 * mag
}

// countTicks labels whole numbers only: a chart of tickets has no half
// tickets.
type countTicks struct{}

func (countTicks) Ticks(lo, hi float64) []plot.Tick {
	step := countStep(hi)
	var ts []plot.Tick
	for v := math.Max(0, math.Ceil(lo)); v <= hi+1e-9; v += step {
		ts = append(ts, plot.Tick{Value: v, Label: strconv.FormatFloat(v, 'f', 0, 64)})
	}
	return ts
}

// percentTicks labels 0–100% by 25.
type percentTicks struct{}

func (percentTicks) Ticks(lo, hi float64) []plot.Tick {
	var ts []plot.Tick
	for v := 0.0; v <= 100; v += 25 {
		if v >= lo && v <= hi {
			ts = append(ts, plot.Tick{Value: v, Label: strconv.Itoa(int(v)) + "%"})
		}
	}
	return ts
}
