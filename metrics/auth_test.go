package metrics

import (
	"strings"
	"testing"
)

func TestAuthMetrics(t *testing.T) {
	m := New(nil)
	if body := scrape(t, m); !strings.Contains(body, `ticketd_auth_failing{server="imap"} 0`) {
		t.Fatalf("auth gauge not at 0 before any failure:\n%s", body)
	}
	m.AuthFailing("imap", true)
	m.AuthFailing("imap", false)
	m.AuthFailing("imap", true)
	m.AuthFailing("smtp", true)
	m.AuthFailing("smtp", false)
	body := scrape(t, m)
	for _, want := range []string{
		`ticketd_auth_failing{server="imap"} 1`,
		`ticketd_auth_failing{server="smtp"} 0`,
		`ticketd_auth_failure_streaks_total{server="imap"} 2`,
		`ticketd_auth_failure_streaks_total{server="smtp"} 1`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("scrape lacks %q", want)
		}
	}
	var nilM *Metrics
	nilM.AuthFailing("imap", true) // no panic without metrics
}
