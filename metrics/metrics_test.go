package metrics

import (
	"errors"
	"io"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

func scrape(t *testing.T, m *Metrics) string {
	t.Helper()
	rec := httptest.NewRecorder()
	m.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	body, _ := io.ReadAll(rec.Body)
	return string(body)
}

func TestMetrics(t *testing.T) {
	snap := Snapshot{Tickets: []TicketCount{{Queue: "soporte", Status: "new", Tier: 1, N: 4, Type: "incident"}, {Queue: "ventas", Status: "open", Tier: 2, N: 1, Type: "request"}}, Outbox: 7, Failed: 1,
		Times: []Times{{Type: "request", FirstResponse: []float64{60, 30, 90}, Resolution: []float64{3600}}, {Type: "incident"}}}
	m := New(func() (Snapshot, error) { return snap, nil })
	now := time.Unix(1_700_000_000, 0)
	m.PassDone(Pass{Fetched: 5, Applied: 4, Failed: 1}, nil, now)
	m.PassDone(Pass{}, errors.New("imap down"), now.Add(time.Minute))
	m.Applied("created")
	m.Applied("created")
	m.Applied("duplicate")
	m.Sent("ack")
	m.SendFailed("ack", false)
	m.SendFailed("agent_new", true)
	m.Escalated("soporte", 2, "incident")
	m.SLABreached("soporte", "first_response", 1, "request")
	m.Spam("dmarc")
	m.Spam("dmarc")
	body := scrape(t, m)
	for _, want := range []string{
		"ticketd_messages_fetched_total 5",
		"ticketd_messages_failed_total 1",
		`ticketd_messages_applied_total{outcome="created"} 2`,
		`ticketd_mail_passes_total{result="error"} 1`,
		"ticketd_imap_errors_total 1",
		"ticketd_last_successful_poll_timestamp_seconds 1.7e+09",
		`ticketd_mails_sent_total{kind="ack"} 1`,
		`ticketd_mail_send_failures_total{kind="agent_new",permanent="true"} 1`,
		"ticketd_smtp_errors_total 2",
		`ticketd_escalations_total{queue="soporte",tier="2",type="incident"} 1`,
		`ticketd_sla_breaches_total{queue="soporte",target="first_response",tier="1",type="request"} 1`,
		`ticketd_tickets{queue="soporte",status="new",tier="1",type="incident"} 4`,
		`ticketd_tickets{queue="ventas",status="open",tier="2",type="request"} 1`,
		`ticketd_first_response_seconds{type="request",quantile="0.5"} 60`,
		`ticketd_first_response_seconds_sum{type="request"} 180`,
		`ticketd_first_response_seconds_count{type="request"} 3`,
		`ticketd_resolution_seconds_count{type="request"} 1`,
		`ticketd_resolution_seconds_count{type="incident"} 0`,
		`ticketd_spam_total{reason="dmarc"} 2`,
		`ticketd_spam_total{reason="blocked"} 0`,
		"ticketd_outbox_depth 7",
		"ticketd_outbox_failed 1",
		"go_goroutines",
	} {
		if !strings.Contains(body, want) {
			t.Errorf("scrape lacks %q", want)
		}
	}
	if got := m.LastSuccessfulPass(); !got.Equal(now) {
		t.Errorf("LastSuccessfulPass = %s, want %s (a failed pass does not count)", got, now)
	}
}

func TestNilMetricsRecordNothing(t *testing.T) {
	var m *Metrics
	m.PassDone(Pass{Fetched: 1}, nil, time.Now())
	m.Applied("created")
	m.Sent("ack")
	m.SendFailed("ack", true)
	m.Escalated("soporte", 1, "incident")
	m.SLABreached("soporte", "resolution", 1, "incident")
	if !m.LastSuccessfulPass().IsZero() {
		t.Fatal("nil metrics remembered a pass")
	}
}

func TestSnapshotErrorFailsTheScrape(t *testing.T) {
	m := New(func() (Snapshot, error) { return Snapshot{}, errors.New("db closed") })
	rec := httptest.NewRecorder()
	m.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	if rec.Code != 500 {
		t.Fatalf("scrape with a failing snapshot: %d, want 500", rec.Code)
	}
}
