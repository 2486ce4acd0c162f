package tickets

import (
	"fmt"
	"testing"
)

// BenchmarkAgentDigest builds the agents' morning mail (dry run: read and
// render) on a desk of n tickets of which 100 are open, 50 of them ana's:
// its cost follows the open tickets (the SLA due index), not n.
func BenchmarkAgentDigest(b *testing.B) {
	for _, n := range []int{1_000, 10_000} {
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			f := newBenchFixture(b, n)
			// Resolve all but the last 100, and give ana 50 of those.
			for start := 1; start <= n; start += 100 {
				var batch []Inbound
				for id := start; id < start+100 && id <= n; id++ {
					text := "#resolve\nListo."
					switch {
					case id > n-50:
						text = "#assign me"
					case id > n-100:
						continue
					}
					batch = append(batch, msg(fmt.Sprint("agent-", id), "ana@example.com", fmt.Sprintf("Re: [Soporte #%d] x", id), text))
				}
				if _, err := f.svc.Apply(b.Context(), batch); err != nil {
					b.Fatal(err)
				}
			}
			res, err := f.svc.AgentDigest(true)
			if err != nil || len(res.Mails) != 1 || res.Mails[0].Tickets != 50 {
				b.Fatalf("%v: %+v", err, res.Mails)
			}
			b.ResetTimer()
			for b.Loop() {
				if _, err := f.svc.AgentDigest(true); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
