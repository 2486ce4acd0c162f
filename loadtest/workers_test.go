package loadtest

import (
	"fmt"
	"os"

	"github.com/google/pprof/profile"
)

// workerShares splits a CPU profile of `ticketd once` by the label its
// goroutines carry (cmd/ticketd/once.go): the shares of the samples spent
// reading mail (worker=mailin: fetch, parse, apply, MOVE) and delivering
// it (worker=mailout: compose, SMTP, the delivery log). The unlabelled
// rest — the collector's background workers, start-up — is divided in
// the same proportion. The process's CPU alone cannot split the two: the
// ingest runs with delivery beside it.
func workerShares(path string) (mailin, mailout float64, err error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, 0, err
	}
	defer f.Close()
	p, err := profile.Parse(f)
	if err != nil {
		return 0, 0, fmt.Errorf("%s: %w", path, err)
	}
	cpu := -1
	for i, st := range p.SampleType {
		if st.Type == "cpu" {
			cpu = i
		}
	}
	if cpu < 0 {
		return 0, 0, fmt.Errorf("%s: not a CPU profile", path)
	}
	var in, out int64
	for _, s := range p.Sample {
		v := s.Value[cpu]
		switch w := s.Label["worker"]; {
		case len(w) == 0:
		case w[0] == "mailin":
			in += v
		case w[0] == "mailout":
			out += v
		}
	}
	if in+out == 0 {
		return 0, 0, fmt.Errorf("%s: no samples labelled worker=mailin or mailout (a binary without the labels?)", path)
	}
	// With the rest divided in proportion, each share is its part of
	// the labelled samples.
	return float64(in) / float64(in+out), float64(out) / float64(in+out), nil
}
