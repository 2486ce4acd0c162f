package mailout

import "testing"

// BenchmarkCompose composes a typical acknowledgement (text + HTML,
// Spanish, threaded headers).
func BenchmarkCompose(b *testing.B) {
	m := testMail()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Compose(m, queued); err != nil {
			b.Fatal(err)
		}
	}
}
