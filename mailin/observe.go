package mailin

// Observe makes the poller call fn after every pass (Poll, and each pass
// of Run) with what the pass did and its error, nil when it succeeded:
// the hook for metrics and readiness. fn runs on the pass's goroutine and
// must not block; call Observe before the first pass.
func (p *Poller) Observe(fn func(Stats, error)) { p.observer = fn }

func (p *Poller) observe(st Stats, err error) {
	if p.observer != nil {
		p.observer(st, err)
	}
}
