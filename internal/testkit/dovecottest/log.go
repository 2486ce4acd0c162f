package dovecottest

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// LoginsOverTLS counts user's successful logins so far, from the login
// lines of Dovecot's log: over TLS (implicit or STARTTLS), and in plain
// text. Dovecot writes the line just after the login, so a caller checking
// right after a client logged in may need to wait a moment.
func (s *Server) LoginsOverTLS(t testing.TB, user string) (overTLS, plain int) {
	t.Helper()
	data, err := os.ReadFile(s.LogPath())
	if err != nil {
		t.Fatalf("dovecottest: %v", err)
	}
	// imap-login: Info: Login: user=<u>, method=PLAIN, rip=…, lip=…, mpid=…, TLS, session=<…>
	// ("secured" instead of "TLS" for plain text on loopback).
	prefix := "imap-login: Info: Login: user=<" + strings.ToLower(user) + ">,"
	for _, line := range strings.Split(string(data), "\n") {
		if !strings.Contains(line, prefix) {
			continue
		}
		if strings.Contains(line, ", TLS,") {
			overTLS++
		} else {
			plain++
		}
	}
	return overTLS, plain
}

// logTail returns the last n lines of Dovecot's log and of its stderr, where
// configuration errors land before the log is open.
func (s *Server) logTail(n int) string {
	var b strings.Builder
	if log, err := os.ReadFile(s.LogPath()); err == nil && len(log) > 0 {
		b.WriteString(lastLines(string(log), n))
	}
	if se, err := os.ReadFile(filepath.Join(s.dir, "stderr.log")); err == nil && len(se) > 0 {
		b.WriteString("\n--- stderr ---\n")
		b.WriteString(lastLines(string(se), n))
	}
	if b.Len() == 0 {
		return "(empty)"
	}
	return b.String()
}
