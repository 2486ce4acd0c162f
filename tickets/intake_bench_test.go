//go:build unix

package tickets

import (
	"fmt"
	"strings"
	"syscall"
	"testing"
	"time"
)

// BenchmarkStats measures ticketd stats (and a /metrics scrape) over a
// database of 100,000 tickets: counts by status, tier, type and category,
// and the per-type times.
//
//	go test -run '^$' -bench 'Stats|Classify' -benchmem ./tickets
func BenchmarkStats(b *testing.B) {
	f := benchDesk(b)
	f.fill(b, 100_000, 1000*time.Hour)
	b.ReportAllocs()
	b.ResetTimer()
	c0 := cpuTime()
	for range b.N {
		st, err := f.store.Stats()
		if err != nil || st.Tickets != 100_000 {
			b.Fatal(st.Tickets, err)
		}
	}
	// CPU time, not wall time: the machine is shared.
	b.ReportMetric(float64((cpuTime()-c0).Milliseconds())/float64(b.N), "cpu-ms/op")
}

// cpuTime is the process's user and system CPU time so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkClassify measures the intake rules on the largest text a mail
// can bring (mailparse.MaxTextBytes, 256 KiB) that matches nothing, with
// the example configuration's rules and categories.
func BenchmarkClassify(b *testing.B) {
	in := deskIntake()
	var text strings.Builder
	for i := 0; text.Len() < 256<<10; i++ {
		fmt.Fprintf(&text, "La palabra número %d no dice nada útil aquí. ", i)
	}
	m := msg("x@c", "p@client.com", "Asunto sin claves", text.String())
	b.ReportAllocs()
	b.ResetTimer()
	c0 := cpuTime()
	for range b.N {
		if c := in.Classify(&m); c.Category != "" {
			b.Fatal(c)
		}
	}
	b.ReportMetric(float64((cpuTime()-c0).Microseconds())/float64(b.N)/1000, "cpu-ms/op")
}
