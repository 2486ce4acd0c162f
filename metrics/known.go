package metrics

import "strconv"

// SLA targets, as the sla_breaches_total "target" label names them.
var slaTargets = []string{"first_response", "resolution"}

// Known creates, at zero, the labelled series whose labels are known when
// the desk starts: pass results, and SLA breaches and escalations for the
// configured tiers of each queue (ladders: queue name → tier levels) and
// ticket types. A series that appears only at its first event hides that
// event from increase() and rate(), so an alert on "any breach" would
// miss the first one, and dashboards show gaps instead of 0.
func (m *Metrics) Known(ladders map[string][]int, types []string) {
	if m == nil {
		return
	}
	for _, r := range []string{"ok", "error"} {
		m.passes.add(0, r)
	}
	for queue, levels := range ladders {
		for _, level := range levels {
			tier := strconv.Itoa(level)
			for _, typ := range types {
				for _, target := range slaTargets {
					m.breaches.add(0, queue, target, tier, typ)
				}
				if level > 1 { // tickets escalate to a tier above the first
					m.escalations.add(0, queue, tier, typ)
				}
			}
		}
	}
}
