package tickets

import (
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

// BenchmarkRecordDelivery records one accepted SMTP transaction per
// operation (an acknowledgement or an agents' notice, every recipient),
// fsync included: "commit" is MarkSent, one database commit each (the
// sender before the delivery log); "log" is LogSent, one append and fsync
// each, applied to the database every 100 (a round of mails, ApplySent).
// It reports the CPU per mail (cpu-µs/op) beside the wall time.
func BenchmarkRecordDelivery(b *testing.B) {
	for _, mode := range []string{"commit", "log"} {
		b.Run(mode, func(b *testing.B) {
			f := newBenchFixture(b, b.N/2+1)
			queued, err := f.store.DueMail(f.now, b.N)
			if err != nil || len(queued) < b.N {
				b.Fatalf("%d mails queued, want %d: %v", len(queued), b.N, err)
			}
			b.ReportAllocs()
			cpu := processCPU()
			b.ResetTimer()
			for i := range b.N {
				m := &queued[i]
				ds := []Delivery{{ID: m.ID, Time: f.now, Accepted: m.Pending(), Mail: m}}
				if mode == "commit" {
					_, err = f.store.MarkSent(ds)
				} else {
					_, err = f.store.LogSent(ds)
					if err == nil && (i%100 == 99 || i == b.N-1) {
						err = f.store.ApplySent()
					}
				}
				if err != nil {
					b.Fatal(err)
				}
			}
			b.StopTimer()
			b.ReportMetric(float64((processCPU()-cpu).Microseconds())/float64(b.N), "cpu-µs/op")
		})
	}
}
