package metrics

import "github.com/prometheus/client_golang/prometheus"

func (m *Metrics) registerAuth(f factory) {
	m.authFailing = prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "ticketd_auth_failing",
		Help: "1 while logins to the server (imap, smtp) are refused (wrong password, expired OAuth2 token), else 0."}, []string{"server"})
	f.reg.MustRegister(m.authFailing)
	for _, s := range []string{"imap", "smtp"} {
		m.authFailing.WithLabelValues(s).Set(0)
	}
	m.authStreaks = f.counterVec("ticketd_auth_failure_streaks_total", "Times logins to the server (imap, smtp) started failing; each sends one alert to the admins.", "server")
}

// AuthFailing records that logins to server ("imap", "smtp") started
// (true) or stopped (false) failing.
func (m *Metrics) AuthFailing(server string, failing bool) {
	if m == nil {
		return
	}
	if failing {
		m.authFailing.WithLabelValues(server).Set(1)
		m.authStreaks.WithLabelValues(server).Inc()
		return
	}
	m.authFailing.WithLabelValues(server).Set(0)
}
