package charts

import (
	"encoding/binary"
	"image"
	"image/color"
	"slices"
	"sync"
)

// A chart is a few flat colours (white, text and grid greys, the bars'
// palette) and the antialiased shades between them: a few hundred
// colours in all. Written as a paletted PNG it is one byte a pixel
// instead of three, and the encoder filters none of its rows (PNG
// filters are for truecolour; image/png tries all five on every row of
// an RGB image). Encoding was over half of drawing a chart
// (BenchmarkCharts); paletted, it is a small part, and the files are
// smaller.
//
// The palette is the image's own colours, exactly, when there are at
// most 256 of them. When there are more, the 256 most frequent are kept
// and each rarer one (a shade on a few edge pixels) is drawn with the
// nearest kept colour: a change of a few levels on a few pixels, which a
// reader does not see.

// shades maps a chart's colours to their palette index, and counts them.
type shades struct {
	keys  []uint32 // open addressing: the colour (rgba); 0 is empty
	index []uint8
	n     []int32  // pixels of each colour
	used  []uint32 // the colours in order of first use
	pal   color.Palette
	out   *image.Paletted
}

// shadeSlots is the hash table's size: a power of two a few times the
// colours a chart has, so probes stay short.
const shadeSlots = 4096

var shadesPool = sync.Pool{New: func() any {
	return &shades{keys: make([]uint32, shadeSlots), index: make([]uint8, shadeSlots), n: make([]int32, shadeSlots)}
}}

// paletted returns img as a paletted image of its own colours (see
// above). The image is valid until the next call from the same pool
// entry: done gives it back.
func paletted(img *image.RGBA) (p *image.Paletted, done func()) {
	s := shadesPool.Get().(*shades)
	s.reset()
	r := img.Rect
	if !s.count(img) {
		// A colour with alpha 0 (never drawn by a chart, whose canvas
		// is opaque) cannot be a key: encode as drawn.
		shadesPool.Put(s)
		return nil, func() {}
	}
	s.choose()
	if s.out == nil || s.out.Rect != r {
		s.out = image.NewPaletted(r, nil)
	}
	s.out.Palette = s.pal
	for y := r.Min.Y; y < r.Max.Y; y++ {
		src := img.Pix[img.PixOffset(r.Min.X, y):]
		dst := s.out.Pix[s.out.PixOffset(r.Min.X, y):]
		last, at := uint32(0), uint8(0)
		for x := range r.Dx() {
			c := rgba(src[4*x:])
			if c != last {
				last, at = c, s.index[s.slot(c)]
			}
			dst[x] = at
		}
	}
	return s.out, func() { shadesPool.Put(s) }
}

// rgba is the pixel at p as one word, A<<24|B<<16|G<<8|R (one load).
func rgba(p []byte) uint32 { return binary.LittleEndian.Uint32(p) }

func (s *shades) reset() {
	// All of it: clearing only the used slots would leave keys behind
	// whose probe went past a slot cleared before them.
	clear(s.keys)
	clear(s.n)
	s.used, s.pal = s.used[:0], nil
}

// slot is c's place in the table: its own, or the empty one it goes in.
func (s *shades) slot(c uint32) int {
	i := int((c * 0x9e3779b1) >> 20 & (shadeSlots - 1))
	for s.keys[i] != c && s.keys[i] != 0 {
		i = (i + 1) & (shadeSlots - 1)
	}
	return i
}

// count tallies img's colours, a run of one colour at a time; false
// when a colour cannot be a key (transparent black) or there are too
// many for the table.
func (s *shades) count(img *image.RGBA) bool {
	r := img.Rect
	for y := r.Min.Y; y < r.Max.Y; y++ {
		src := img.Pix[img.PixOffset(r.Min.X, y):]
		last, run := rgba(src), int32(0)
		for x := range r.Dx() {
			c := rgba(src[4*x:])
			if c == last {
				run++
				continue
			}
			if !s.add(last, run) {
				return false
			}
			last, run = c, 1
		}
		if !s.add(last, run) {
			return false
		}
	}
	return true
}

func (s *shades) add(c uint32, n int32) bool {
	if c == 0 {
		return false
	}
	i := s.slot(c)
	if s.keys[i] == 0 {
		if len(s.used) >= shadeSlots/2 {
			return false
		}
		s.keys[i] = c
		s.used = append(s.used, c)
	}
	s.n[i] += n
	return true
}

// choose makes the palette: every colour when they fit, else a subset
// (pick) in order of first use; and sets every colour's index.
func (s *shades) choose() {
	kept := s.used
	if len(kept) > 256 {
		keep := s.pick()
		kept = slices.DeleteFunc(slices.Clone(s.used), func(c uint32) bool { return !keep[c] })
		for _, c := range s.used {
			if !keep[c] {
				s.index[s.slot(c)] = uint8(nearest(kept, c))
			}
		}
	}
	s.pal = make(color.Palette, len(kept))
	for i, c := range kept {
		s.pal[i] = color.RGBA{uint8(c), uint8(c >> 8), uint8(c >> 16), uint8(c >> 24)}
		s.index[s.slot(c)] = uint8(i)
	}
}

// popular is how many of the palette's 256 colours are the most
// frequent ones; the rest go, one at a time, to the colour worst drawn
// by those kept (its pixels × its squared distance to the nearest kept),
// so that no kind of edge (grey text, one bar colour) loses all its
// shades to another's.
const popular = 192

// pick chooses the 256 colours kept (ties: the first used).
func (s *shades) pick() map[uint32]bool {
	byUse := slices.Clone(s.used)
	slices.SortStableFunc(byUse, func(a, b uint32) int { return int(s.n[s.slot(b)] - s.n[s.slot(a)]) })
	keep := make(map[uint32]bool, 256)
	for _, c := range byUse[:popular] {
		keep[c] = true
	}
	rest := byUse[popular:]
	far := make([]int64, len(rest)) // each one's distance to the nearest kept
	for i, c := range rest {
		far[i] = distance(byUse[nearest(byUse[:popular], c)], c)
	}
	for range 256 - popular {
		worst, cost := -1, int64(0)
		for i, c := range rest {
			if e := far[i] * int64(s.n[s.slot(c)]); e > cost {
				worst, cost = i, e
			}
		}
		if worst < 0 {
			break
		}
		k := rest[worst]
		keep[k] = true
		for i, c := range rest {
			far[i] = min(far[i], distance(k, c))
		}
	}
	return keep
}

// nearest is the index of the colour of pal closest to c.
func nearest(pal []uint32, c uint32) int {
	best, dist := 0, int64(-1)
	for i, p := range pal {
		if d := distance(c, p); dist < 0 || d < dist {
			best, dist = i, d
		}
	}
	return best
}

// distance is the squared distance of two colours in RGBA.
func distance(a, b uint32) int64 {
	var d int64
	for shift := 0; shift < 32; shift += 8 {
		v := int64(a>>shift&0xff) - int64(b>>shift&0xff)
		d += v * v
	}
	return d
}
