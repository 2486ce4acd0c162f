package mailparse

import (
	"bytes"
	"testing"

	"github.com/ticketd/ticketd/loadtest"
)

// BenchmarkParse parses the load corpus's messages: "mix" cycles through
// the realistic mix, "attachment" is a new ticket with a 24 KB PDF.
func BenchmarkParse(b *testing.B) {
	raws, _ := loadtest.Corpus(1000, 1)
	var att []byte
	for _, r := range raws {
		if bytes.Contains(r, []byte("application/pdf")) {
			att = r
			break
		}
	}
	b.Run("mix", func(b *testing.B) {
		b.ReportAllocs()
		var n int64
		for i := 0; b.Loop(); i++ {
			raw := raws[i%len(raws)]
			n += int64(len(raw))
			if _, err := Parse(raw); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(n)/float64(b.N), "B/msg")
	})
	b.Run("attachment", func(b *testing.B) {
		b.ReportAllocs()
		b.SetBytes(int64(len(att)))
		for b.Loop() {
			if _, err := Parse(att); err != nil {
				b.Fatal(err)
			}
		}
	})
}
