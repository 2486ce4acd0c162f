package mailout

import (
	"bufio"
	"errors"
	"net"
	"slices"
	"strings"
	"testing"

	"github.com/emersion/go-smtp"

	"github.com/ticketd/ticketd/tickets"
)

// scripted is a server end of net.Pipe that answers each command line
// with the reply reply(line) chooses (reply(".") for a final dot), and records how many command lines
// arrived together in one write of the client.
type scripted struct {
	t      testing.TB
	lines  []string
	groups []int // lines per client write
	done   chan struct{}
}

// serve answers until the client closes. net.Pipe hands each Write to one
// Read, so the lines buffered after a read came in the same write.
func serve(t testing.TB, nc net.Conn, ext string, reply func(line string) string) *scripted {
	s := &scripted{t: t, done: make(chan struct{})}
	go func() {
		defer close(s.done)
		br := bufio.NewReader(nc)
		w := func(r string) { nc.Write([]byte(r + "\r\n")) }
		w("220 test")
		inData, group := false, 0
		for {
			line, err := br.ReadString('\n')
			if err != nil {
				return
			}
			line = strings.TrimRight(line, "\r\n")
			if inData {
				if line == "." {
					inData = false
					w(reply("."))
				}
				continue
			}
			s.lines = append(s.lines, line)
			group++
			if br.Buffered() == 0 {
				s.groups = append(s.groups, group)
				group = 0
			}
			switch {
			case strings.HasPrefix(line, "EHLO"):
				w("250-test\r\n250-" + ext + "\r\n250 8BITMIME")
			case line == "QUIT":
				w("221 bye")
				return
			default:
				r := reply(line)
				inData = strings.HasPrefix(r, "354")
				w(r)
			}
		}
	}()
	return s
}

func okReply(line string) string {
	if line == "DATA" {
		return "354 go on"
	}
	return "250 ok"
}

func testConn(t *testing.T, ext string, reply func(string) string) (*conn, *scripted) {
	cl, sv := net.Pipe()
	srv := serve(t, sv, ext, reply)
	s := newSession(cl)
	if err := s.open("client.test", false, nil); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cl.Close(); sv.Close(); <-srv.done })
	return &conn{s: s, stop: func() bool { return true }}, srv
}

func rcptsOf(addrs ...string) []envelopeRcpt {
	var out []envelopeRcpt
	for _, a := range addrs {
		out = append(out, envelopeRcpt{addr: a, path: a})
	}
	return out
}

func noWait() error { return nil }

func TestTransactionIsPipelinedWhenOffered(t *testing.T) {
	c, srv := testConn(t, "PIPELINING", okReply)
	res := c.transact("desk@example.com", rcptsOf("a@example.com", "b@example.com"), []byte("Subject: x\r\n\r\n.hi\r\n"), &tickets.Mail{ID: 1}, noWait, nil)
	if res.err != nil || len(res.accepted) != 2 {
		t.Fatalf("result %+v", res)
	}
	c.quit()
	<-srv.done
	// EHLO; MAIL, two RCPTs and DATA together; QUIT.
	if got := srv.groups; len(got) != 3 || got[1] != 4 {
		t.Errorf("command lines per write = %v, want [1 4 1]", got)
	}
}

func TestTransactionWaitsForEachReplyWithoutPipelining(t *testing.T) {
	c, srv := testConn(t, "SIZE 1000", okReply)
	res := c.transact("desk@example.com", rcptsOf("a@example.com"), []byte("hi\r\n"), &tickets.Mail{ID: 1}, noWait, nil)
	if res.err != nil || len(res.accepted) != 1 {
		t.Fatalf("result %+v", res)
	}
	c.quit()
	<-srv.done
	for i, n := range srv.groups {
		if n != 1 {
			t.Errorf("write %d carried %d command lines (%q), want 1", i, n, srv.lines)
		}
	}
	if !strings.Contains(srv.lines[1], "SIZE=4") {
		t.Errorf("MAIL = %q, want the SIZE parameter", srv.lines[1])
	}
}

// A refused MAIL leaves the replies of the pipelined RCPT and DATA to be
// read: the session stays in step and the next mail goes out on it.
func TestRefusedMailKeepsPipelinedSessionInStep(t *testing.T) {
	mails, open := 0, false
	c, srv := testConn(t, "PIPELINING", func(line string) string {
		switch {
		case strings.HasPrefix(line, "MAIL"):
			mails++
			if open = mails > 1; !open {
				return "550 5.7.1 sender refused"
			}
		case line == "RSET":
			open = false
		case !open:
			return "503 5.5.1 no MAIL"
		}
		return okReply(line)
	})
	res := c.transact("desk@example.com", rcptsOf("a@example.com"), []byte("hi\r\n"), &tickets.Mail{ID: 1}, noWait, nil)
	var se *smtp.SMTPError
	if !errors.As(res.err, &se) || se.Code != 550 || res.dropConn || len(res.accepted) != 0 {
		t.Fatalf("first result %+v, want a kept session and a 550", res)
	}
	res = c.transact("desk@example.com", rcptsOf("a@example.com"), []byte("hi\r\n"), &tickets.Mail{ID: 2}, noWait, nil)
	if res.err != nil || len(res.accepted) != 1 {
		t.Fatalf("second result %+v", res)
	}
	c.quit()
	<-srv.done
	if !strings.HasPrefix(srv.lines[len(srv.lines)-5], "RSET") {
		t.Errorf("commands %q: want RSET before the second MAIL", srv.lines)
	}
}

// The next mail's MAIL, RCPT and DATA go out with the final dot of the
// one before (RFC 2920 §3.1): one write per mail.
func TestNextEnvelopeGoesWithTheFinalDot(t *testing.T) {
	c, srv := testConn(t, "PIPELINING", okReply)
	m1, m2 := &tickets.Mail{ID: 1}, &tickets.Mail{ID: 2}
	next, err := c.plan("desk@example.com", rcptsOf("b@example.com"), 4, m2)
	if err != nil {
		t.Fatal(err)
	}
	res := c.transact("desk@example.com", rcptsOf("a@example.com"), []byte("hi\r\n"), m1, noWait, &next)
	if res.err != nil || len(res.accepted) != 1 {
		t.Fatalf("first result %+v", res)
	}
	res = c.transact("desk@example.com", rcptsOf("b@example.com"), []byte("ho\r\n"), m2, noWait, nil)
	if res.err != nil || !slices.Equal(res.accepted, []string{"b@example.com"}) {
		t.Fatalf("second result %+v", res)
	}
	c.quit()
	<-srv.done
	// EHLO; MAIL, RCPT, DATA; the first content, its dot and the second
	// MAIL, RCPT, DATA; the second content and dot, then QUIT.
	if got := srv.groups; !slices.Equal(got, []int{1, 3, 3, 1}) {
		t.Errorf("command lines per write = %v (%q), want [1 3 3 1]", got, srv.lines)
	}
}

// A refused final dot ends its transaction only: the envelope that went
// out behind it is the next mail's, on the same session.
func TestRefusedDotKeepsTheEnvelopeAhead(t *testing.T) {
	dots := 0
	c, srv := testConn(t, "PIPELINING", func(line string) string {
		if line == "." {
			if dots++; dots == 1 {
				return "554 5.6.0 content refused"
			}
		}
		return okReply(line)
	})
	m2 := &tickets.Mail{ID: 2}
	next, _ := c.plan("desk@example.com", rcptsOf("b@example.com"), 4, m2)
	res := c.transact("desk@example.com", rcptsOf("a@example.com"), []byte("hi\r\n"), &tickets.Mail{ID: 1}, noWait, &next)
	var se *smtp.SMTPError
	if !errors.As(res.err, &se) || se.Code != 554 || res.dropConn {
		t.Fatalf("first result %+v, want a 554 on a kept session", res)
	}
	res = c.transact("desk@example.com", rcptsOf("b@example.com"), []byte("ho\r\n"), m2, noWait, nil)
	if res.err != nil || len(res.accepted) != 1 {
		t.Fatalf("second result %+v", res)
	}
	c.quit()
	<-srv.done
	if slices.Contains(srv.lines, "RSET") {
		t.Errorf("commands %q: no RSET wanted, the dot ended the transaction", srv.lines)
	}
}

// A batch that stops with an envelope ahead closes the connection: QUIT
// would be taken for the content of that DATA.
func TestQuitWithAnEnvelopeAheadCloses(t *testing.T) {
	c, srv := testConn(t, "PIPELINING", okReply)
	m2 := &tickets.Mail{ID: 2}
	next, _ := c.plan("desk@example.com", rcptsOf("b@example.com"), 4, m2)
	if res := c.transact("desk@example.com", rcptsOf("a@example.com"), []byte("hi\r\n"), &tickets.Mail{ID: 1}, noWait, &next); res.err != nil {
		t.Fatalf("result %+v", res)
	}
	c.quit() // must not wait for a 221 that cannot come
	<-srv.done
	if slices.Contains(srv.lines, "QUIT") {
		t.Errorf("commands %q: QUIT sent inside a DATA", srv.lines)
	}
}
