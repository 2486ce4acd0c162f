package sandbox

import (
	"crypto/subtle"
	"net"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapserver"
	"github.com/emersion/go-imap/v2/imapserver/imapmemserver"
)

// imapCaps are the capabilities the memserver backend supports in beta.8:
// its session implements NAMESPACE and MOVE, and answers APPEND and COPY with
// UIDs (UIDPLUS). imapserver adds IDLE, UNSELECT, ENABLE, SASL-IR and
// LITERAL- for IMAP4rev1 by itself.
var imapCaps = imap.CapSet{
	imap.CapIMAP4rev1: {},
	imap.CapNamespace: {},
	imap.CapUIDPlus:   {},
	imap.CapMove:      {},
}

func startIMAP(sb *Sandbox, ln net.Listener) *listening {
	log := sb.log.With("server", "imap")
	srv := imapserver.New(&imapserver.Options{
		NewSession: func(*imapserver.Conn) (imapserver.Session, *imapserver.GreetingData, error) {
			return &session{sb: sb}, nil, nil
		},
		Caps:         imapCaps,
		Logger:       printfLogger{log},
		InsecureAuth: true, // loopback only, no TLS: that is the point of the sandbox
	})
	return serve(srv, ln, log)
}

// session is an imapmemserver session whose login accepts any address with
// the sandbox password, creating the address's mailboxes on first use.
type session struct {
	*imapmemserver.UserSession // nil until Login

	sb *Sandbox
}

var _ imapserver.SessionIMAP4rev2 = (*session)(nil)

// Login implements imapserver.Session.
func (s *session) Login(username, password string) error {
	if subtle.ConstantTimeCompare([]byte(password), []byte(s.sb.password)) != 1 {
		return imapserver.ErrAuthFailed
	}
	u, err := s.sb.store.user(username)
	if err != nil {
		return imapserver.ErrAuthFailed
	}
	s.UserSession = imapmemserver.NewUserSession(u)
	return nil
}

// Close implements imapserver.Session; it runs for unauthenticated
// connections too.
func (s *session) Close() error {
	if s.UserSession == nil {
		return nil
	}
	return s.UserSession.Close()
}

// Idle implements imapserver.Session. go-imap v2.0.0-beta.8's memory
// backend only reports updates that arrive once IDLE has started: mail
// delivered between SELECT and IDLE would wait for the next update. Flush
// what is queued first.
func (s *session) Idle(w *imapserver.UpdateWriter, stop <-chan struct{}) error {
	if err := s.UserSession.Poll(w, true); err != nil {
		return err
	}
	return s.UserSession.Idle(w, stop)
}
