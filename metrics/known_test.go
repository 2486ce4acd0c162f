package metrics

import (
	"io"
	"net/http/httptest"
	"strings"
	"testing"
)

// TestKnownSeriesStartAtZero: after Known, a scrape has the pass, breach
// and escalation series at 0 before anything happened.
func TestKnownSeriesStartAtZero(t *testing.T) {
	m := New(nil)
	m.Known(map[string][]int{"soporte": {1, 2}, "ventas": {1}}, []string{"incident", "request"})
	rec := httptest.NewRecorder()
	m.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	body, _ := io.ReadAll(rec.Body)
	for _, want := range []string{
		`ticketd_mail_passes_total{result="error"} 0`,
		`ticketd_mail_passes_total{result="ok"} 0`,
		`ticketd_sla_breaches_total{queue="soporte",target="first_response",tier="1",type="incident"} 0`,
		`ticketd_sla_breaches_total{queue="soporte",target="resolution",tier="2",type="request"} 0`,
		`ticketd_sla_breaches_total{queue="ventas",target="resolution",tier="1",type="request"} 0`,
		`ticketd_escalations_total{queue="soporte",tier="2",type="incident"} 0`,
		`ticketd_escalations_total{queue="soporte",tier="2",type="request"} 0`,
	} {
		if !strings.Contains(string(body), want) {
			t.Errorf("scrape lacks %s", want)
		}
	}
	if strings.Contains(string(body), `ticketd_escalations_total{queue="soporte",tier="1"`) {
		t.Error("no ticket escalates to tier 1")
	}
	if strings.Contains(string(body), `ticketd_escalations_total{queue="ventas"`) || strings.Contains(string(body), `{queue="ventas",target="first_response",tier="2"`) {
		t.Error("a queue's series name tiers of another queue's ladder")
	}
	var nilMetrics *Metrics
	nilMetrics.Known(map[string][]int{"soporte": {1}}, []string{"incident"}) // records nothing, no panic
}
