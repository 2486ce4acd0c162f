package mailparse

import (
	"syscall"
	"testing"
	"time"

	"github.com/ticketd/ticketd/loadtest"
)

// BenchmarkParseCPU is BenchmarkParse/mix reporting the process's CPU
// time per message (user + system, GC included) besides the wall time:
// on a shared machine the wall time says more about the neighbours.
func BenchmarkParseCPU(b *testing.B) {
	raws, _ := loadtest.Corpus(1000, 1)
	b.ReportAllocs()
	before := cpuTime(b)
	for i := 0; b.Loop(); i++ {
		if _, err := Parse(raws[i%len(raws)]); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64((cpuTime(b)-before).Microseconds())/float64(b.N), "cpu-µs/op")
}

func cpuTime(b *testing.B) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
