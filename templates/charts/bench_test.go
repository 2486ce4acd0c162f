//go:build unix

package charts

import (
	"syscall"
	"testing"
	"time"
)

// BenchmarkCharts draws the digest's three charts at mail size.
//
//	go test -run '^$' -bench Charts ./templates/charts
func BenchmarkCharts(b *testing.B) {
	days := sampleDays(30)
	c0 := cpuTime()
	for range b.N {
		if _, err := Volume("es", days, MailSize); err != nil {
			b.Fatal(err)
		}
		if _, err := SLA("es", []TierSLA{{"Nivel 1", 92.5, 80}, {"Nivel 2", 100, 66.7}}, MailSize); err != nil {
			b.Fatal(err)
		}
		if _, err := Backlog("es", []Bucket{{"< 1 d", 12}, {"1–3 d", 7}, {"3–7 d", 3}, {"> 4 sem", 1}}, MailSize); err != nil {
			b.Fatal(err)
		}
	}
	// CPU time, not wall time: the machine is shared.
	b.ReportMetric(float64((cpuTime()-c0).Microseconds())/1000/float64(b.N), "cpu-ms/op")
}

// cpuTime is the process's user and system CPU time so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
