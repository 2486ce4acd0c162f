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
// most 256 of them. When there are more, 256 are kept (pick: the most
// frequent, then those the others would draw worst) and each other one
// (a shade on a few edge pixels) is drawn with the nearest kept colour:
// a change of a few levels (9 at most in TestPalettedLooksAsDrawn) on a
// few pixels, which a reader does not see.

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
	r := img.Rect
	if img.Stride != 4*r.Dx() {
		return nil, func() {} // not one run of rows (a sub-image): encode as drawn
	}
	pix := img.Pix[:4*r.Dx()*r.Dy()]
	s := shadesPool.Get().(*shades)
	s.reset()
	if !eachRun(pix, s.add) {
		// A colour with alpha 0 (never drawn by a chart, whose canvas
		// is opaque) cannot be a key, nor can more colours than the
		// table holds: encode as drawn.
		shadesPool.Put(s)
		return nil, func() {}
	}
	s.choose()
	if s.out == nil || s.out.Rect != r {
		s.out = image.NewPaletted(r, nil)
	}
	s.out.Palette = s.pal
	dst := s.out.Pix
	eachRun(pix, func(c uint32, n int) bool {
		at := s.index[s.slot(c)]
		for i := range dst[:n] {
			dst[i] = at
		}
		dst = dst[n:]
		return true
	})
	return s.out, func() { shadesPool.Put(s) }
}

// eachRun calls f with each run of one colour of pix (RGBA pixels, rows
// one after the other) and its length in pixels, until f returns false.
// Most of a chart is long runs of white, compared two pixels at a time.
func eachRun(pix []byte, f func(c uint32, n int) bool) bool {
	if len(pix) < 4 {
		return true
	}
	last, from := rgba(pix), 0
	twice := uint64(last) | uint64(last)<<32
	for i := 4; i+4 <= len(pix); {
		if i+8 <= len(pix) && binary.LittleEndian.Uint64(pix[i:]) == twice {
			i += 8
			continue
		}
		if c := rgba(pix[i:]); c != last {
			if !f(last, (i-from)/4) {
				return false
			}
			last, from, twice = c, i, uint64(c)|uint64(c)<<32
		}
		i += 4
	}
	return f(last, (len(pix)-from)/4)
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

// add counts n pixels of colour c; false when c cannot be a key
// (transparent black) or the table is full.
func (s *shades) add(c uint32, n int) bool {
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
	s.n[i] += int32(n)
	return true
}

// choose makes the palette: every colour when they fit, else a subset
// (pick) in order of first use; and sets every colour's index.
func (s *shades) choose() {
	kept, near := s.used, map[uint32]uint32(nil)
	if len(kept) > 256 {
		near = s.pick()
		kept = slices.DeleteFunc(slices.Clone(s.used), func(c uint32) bool { _, dropped := near[c]; return dropped })
	}
	s.pal = make(color.Palette, len(kept))
	for i, c := range kept {
		s.pal[i] = color.RGBA{uint8(c), uint8(c >> 8), uint8(c >> 16), uint8(c >> 24)}
		s.index[s.slot(c)] = uint8(i)
	}
	for c, to := range near {
		s.index[s.slot(c)] = s.index[s.slot(to)]
	}
}

// popular is how many of the palette's 256 colours are the most
// frequent ones; the rest go, one at a time, to the colour worst drawn
// by those kept (its pixels × its squared distance to the nearest kept),
// so that no kind of edge (grey text, one bar colour) loses all its
// shades to another's.
const popular = 192

// pick chooses the 256 colours kept (ties: the first used) and returns
// each other colour with the nearest kept one, which draws it.
func (s *shades) pick() map[uint32]uint32 {
	byUse := slices.Clone(s.used)
	slices.SortStableFunc(byUse, func(a, b uint32) int { return int(s.n[s.slot(b)] - s.n[s.slot(a)]) })
	rest := byUse[popular:]
	// Each one's nearest kept colour and its distance to it.
	to, far := make([]uint32, len(rest)), make([]int32, len(rest))
	for i, c := range rest {
		to[i] = byUse[nearest(byUse[:popular], c)]
		far[i] = distance(to[i], c)
	}
	for range 256 - popular {
		worst, cost := -1, int64(0)
		for i, c := range rest {
			if e := int64(far[i]) * int64(s.n[s.slot(c)]); e > cost {
				worst, cost = i, e
			}
		}
		if worst < 0 {
			break
		}
		k := rest[worst]
		for i, c := range rest {
			if d := distance(k, c); d < far[i] {
				to[i], far[i] = k, d
			}
		}
	}
	near := make(map[uint32]uint32, len(rest))
	for i, c := range rest {
		if to[i] != c {
			near[c] = to[i]
		}
	}
	return near
}

// nearest is the index of the colour of pal closest to c.
func nearest(pal []uint32, c uint32) int {
	best, dist := 0, int32(-1)
	for i, p := range pal {
		if d := distance(c, p); dist < 0 || d < dist {
			best, dist = i, d
		}
	}
	return best
}

// distance is the squared distance of two colours in RGBA (at most
// 4 × 255², an int32).
func distance(a, b uint32) int32 {
	r := int32(a&0xff) - int32(b&0xff)
	g := int32(a>>8&0xff) - int32(b>>8&0xff)
	bl := int32(a>>16&0xff) - int32(b>>16&0xff)
	al := int32(a>>24) - int32(b>>24)
	return r*r + g*g + bl*bl + al*al
}
