package dovecottest

import (
	"errors"
	"net"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"
)

// appendWindow is how many APPENDs AppendMany keeps in flight on one
// connection before waiting for their results.
const appendWindow = 64

// login opens an IMAP connection to Addr — plain text, or STARTTLS when the
// server has TLS — and logs in as user with the password given to Start.
func (s *Server) login(t testing.TB, user string) *imapclient.Client {
	t.Helper()
	pass, ok := s.users[strings.ToLower(user)]
	if !ok {
		t.Fatalf("dovecottest: unknown user %q (pass it to Start)", user)
	}
	opts := &imapclient.Options{Dialer: &net.Dialer{Timeout: 5 * time.Second}}
	var (
		c   *imapclient.Client
		err error
	)
	if s.opts.TLS {
		opts.TLSConfig = s.clientTLS()
		c, err = imapclient.DialStartTLS(s.addr, opts)
	} else {
		c, err = imapclient.DialInsecure(s.addr, opts)
	}
	if err != nil {
		t.Fatalf("dovecottest: dial %s: %v", s.addr, err)
	}
	if err := c.Login(user, pass).Wait(); err != nil {
		c.Close()
		t.Fatalf("dovecottest: login as %s: %v", user, err)
	}
	return c
}

// logout ends the session politely; the server is a test fixture, so errors
// after the work is done are not interesting.
func logout(c *imapclient.Client) {
	_ = c.Logout().Wait()
	_ = c.Close()
}

// ensureMailbox creates mailbox unless it exists.
func ensureMailbox(t testing.TB, c *imapclient.Client, mailbox string) {
	t.Helper()
	if strings.EqualFold(mailbox, "INBOX") {
		return
	}
	err := c.Create(mailbox, nil).Wait()
	var ierr *imap.Error
	if err != nil && !(errors.As(err, &ierr) && ierr.Code == imap.ResponseCodeAlreadyExists) {
		t.Fatalf("dovecottest: create %s: %v", mailbox, err)
	}
}

// Append stores raw in user's mailbox with APPEND, creating the mailbox if
// it is missing. Use CRLF line endings, as real mail has.
func (s *Server) Append(t testing.TB, user, mailbox string, raw []byte) {
	t.Helper()
	s.AppendMany(t, user, mailbox, [][]byte{raw})
}

// AppendMany stores raws in user's mailbox, in order, over one connection,
// pipelining the APPENDs (Dovecot has LITERAL+) so bulk loads are fast.
func (s *Server) AppendMany(t testing.TB, user, mailbox string, raws [][]byte) {
	t.Helper()
	c := s.login(t, user)
	defer logout(c)
	ensureMailbox(t, c, mailbox)

	pending := make([]*imapclient.AppendCommand, 0, appendWindow)
	flush := func() {
		for _, cmd := range pending {
			if _, err := cmd.Wait(); err != nil {
				t.Fatalf("dovecottest: append to %s/%s: %v", user, mailbox, err)
			}
		}
		pending = pending[:0]
	}
	for i, raw := range raws {
		cmd := c.Append(mailbox, int64(len(raw)), nil)
		if _, err := cmd.Write(raw); err != nil {
			t.Fatalf("dovecottest: append message %d to %s/%s: %v", i, user, mailbox, err)
		}
		if err := cmd.Close(); err != nil {
			t.Fatalf("dovecottest: append message %d to %s/%s: %v", i, user, mailbox, err)
		}
		if pending = append(pending, cmd); len(pending) == appendWindow {
			flush()
		}
	}
	flush()
}

// Count returns the number of messages in user's mailbox, 0 if the mailbox
// does not exist.
func (s *Server) Count(t testing.TB, user, mailbox string) int {
	t.Helper()
	c := s.login(t, user)
	defer logout(c)
	if !mailboxExists(t, c, mailbox) {
		return 0
	}
	data, err := c.Status(mailbox, &imap.StatusOptions{NumMessages: true}).Wait()
	if err != nil {
		t.Fatalf("dovecottest: status %s/%s: %v", user, mailbox, err)
	}
	if data.NumMessages == nil {
		t.Fatalf("dovecottest: status %s/%s: no MESSAGES in the answer", user, mailbox)
	}
	return int(*data.NumMessages)
}

// Fetch returns every message in user's mailbox, raw and in mailbox order,
// without setting \Seen. A missing mailbox yields nil.
func (s *Server) Fetch(t testing.TB, user, mailbox string) [][]byte {
	t.Helper()
	c := s.login(t, user)
	defer logout(c)
	if !mailboxExists(t, c, mailbox) {
		return nil
	}
	sel, err := c.Select(mailbox, &imap.SelectOptions{ReadOnly: true}).Wait()
	if err != nil {
		t.Fatalf("dovecottest: examine %s/%s: %v", user, mailbox, err)
	}
	if sel.NumMessages == 0 {
		return nil
	}
	var all imap.SeqSet
	all.AddRange(1, 0) // 1:*
	section := &imap.FetchItemBodySection{Peek: true}
	msgs, err := c.Fetch(all, &imap.FetchOptions{BodySection: []*imap.FetchItemBodySection{section}}).Collect()
	if err != nil {
		t.Fatalf("dovecottest: fetch %s/%s: %v", user, mailbox, err)
	}
	sort.Slice(msgs, func(i, j int) bool { return msgs[i].SeqNum < msgs[j].SeqNum })
	out := make([][]byte, 0, len(msgs))
	for _, m := range msgs {
		out = append(out, m.FindBodySection(section))
	}
	return out
}

// Caps returns the capabilities Dovecot announces to user once logged in,
// sorted (e.g. "IDLE", "MOVE", "UIDPLUS").
func (s *Server) Caps(t testing.TB, user string) []string {
	t.Helper()
	c := s.login(t, user)
	defer logout(c)
	caps := make([]string, 0, len(c.Caps()))
	for cp := range c.Caps() {
		caps = append(caps, string(cp))
	}
	sort.Strings(caps)
	return caps
}

// mailboxExists asks the server with LIST. (Dovecot 2.3 answers STATUS and
// SELECT of a missing mailbox with a bare NO, without [NONEXISTENT].)
func mailboxExists(t testing.TB, c *imapclient.Client, mailbox string) bool {
	t.Helper()
	if strings.EqualFold(mailbox, "INBOX") {
		return true
	}
	list, err := c.List("", mailbox, nil).Collect()
	if err != nil {
		t.Fatalf("dovecottest: list %s: %v", mailbox, err)
	}
	for _, l := range list {
		if l.Mailbox == mailbox && !slices.Contains(l.Attrs, imap.MailboxAttrNonExistent) && !slices.Contains(l.Attrs, imap.MailboxAttrNoSelect) {
			return true
		}
	}
	return false
}
