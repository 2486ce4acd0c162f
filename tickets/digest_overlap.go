package tickets

import (
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/ticketd/ticketd/templates"
	"github.com/ticketd/ticketd/templates/charts"
)

// A digest's critical path is one core's: the seven reports of its
// figures, then the lists, the rendering and the charts' tail. What does
// not need the figures runs beside them, on a core the reports leave
// idle: the templates' parsing and the charts' first-use costs, always
// (prepareDigest), and the lists, where the database cannot change while
// the digest reads it (listsAside). A one-shot "ticketd digest --dry-run"
// pays all of them; a daemon's digests find them done by its warm-up.

// prepareDigest starts parsing the digest's templates in lang and, when
// draw, warming the chart code (charts.Warm, once per process): what the
// first Render and the first chart would otherwise do on the critical
// path. Render waits for a parse in progress. The returned wait lets
// nothing outlive the digest. Errors are left to Render and the charts,
// which report them with the digest.
func (s *Service) prepareDigest(lang templates.Language, draw bool) (wait func()) {
	done := make(chan struct{})
	go func() {
		defer close(done)
		if draw {
			charts.Warm(string(lang), charts.MailSize)
		}
		_ = s.opts.Templates.Prepare(lang, templates.ManagerDigest)
	}()
	return func() { <-done }
}

// listsAside starts reading d's lists of [from, to) (digestLists) in a
// read transaction of its own, on another core, and returns what waits
// for them — or nil where the store's file may change between two read
// transactions (a read-write store: the daemon's), where the lists are
// read in the figures' transaction, after them. A read-only store holds
// the file's shared lock, which no writer gets while it is open: both
// transactions see the same data, as one would. The lists write only
// their own fields of d, the figures none of them.
func (s *Service) listsAside(d *templates.Digest, from, to, now time.Time) (wait func() error) {
	if !s.store.db.IsReadOnly() {
		return nil
	}
	done := make(chan error, 1)
	go func() {
		done <- s.store.view(func(tx *bolt.Tx) error { return s.digestLists(tx, d, from, to, now) })
	}()
	return func() error { return <-done }
}
