package dovecottest

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/emersion/go-imap/v2"
)

// UIDValidity returns the UIDVALIDITY of user's mailbox.
func (s *Server) UIDValidity(t testing.TB, user, mailbox string) uint32 {
	t.Helper()
	c := s.login(t, user)
	defer logout(c)
	data, err := c.Status(mailbox, &imap.StatusOptions{UIDValidity: true}).Wait()
	if err != nil {
		t.Fatalf("dovecottest: status %s/%s: %v", user, mailbox, err)
	}
	return data.UIDValidity
}

// ResetUIDs makes Dovecot renumber the INBOX of user with a new
// UIDVALIDITY, as after a mailbox restore or migration: it stops the
// server, removes the Maildir's UID list and starts it again. The
// messages stay.
func (s *Server) ResetUIDs(t testing.TB, user string) {
	t.Helper()
	s.terminate()
	dir := filepath.Join(s.dir, "mail", strings.ToLower(user), "Maildir")
	if err := os.Remove(filepath.Join(dir, "dovecot-uidlist")); err != nil {
		t.Fatalf("dovecottest: reset uids: %v", err)
	}
	// Dovecot's index caches UIDVALIDITY too.
	matches, _ := filepath.Glob(filepath.Join(dir, "dovecot.index*"))
	for _, m := range matches {
		_ = os.Remove(m)
	}
	s.relaunch(t)
}
