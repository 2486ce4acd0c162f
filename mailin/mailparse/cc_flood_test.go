package mailparse

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

// ccFlood is a mail whose Cc holds n entries made by entry(i).
func ccFlood(n int, entry func(i int) string) []byte {
	var b strings.Builder
	b.WriteString("From: pedro@client.test\r\nTo: soporte@example.com\r\nSubject: [Soporte #1] hola\r\nMessage-ID: <flood@client.test>\r\nCc: ")
	for i := 0; i < n; i++ {
		if i > 0 {
			b.WriteString(",\r\n ")
		}
		b.WriteString(entry(i))
	}
	b.WriteString("\r\n\r\nhola\r\n")
	return []byte(b.String())
}

// TestHugeCcParses: 40,000 Cc addresses (issue 10, item 6), well-formed or
// not, parse in bounded time.
func TestHugeCcParses(t *testing.T) {
	for _, tt := range []struct {
		name  string
		entry func(i int) string
		want  int
	}{
		{"addresses", func(i int) string { return fmt.Sprintf("p%d@evil.test", i) }, 40000},
		{"names without addresses", func(i int) string { return "Pérez" }, 0},
		{"one bad entry among addresses", func(i int) string {
			if i == 0 {
				return "not an address"
			}
			return fmt.Sprintf("p%d@evil.test", i)
		}, 39999},
	} {
		t.Run(tt.name, func(t *testing.T) {
			raw := ccFlood(40000, tt.entry)
			start := time.Now()
			in, err := Parse(raw)
			took := time.Since(start)
			if err != nil {
				t.Fatal(err)
			}
			if len(in.Cc) != tt.want {
				t.Errorf("%d Cc, want %d", len(in.Cc), tt.want)
			}
			if took > 15*time.Second { // the quadratic join took 25 s on 390 KB
				t.Errorf("parsing %d KB of Cc took %v", len(raw)/1024, took)
			}
			t.Logf("%d KB, %d Cc, %v", len(raw)/1024, len(in.Cc), took)
		})
	}
}
