package mailout

import (
	"bufio"
	"bytes"
	"crypto/tls"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net"
	"net/textproto"
	"strconv"
	"strings"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

// session is the client side of one SMTP session over a connection this
// package owns. It replaces go-smtp's Client, whose commands each wait
// for their reply, so that a mail transaction can be pipelined (RFC 2920):
// MAIL, every RCPT and DATA go out in one write and their replies are read
// after it, then the content and its final dot in a second write, with
// the next mail's MAIL, RCPTs and DATA behind it (conn.transact) — one
// round trip per mail instead of three plus one per recipient. Replies
// become *smtp.SMTPError as go-smtp's do, so the classification of
// failures (isPermanent, 421) is unchanged.
type session struct {
	nc  net.Conn
	r   *textproto.Reader
	w   *bufio.Writer
	ext map[string]string // EHLO keywords (upper case) → parameters
}

// Timeouts as go-smtp's Client has them (RFC 5321 §4.5.3.2): 5 minutes
// for a reply to a command, 12 for the reply to the final dot.
const (
	commandTimeout    = 5 * time.Minute
	submissionTimeout = 12 * time.Minute
)

// maxReplyLine bounds a reply line read from the server (twice RFC 5321's
// 512, as go-smtp does).
const maxReplyLine = 2000

func newSession(nc net.Conn) *session {
	s := &session{}
	s.setConn(nc)
	return s
}

func (s *session) setConn(nc net.Conn) {
	s.nc = nc
	s.r = textproto.NewReader(bufio.NewReader(&lineLimitReader{r: nc, limit: maxReplyLine}))
	s.w = bufio.NewWriterSize(nc, writeBuffer)
}

// writeBuffer holds a whole typical mail (text and HTML, 3–8 KB) with its
// final dot: one write per mail's content, not one per 4 KB.
const writeBuffer = 32 << 10

// open reads the greeting and says EHLO (HELO to a server that does not
// know EHLO); with startTLS it then upgrades the session (RFC 3207),
// refusing a server that does not offer it, and says EHLO again.
func (s *session) open(helo string, startTLS bool, cfg *tls.Config) error {
	s.nc.SetDeadline(time.Now().Add(commandTimeout))
	defer s.nc.SetDeadline(time.Time{})
	if _, _, err := s.reply(220); err != nil {
		return fmt.Errorf("greeting: %w", err)
	}
	if err := s.hello(helo); err != nil {
		return err
	}
	if !startTLS {
		return nil
	}
	if !s.has("STARTTLS") {
		return errors.New("server does not offer STARTTLS")
	}
	if _, _, err := s.cmd(220, "STARTTLS"); err != nil {
		return fmt.Errorf("starttls: %w", err)
	}
	tc := tls.Client(s.nc, cfg)
	if err := tc.Handshake(); err != nil {
		return fmt.Errorf("tls handshake: %w", err)
	}
	s.setConn(tc)
	return s.hello(helo)
}

func (s *session) hello(name string) error {
	_, msg, err := s.cmd(250, "EHLO "+name)
	var se *smtp.SMTPError
	if errors.As(err, &se) && (se.Code == 500 || se.Code == 502) {
		s.ext = nil
		_, _, err = s.cmd(250, "HELO "+name)
		return err
	}
	if err != nil {
		return fmt.Errorf("ehlo: %w", err)
	}
	s.ext = make(map[string]string)
	lines := strings.Split(msg, "\n")
	for _, l := range lines[1:] { // the first line greets
		k, v, _ := strings.Cut(l, " ")
		s.ext[strings.ToUpper(k)] = v
	}
	return nil
}

// has reports whether the server announced the EHLO keyword ext.
func (s *session) has(ext string) bool {
	_, ok := s.ext[ext]
	return ok
}

// auth logs in with a SASL mechanism (RFC 4954), as go-smtp's Client.Auth.
func (s *session) auth(a sasl.Client) error {
	s.nc.SetDeadline(time.Now().Add(commandTimeout))
	defer s.nc.SetDeadline(time.Time{})
	enc := base64.StdEncoding
	mech, resp, err := a.Start()
	if err != nil {
		return err
	}
	line := "AUTH " + mech
	if len(resp) > 0 {
		line += " " + enc.EncodeToString(resp)
	} else if resp != nil {
		line += " =" // an empty initial response (RFC 4954 §4)
	}
	code, msg, err := s.cmd(0, line)
	for err == nil {
		switch code {
		case 334:
			var challenge []byte
			if challenge, err = enc.DecodeString(msg); err == nil {
				resp, err = a.Next(challenge)
			}
		case 235:
			return nil
		default:
			return replyError(code, msg)
		}
		if err != nil {
			s.cmd(501, "*") // cancel the exchange (RFC 4954 §4)
			return err
		}
		code, msg, err = s.cmd(0, enc.EncodeToString(resp))
	}
	return err
}

// cmd sends one command and reads its reply.
func (s *session) cmd(expect int, line string) (int, string, error) {
	s.w.WriteString(line)
	s.w.WriteString("\r\n")
	if err := s.w.Flush(); err != nil {
		return 0, "", err
	}
	return s.reply(expect)
}

// reply reads one reply; a code other than expect (a prefix of it: 2
// accepts any 2xx, 0 anything) is an *smtp.SMTPError.
func (s *session) reply(expect int) (int, string, error) {
	code, msg, err := s.r.ReadResponse(expect)
	var pe *textproto.Error
	if errors.As(err, &pe) {
		return code, msg, replyError(pe.Code, pe.Msg)
	}
	return code, msg, err
}

// replyError turns a reply into go-smtp's error type, with its enhanced
// status code (RFC 3463) when the text starts with one.
func replyError(code int, msg string) *smtp.SMTPError {
	e := &smtp.SMTPError{Code: code, Message: msg}
	first, rest, ok := strings.Cut(msg, " ")
	if !ok {
		return e
	}
	parts := strings.Split(first, ".")
	if len(parts) != 3 {
		return e
	}
	var ec smtp.EnhancedCode
	for i, p := range parts {
		n, err := strconv.Atoi(p)
		if err != nil {
			return e
		}
		ec[i] = n
	}
	e.EnhancedCode = ec
	// RFC 2034: the enhanced code starts every line of the reply.
	e.Message = strings.ReplaceAll(rest, "\n"+first+" ", "\n")
	return e
}

// quit ends the session politely and closes the connection.
func (s *session) quit() {
	s.nc.SetDeadline(time.Now().Add(commandTimeout))
	s.cmd(221, "QUIT")
	s.nc.Close()
}

// lineLimitReader fails a read once a line longer than limit comes in: a
// server cannot make the client buffer without bound.
type lineLimitReader struct {
	r     io.Reader
	limit int
	cur   int // length of the line being read
}

var errLongLine = errors.New("smtp reply line too long")

func (l *lineLimitReader) Read(b []byte) (int, error) {
	if l.cur > l.limit {
		return 0, errLongLine
	}
	n, err := l.r.Read(b)
	for _, c := range b[:n] {
		if c == '\n' {
			l.cur = 0
		} else {
			l.cur++
		}
	}
	return n, err
}

// mailFrom is the MAIL command for a message of size bytes, with the
// parameters the server announced (RFC 6152 BODY, RFC 1870 SIZE, RFC 6531
// SMTPUTF8: the caller has checked the server offers it).
func (s *session) mailFrom(from string, size int, smtputf8 bool) string {
	var b strings.Builder
	b.WriteString("MAIL FROM:<")
	b.WriteString(from)
	b.WriteByte('>')
	if s.has("8BITMIME") {
		b.WriteString(" BODY=8BITMIME")
	}
	if s.has("SIZE") && size > 0 {
		b.WriteString(" SIZE=")
		b.WriteString(strconv.Itoa(size))
	}
	if smtputf8 {
		b.WriteString(" SMTPUTF8")
	}
	return b.String()
}

// pipeline sends the commands of a transaction — all in one write when
// the server offers PIPELINING (RFC 2920), else each when its reply is
// wanted — and reads their replies in order.
type pipeline struct {
	s          *session
	all        bool
	lines      []string
	sent, read int
}

func (p *pipeline) add(line string) { p.lines = append(p.lines, line) }

// next returns the reply to the next command (see session.reply for
// expect), sending it first if it has not gone out yet.
func (p *pipeline) next(expect int) (int, string, error) {
	if p.read == p.sent {
		end := p.read + 1
		if p.all {
			end = len(p.lines)
		}
		for _, l := range p.lines[p.sent:end] {
			p.s.w.WriteString(l)
			p.s.w.WriteString("\r\n")
		}
		p.sent = end
		if err := p.s.w.Flush(); err != nil {
			return 0, "", err
		}
	}
	p.read++
	return p.s.reply(expect)
}

// abandon reads the replies still owed for commands that went out ahead
// of a failure (MAIL or every RCPT refused), so that the session stays in
// step; a server that accepted the DATA anyway is sent the final dot of
// an empty message, as RFC 2920 §3.1 says, and the transaction is left
// for the next RSET. A session that breaks meanwhile is dropped.
func (p *pipeline) abandon(res txResult) txResult {
	for p.read < p.sent {
		code, _, err := p.next(0)
		if err == nil && p.read == len(p.lines) && code == 354 {
			_, _, err = p.s.cmd(0, ".")
		}
		var se *smtp.SMTPError
		if err != nil && !errors.As(err, &se) || se != nil && se.Code == 421 {
			res.dropConn = true
			return res
		}
	}
	return res
}

// writeDotted writes data as the content of a DATA command (RFC 5321
// §4.5.2): every line ends in CRLF, a line starting with a dot gets
// another. The final dot is the caller's.
func writeDotted(w *bufio.Writer, data []byte) error {
	for len(data) > 0 {
		line := data
		if i := bytes.IndexByte(data, '\n'); i >= 0 {
			line, data = data[:i], data[i+1:]
		} else {
			data = nil
		}
		if len(line) > 0 && line[0] == '.' {
			w.WriteByte('.')
		}
		w.Write(bytes.TrimSuffix(line, []byte{'\r'}))
		if _, err := w.WriteString("\r\n"); err != nil {
			return err
		}
	}
	return nil
}
