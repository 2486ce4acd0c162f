package metrics

func (m *Metrics) newAuth() {
	m.authFailing = newVec("gauge", "ticketd_auth_failing", "1 while logins to the server (imap, smtp) are refused (wrong password, expired OAuth2 token), else 0.", "server")
	for _, s := range []string{"imap", "smtp"} {
		m.authFailing.set(0, s)
	}
	m.authStreaks = newVec("counter", "ticketd_auth_failure_streaks_total", "Times logins to the server (imap, smtp) started failing; each sends one alert to the admins.", "server")
}

// AuthFailing records that logins to server ("imap", "smtp") started
// (true) or stopped (false) failing.
func (m *Metrics) AuthFailing(server string, failing bool) {
	if m == nil {
		return
	}
	if failing {
		m.authFailing.set(1, server)
		m.authStreaks.add(1, server)
		return
	}
	m.authFailing.set(0, server)
}
