package tickets_test

import (
	"bytes"
	"encoding/binary"
	"testing"

	"github.com/ticketd/ticketd/tickets"
)

// BenchmarkBlobPut stores a 24 KB attachment (the load test's PDF):
// "known" the same content every time (a signature's logo in every
// mail), "new" different content every time. CPU per Put, the file
// system's included.
func BenchmarkBlobPut(b *testing.B) {
	for _, known := range []bool{true, false} {
		name := "new"
		if known {
			name = "known"
		}
		b.Run(name, func(b *testing.B) {
			blobs, err := tickets.OpenBlobs(b.TempDir())
			if err != nil {
				b.Fatal(err)
			}
			content := bytes.Repeat([]byte("%PDF-1.4 "), 24<<10/9)
			cpu0 := cpuTime()
			for i := range b.N {
				if !known {
					binary.BigEndian.PutUint64(content, uint64(i))
				}
				if _, _, err := blobs.Put(bytes.NewReader(content), 0); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64((cpuTime()-cpu0).Microseconds())/float64(b.N), "cpu-µs/op")
		})
	}
}
