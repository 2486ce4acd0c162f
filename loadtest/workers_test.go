package loadtest

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"

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
		if w := s.Label["worker"]; len(w) > 0 {
			switch w[0] {
			case "mailin":
				in += s.Value[cpu]
			case "mailout":
				out += s.Value[cpu]
			}
		}
	}
	if in+out == 0 {
		return 0, 0, fmt.Errorf("%s: no samples labelled worker=mailin or mailout (a binary without the labels?)", path)
	}
	// With the rest divided in proportion, each share is its part of
	// the labelled samples.
	return float64(in) / float64(in+out), float64(out) / float64(in+out), nil
}

// TestWorkerShares: the unlabelled samples do not move the shares, and
// a profile without the labels is an error, not a split of nothing.
func TestWorkerShares(t *testing.T) {
	write := func(samples ...*profile.Sample) string {
		p := &profile.Profile{
			SampleType: []*profile.ValueType{{Type: "samples", Unit: "count"}, {Type: "cpu", Unit: "nanoseconds"}},
			Sample:     samples,
		}
		path := filepath.Join(t.TempDir(), "cpu.prof")
		f, err := os.Create(path)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		if err := p.Write(f); err != nil {
			t.Fatal(err)
		}
		return path
	}
	sample := func(worker string, ns int64) *profile.Sample {
		s := &profile.Sample{Value: []int64{1, ns}}
		if worker != "" {
			s.Label = map[string][]string{"worker": {worker}}
		}
		return s
	}
	in, out, err := workerShares(write(sample("mailin", 300), sample("mailout", 100), sample("mailin", 300), sample("", 5000)))
	if err != nil {
		t.Fatal(err)
	}
	if in != 6.0/7 || out != 1.0/7 {
		t.Fatalf("shares %v, %v; want 6/7 and 1/7 of the labelled 700 ns", in, out)
	}
	if _, _, err := workerShares(write(sample("", 100))); err == nil {
		t.Fatal("a profile without worker labels gave shares")
	}
}
