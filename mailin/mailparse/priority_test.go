package mailparse

import (
	"testing"

	"github.com/ticketd/ticketd/tiers"
)

func TestDeclaredPriority(t *testing.T) {
	cases := []struct {
		header string
		want   tiers.Priority
	}{
		{"Importance: high", tiers.PriorityHigh},
		{"Importance: Low", tiers.PriorityLow},
		{"X-Priority: 1 (Highest)", tiers.PriorityHigh},
		{"X-Priority: 2", tiers.PriorityHigh},
		{"X-Priority: 3 (Normal)", ""},
		{"X-Priority: 5 (Lowest)", tiers.PriorityLow},
		{"Priority: urgent", tiers.PriorityUrgent},
		{"Priority: non-urgent", tiers.PriorityLow},
		{"X-Mailer: Outlook", ""},
	}
	for _, c := range cases {
		raw := "From: a@example.com\r\nSubject: x\r\nMessage-ID: <p@x>\r\n" + c.header + "\r\n\r\nbody\r\n"
		in, err := Parse([]byte(raw))
		if err != nil {
			t.Fatal(err)
		}
		if in.Priority != c.want {
			t.Errorf("%s: priority %q, want %q", c.header, in.Priority, c.want)
		}
	}
}
