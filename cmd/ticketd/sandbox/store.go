package sandbox

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"
	"unicode"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapserver/imapmemserver"
)

// inbox is the mailbox every user has from the start and deliveries go to.
const inbox = "INBOX"

// store holds the sandbox's mailbox owners, created on first use.
type store struct {
	mu    sync.Mutex
	users map[string]*imapmemserver.User // by normalized address
}

func newStore() *store {
	return &store{users: make(map[string]*imapmemserver.User)}
}

// user returns the owner of addr, creating it with an INBOX if it is new.
func (st *store) user(addr string) (*imapmemserver.User, error) {
	name, err := normalize(addr)
	if err != nil {
		return nil, err
	}
	st.mu.Lock()
	defer st.mu.Unlock()
	if u := st.users[name]; u != nil {
		return u, nil
	}
	// The memserver checks no password here: the sandbox session does.
	u := imapmemserver.NewUser(name, "")
	if err := u.Create(inbox, nil); err != nil {
		return nil, fmt.Errorf("create INBOX of %s: %w", name, err)
	}
	st.users[name] = u
	return u, nil
}

// normalize turns an address or login name into the mailbox owner's key:
// trimmed, without angle brackets, lowercased.
func normalize(addr string) (string, error) {
	a := strings.TrimSpace(addr)
	a = strings.TrimSuffix(strings.TrimPrefix(a, "<"), ">")
	if a == "" {
		return "", errors.New("empty address")
	}
	if strings.IndexFunc(a, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }) >= 0 {
		return "", fmt.Errorf("address %q contains spaces or control characters", addr)
	}
	return strings.ToLower(a), nil
}

// Deliver stores raw in rcpt's INBOX, creating the user if needed; bare LF
// line endings become CRLF, as IMAP requires. It is the path the SMTP server
// uses for every recipient, and adds nothing to raw itself.
func (s *Sandbox) Deliver(rcpt string, raw []byte) error {
	u, err := s.store.user(rcpt)
	if err != nil {
		return fmt.Errorf("deliver: %w", err)
	}
	raw = crlf(raw)
	opts := &imap.AppendOptions{Time: time.Now()}
	_, err = u.Append(inbox, bytes.NewReader(raw), opts)
	if err != nil {
		// The owner may have deleted INBOX over IMAP; mail still arrives there.
		if cerr := u.Create(inbox, nil); cerr != nil {
			return fmt.Errorf("deliver to %s: %w", rcpt, errors.Join(err, cerr))
		}
		if _, err = u.Append(inbox, bytes.NewReader(raw), opts); err != nil {
			return fmt.Errorf("deliver to %s: %w", rcpt, err)
		}
	}
	s.log.Info("sandbox delivered", "rcpt", rcpt, "size", len(raw))
	return nil
}

// crlf returns raw with every bare LF turned into CRLF. Input that is already
// CRLF is returned as is.
func crlf(raw []byte) []byte {
	bare := false
	for i, c := range raw {
		if c == '\n' && (i == 0 || raw[i-1] != '\r') {
			bare = true
			break
		}
	}
	if !bare {
		return raw
	}
	out := make([]byte, 0, len(raw)+len(raw)/32)
	for i, c := range raw {
		if c == '\n' && (i == 0 || raw[i-1] != '\r') {
			out = append(out, '\r')
		}
		out = append(out, c)
	}
	return out
}
