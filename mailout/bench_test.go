package mailout

import (
	"bytes"
	"syscall"
	"testing"
	"time"
)

// processCPU is this process's user + system time: on a machine shared
// with other work, CPU per operation says more than wall time.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// reportCPU adds the CPU per operation since start (cpu-µs/op).
func reportCPU(b *testing.B, start time.Duration, n int) {
	b.ReportMetric(float64((processCPU()-start).Nanoseconds())/1e3/float64(n), "cpu-µs/op")
}

// BenchmarkCompose composes a typical acknowledgement (text + HTML,
// Spanish, threaded headers).
func BenchmarkCompose(b *testing.B) {
	m := testMail()
	b.ReportAllocs()
	cpu, n := processCPU(), 0
	for b.Loop() {
		if _, err := Compose(m, queued); err != nil {
			b.Fatal(err)
		}
		n++
	}
	reportCPU(b, cpu, n)
}

// BenchmarkComposeReused composes the same mail into one reused buffer,
// as each connection of the Sender does.
func BenchmarkComposeReused(b *testing.B) {
	m := testMail()
	var buf bytes.Buffer
	b.ReportAllocs()
	cpu, n := processCPU(), 0
	for b.Loop() {
		buf.Reset()
		if err := composeInto(&buf, m, queued, nil); err != nil {
			b.Fatal(err)
		}
		n++
	}
	reportCPU(b, cpu, n)
}
