package tickets

import "testing"

// BenchmarkDueMail reads the due outbox mails (acknowledgements and
// agents' notices) 200 at a time, as the sender does before each round:
// the time and CPU are per mail.
func BenchmarkDueMail(b *testing.B) {
	f := newBenchFixture(b, 1000) // 2,000 mails queued
	b.ReportAllocs()
	cpu := processCPU()
	b.ResetTimer()
	for read := 0; read < b.N; {
		mails, err := f.store.DueMail(f.now, min(200, b.N-read))
		if err != nil || len(mails) == 0 {
			b.Fatalf("%d mails due: %v", len(mails), err)
		}
		read += len(mails)
	}
	b.StopTimer()
	b.ReportMetric(float64((processCPU()-cpu).Microseconds())/float64(b.N), "cpu-µs/op")
}
