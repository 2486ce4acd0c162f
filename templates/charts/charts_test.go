package charts

import (
	"bytes"
	"image"
	"image/png"
	"os"
	"path/filepath"
	"testing"
	"time"

	xdraw "golang.org/x/image/draw"
)

func decode(t *testing.T, b []byte) image.Image {
	t.Helper()
	img, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("not a PNG: %v", err)
	}
	return img
}

func sampleDays(n int) []Day {
	start := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	days := make([]Day, n)
	for i := range days {
		days[i] = Day{Date: start.AddDate(0, 0, i), Opened: (i*7)%11 + 1, Resolved: (i * 5) % 9}
	}
	return days
}

// draw renders each chart kind once, for the tests below.
func drawAll(t *testing.T, lang string, sz Size) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	var err error
	if out["volume"], err = Volume(lang, sampleDays(7), sz); err != nil {
		t.Fatal(err)
	}
	if out["volume_month"], err = Volume(lang, sampleDays(30), sz); err != nil {
		t.Fatal(err)
	}
	if out["sla"], err = SLA(lang, []TierSLA{{"Nivel 1", 92.5, 80}, {"Nivel 2", 100, 66.7}, {"Nivel 3", 0, 0}}, sz); err != nil {
		t.Fatal(err)
	}
	if out["backlog"], err = Backlog(lang, []Bucket{{"< 1 d", 12}, {"1–3 d", 7}, {"3–7 d", 3}, {"> 30 d", 1}}, sz); err != nil {
		t.Fatal(err)
	}
	return out
}

func TestChartsArePNGsOfTheAskedSize(t *testing.T) {
	for _, sz := range []Size{MailSize, {Width: 400, Height: 200}} {
		for name, b := range drawAll(t, "es", sz) {
			img := decode(t, b)
			if got := img.Bounds().Size(); got.X != sz.Width || got.Y != sz.Height {
				t.Errorf("%s: %dx%d, want %dx%d", name, got.X, got.Y, sz.Width, sz.Height)
			}
			if !drawn(img) {
				t.Errorf("%s: the image is blank", name)
			}
			if dir := os.Getenv("CHARTS_OUT"); dir != "" && sz == MailSize {
				os.WriteFile(filepath.Join(dir, name+".png"), b, 0o644)
			}
		}
	}
}

// drawn reports whether img has coloured (non-grey) pixels: bars.
func drawn(img image.Image) bool {
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			r, g, bl, _ := img.At(x, y).RGBA()
			if r != g || g != bl {
				return true
			}
		}
	}
	return false
}

func TestChartsAreDeterministic(t *testing.T) {
	a, b := drawAll(t, "pt", MailSize), drawAll(t, "pt", MailSize)
	for name := range a {
		if !bytes.Equal(a[name], b[name]) {
			t.Errorf("%s: two renders of the same figures differ", name)
		}
	}
	// And the figures matter: other numbers, other bytes.
	days := sampleDays(7)
	days[3].Opened += 5
	other, err := Volume("pt", days, MailSize)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Equal(other, a["volume"]) {
		t.Error("a different figure drew the same image")
	}
}

func TestChartsInEveryLanguageDiffer(t *testing.T) {
	es, en := drawAll(t, "es", MailSize), drawAll(t, "en", MailSize)
	if bytes.Equal(es["sla"], en["sla"]) {
		t.Error("Spanish and English SLA charts are the same image: labels not translated")
	}
	if wordsFor("xx").volume != wordsFor("en").volume {
		t.Error("an unknown language does not fall back to English")
	}
}

func TestEmptyChartsDoNotFail(t *testing.T) {
	for name, f := range map[string]func() ([]byte, error){
		"volume":  func() ([]byte, error) { return Volume("es", nil, MailSize) },
		"sla":     func() ([]byte, error) { return SLA("es", nil, MailSize) },
		"backlog": func() ([]byte, error) { return Backlog("es", nil, MailSize) },
		"zeros":   func() ([]byte, error) { return Backlog("es", []Bucket{{"< 1 d", 0}}, MailSize) },
		"bare":    func() ([]byte, error) { return PNG(Chart{}, MailSize) },
	} {
		b, err := f()
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		decode(t, b)
	}
}

func TestChartsRefuseBadInput(t *testing.T) {
	for name, f := range map[string]func() ([]byte, error){
		"tiny": func() ([]byte, error) { return Volume("es", sampleDays(3), Size{10, 10}) },
		"huge": func() ([]byte, error) { return Volume("es", sampleDays(3), Size{100000, 300}) },
		"mismatch": func() ([]byte, error) {
			return PNG(Chart{Categories: []string{"a"}, Series: []Series{{Values: []float64{1, 2}}}}, MailSize)
		},
		"negative": func() ([]byte, error) {
			return PNG(Chart{Categories: []string{"a"}, Series: []Series{{Values: []float64{-1}}}}, MailSize)
		},
	} {
		if _, err := f(); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}

func TestCountAxisSteps(t *testing.T) {
	for _, c := range []struct{ most, step, top float64 }{
		{0, 1, 1}, {3, 1, 3}, {7, 2, 8}, {23, 5, 25}, {480, 100, 500}, {1234, 500, 1500},
	} {
		if got := countStep(c.most); c.most >= 1 && got != c.step {
			t.Errorf("countStep(%v) = %v, want %v", c.most, got, c.step)
		}
		if got := niceMax(c.most); got != c.top {
			t.Errorf("niceMax(%v) = %v, want %v", c.most, got, c.top)
		}
	}
}

// TestTextInterpolatorDrawsTheSame: the charts' text drawn with
// nearest-neighbour gives the very bytes gg's default, bilinear, gives,
// in every language and at two sizes.
func TestTextInterpolatorDrawsTheSame(t *testing.T) {
	defer func(i xdraw.Interpolator) { textInterpolator = i }(textInterpolator)
	for _, lang := range []string{"es", "en", "pt"} {
		for _, sz := range []Size{MailSize, {Width: 400, Height: 200}} {
			textInterpolator = xdraw.BiLinear
			want := drawAll(t, lang, sz)
			textInterpolator = xdraw.NearestNeighbor
			for name, b := range drawAll(t, lang, sz) {
				if !bytes.Equal(b, want[name]) {
					t.Errorf("%s %s %dx%d: the text drawn differs from bilinear's", name, lang, sz.Width, sz.Height)
				}
			}
		}
	}
}
