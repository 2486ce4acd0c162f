package dovecottest

import (
	"errors"
	"net"
	"strconv"
	"testing"
	"time"
)

// restartTimeout bounds how long Restart retries binding the old ports.
const restartTimeout = 20 * time.Second

// Restart stops Dovecot (as Stop does) and starts it again on the same
// ports with the same users and mail, as an admin's restart looks to
// clients: connections drop, then the server is back. It must not run
// concurrently with Addr or Stop.
func (s *Server) Restart(t testing.TB) {
	t.Helper()
	s.terminate()
	s.relaunch(t)
}

// relaunch starts the stopped master again on its ports.
func (s *Server) relaunch(t testing.TB) {
	t.Helper()
	port := portOf(t, s.addr)
	tlsPort := 0
	if s.tlsAddr != "" {
		tlsPort = portOf(t, s.tlsAddr)
	}
	bin := ensureInstalled(t)
	deadline := time.Now().Add(restartTimeout)
	for {
		err := s.launch(bin, port, tlsPort)
		if err == nil {
			return
		}
		// The old master's listeners can linger for a moment.
		if !errors.Is(err, errPortClash) || time.Now().After(deadline) {
			t.Fatalf("dovecottest: restart: %v\n--- last lines of %s ---\n%s", err, s.LogPath(), s.logTail(30))
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func portOf(t testing.TB, addr string) int {
	t.Helper()
	_, p, err := net.SplitHostPort(addr)
	n, err2 := strconv.Atoi(p)
	if err != nil || err2 != nil {
		t.Fatalf("dovecottest: bad address %q", addr)
	}
	return n
}
