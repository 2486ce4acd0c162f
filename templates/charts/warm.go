package charts

import "sync"

// warmed: Warm draws once per process.
var warmed sync.Once

// Warm draws a throwaway chart of size sz in lang, once per process, for a
// caller with a core to spare before its first real chart, such as a
// digest command that reads its figures meanwhile. A process's first
// chart cost about four times a later one (13 ms against 3.5 at mail
// size): gonum turns its fonts into faces and rasterizes their glyphs,
// and the image, palette and PNG encoder buffers that later charts reuse
// from their pools are allocated and first touched. An empty chart at
// the same size does nearly all of it: its title, axis and no-data text,
// its canvas and its PNG. Its bytes are thrown away; a failure (a panic
// in gonum) is the first real chart's to report.
func Warm(lang string, sz Size) {
	warmed.Do(func() {
		defer func() { _ = recover() }()
		w := wordsFor(lang)
		_, _ = PNG(Chart{Title: w.volume, YLabel: w.tickets, NoData: w.noData}, sz)
	})
}
