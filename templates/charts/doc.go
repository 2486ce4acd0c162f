// Package charts draws the managers' digest charts as PNG images with
// gonum.org/v1/plot: figures in, image bytes out. It stores nothing and
// knows nothing of tickets or mail.
//
// Output is deterministic: the same figures, language and size always
// give the same bytes (gonum's fonts are embedded, nothing depends on the
// clock), so tests compare images and a digest re-rendered for a retry is
// identical.
package charts
