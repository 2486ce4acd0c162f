package tickets_test

import (
	"syscall"
	"testing"
	"time"

	"github.com/ticketd/ticketd/loadtest"
	"github.com/ticketd/ticketd/mailin/mailparse"
	"github.com/ticketd/ticketd/templates"
	"github.com/ticketd/ticketd/tickets"
	"github.com/ticketd/ticketd/tiers"
)

// BenchmarkApplyCorpus applies the load test's corpus (new tickets,
// requesters' follow-ups and agents' answers, Spanish, some attachments)
// in batches of 200, as `ticketd once` does, to a service with the
// daemon's default options (language detection, knowledge-base
// suggestions, CSAT): the apply side of the mail pass, commit and fsync
// included. Parsing and Service.Prepare, which mailin's parse workers
// run on the other core, happen before the timer
// (BenchmarkPrepareCorpus measures Prepare). The time is per message.
func BenchmarkApplyCorpus(b *testing.B) {
	svc, msgs := corpusService(b)
	for i := range msgs {
		svc.Prepare(&msgs[i])
	}
	b.ReportAllocs()
	b.ResetTimer()
	cpu0 := cpuTime()
	for start := 0; start < len(msgs); start += 200 {
		if _, err := svc.Apply(b.Context(), msgs[start:min(start+200, len(msgs))]); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64((cpuTime()-cpu0).Microseconds())/float64(b.N), "cpu-µs/op")
}

// BenchmarkPrepareCorpus is Service.Prepare over the corpus of
// BenchmarkApplyCorpus: the part of applying done on the parse workers.
func BenchmarkPrepareCorpus(b *testing.B) {
	svc, msgs := corpusService(b)
	b.ReportAllocs()
	b.ResetTimer()
	cpu0 := cpuTime()
	for i := range msgs {
		svc.Prepare(&msgs[i])
	}
	b.ReportMetric(float64((cpuTime()-cpu0).Microseconds())/float64(b.N), "cpu-µs/op")
}

// corpusService parses b.N messages of the load test's corpus and opens a
// service on a new store to apply them.
func corpusService(b *testing.B) (*tickets.Service, []tickets.Inbound) {
	svc, _, msgs := corpusDesk(b, b.N)
	return svc, msgs
}

// corpusDesk parses n messages of the load test's corpus and opens a
// service with the daemon's default options on a new store.
func corpusDesk(b testing.TB, n int) (*tickets.Service, *tickets.Store, []tickets.Inbound) {
	raws, _ := loadtest.Corpus(n, 1)
	msgs := make([]tickets.Inbound, len(raws))
	for i, raw := range raws {
		in, err := mailparse.ParseWithOptions(raw, mailparse.Options{DeskAddress: loadtest.Desk})
		if err != nil {
			b.Fatal(err)
		}
		in.Mailbox = "INBOX"
		msgs[i] = in
	}
	store, err := tickets.Open(b.TempDir(), time.Second)
	if err != nil {
		b.Fatal(err)
	}
	policy, err := tiers.NewPolicy([]tiers.Tier{{Level: 1, Name: "Nivel 1", Agents: []string{loadtest.AgentA, loadtest.AgentB},
		FirstResponse: 30 * time.Minute, Resolution: 8 * time.Hour}}, tiers.Options{})
	if err != nil {
		b.Fatal(err)
	}
	tmpl, err := templates.New("")
	if err != nil {
		b.Fatal(err)
	}
	now := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	opts := tickets.DefaultOptions()
	opts.Desk = tickets.NewAddress("Mesa de ayuda", loadtest.Desk)
	opts.Policy, opts.Templates, opts.Now = policy, tmpl, func() time.Time { return now }
	svc, err := tickets.NewService(store, opts)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { store.Close() })
	return svc, store, msgs
}

// cpuTime is the process's user + system CPU time: the machine is
// shared, so CPU per message says more than wall time.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
