package tickets

import "github.com/ticketd/ticketd/templates"

// A digest's critical path is one core's: the seven reports of its
// figures, then the lists and the rendering, and the charts' tail. What
// needs no figure runs beside the reports, on a core they leave idle: the
// templates' parsing (prepareDigest) and the backlog chart, whose numbers
// are read first (digestAges) and which, as the process's first chart,
// pays the chart code's first-use costs. A one-shot "ticketd digest
// --dry-run" pays them all; a daemon's digests find them paid by its
// warm-up.

// prepareDigest starts parsing the digest's templates in lang: what the
// first Render would otherwise do on the critical path, after the lists.
// Render waits for a parse in progress rather than parse again. The
// returned wait lets nothing outlive the digest. An error is left to
// Render, which reports it with the digest.
func (s *Service) prepareDigest(lang templates.Language) (wait func()) {
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = s.opts.Templates.Prepare(lang, templates.ManagerDigest)
	}()
	return func() { <-done }
}
