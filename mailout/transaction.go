package mailout

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"slices"
	"sync"
	"time"

	"github.com/emersion/go-smtp"

	"github.com/ticketd/ticketd/tickets"
)

// batch is one connection's work: mails sent one after the other over one
// SMTP session, reconnecting when it breaks.
type batch struct {
	s       *Sender
	ctx     context.Context
	st      *Stats
	p       pipe
	c       *conn
	connErr error // sticky for the batch: do not redial for every mail
	// bufs hold the mail being sent and the next one, composed ahead
	// (next); cur is the former's.
	bufs [2]bytes.Buffer
	cur  int
	next *composed
}

// composed is a mail composed ahead, in bufs[buf], with its envelope.
type composed struct {
	env  envelope
	data []byte
	buf  int
}

// sendBatch delivers mails over one connection. It returns only Queue
// and context errors.
func (s *Sender) sendBatch(ctx context.Context, mails []tickets.Mail, st *Stats, com *committer) (err error) {
	b := &batch{s: s, ctx: ctx, st: st, p: pipe{c: com, errc: make(chan error, 1)}}
	com.join()
	defer com.leave()
	defer func() {
		// What the server accepted is recorded before the session ends,
		// also when the batch stops early.
		err = errors.Join(err, b.p.wait())
		if b.c != nil {
			b.c.quit()
		}
	}()
	for i := range mails {
		if err := ctx.Err(); err != nil {
			return err
		}
		var next *tickets.Mail
		if i+1 < len(mails) {
			next = &mails[i+1]
		}
		if err := b.sendMail(&mails[i], next); err != nil {
			return err
		}
	}
	return nil
}

func (b *batch) conn() (*conn, error) {
	if b.c == nil && b.connErr == nil {
		b.c, b.connErr = b.s.connect(b.ctx)
		if b.connErr != nil {
			b.s.logConnectError(b.connErr)
		}
	}
	return b.c, b.connErr
}

// outcome gathers what the transactions of one mail came to.
type outcome struct {
	sent     bool        // a transaction was accepted (and is being recorded)
	refused  []Rejection // refused for good and not recorded yet
	recorded []Rejection // refused for good, recorded with an accepted transaction
	firstErr error       // the first permanent refusal, for the failure reason
	temp     error       // the first temporary failure: retry the pending recipients
}

// sendMail delivers m to its pending recipients, at most MaxRecipients
// per transaction, and records the outcome. A temporary refusal of one
// recipient defers only that recipient. next, when not nil, is the mail
// that follows on this connection: its envelope goes out with m's final
// dot (ahead).
func (b *batch) sendMail(m, next *tickets.Mail) error {
	s := b.s
	data, err := b.compose(m)
	if errors.Is(err, tickets.ErrStorage) {
		// An attachment file unreadable now (a disk, a permission, a
		// restore in progress) is not the mail's fault: retried with
		// backoff.
		return b.settled(func() error { return s.retry(m, err, b.st) })
	}
	if err != nil {
		return b.settled(func() error { return s.fail(m, err.Error(), b.st) })
	}
	from, err := envelopeAddress(m.From.Email)
	if err != nil { // ComposeWith checked it; kept for safety
		return b.settled(func() error { return s.fail(m, err.Error(), b.st) })
	}
	pending := m.Pending()
	if len(pending) == 0 { // MarkSent removes a settled mail; never loop on one
		return b.settled(func() error {
			_, err := s.q.MarkSent([]tickets.Delivery{{ID: m.ID, Time: s.opts.Now()}})
			return err
		})
	}
	var out outcome
	var rcpts []envelopeRcpt
	for _, rcpt := range pending {
		path, err := envelopeAddress(rcpt)
		if err != nil {
			// Never sent: a forged address must not reach the envelope.
			out.refuse(m, rcpt, err)
			continue
		}
		rcpts = append(rcpts, envelopeRcpt{addr: rcpt, path: path})
	}
	chunks := slices.Collect(slices.Chunk(rcpts, s.opts.MaxRecipients))
	if len(chunks) > 1 && s.opts.OnLimit != nil {
		s.opts.OnLimit("recipients_per_transaction")
	}
	for i, chunk := range chunks {
		if i > 0 && b.ctx.Err() != nil {
			// Stopping: the recipients not reached yet stay pending.
			return b.p.wait()
		}
		c, err := b.conn()
		if err != nil {
			out.temp = err
			break
		}
		var follow *envelope
		if i == len(chunks)-1 && next != nil {
			follow = b.ahead(c, next)
		}
		res := c.transact(from, chunk, data, m, b.p.wait, follow)
		if res.dropConn {
			c.close()
			b.c = nil
		}
		if res.queueErr != nil {
			return res.queueErr
		}
		b.apply(m, chunk, res, &out)
	}
	return b.finish(m, &out)
}

// compose returns m composed: as composed ahead, or now into the current
// buffer.
func (b *batch) compose(m *tickets.Mail) ([]byte, error) {
	if c := b.next; c != nil && c.env.m == m {
		b.next, b.cur = nil, c.buf
		return c.data, nil
	}
	b.next = nil
	buf := &b.bufs[b.cur]
	buf.Reset()
	err := composeInto(buf, m, b.s.opts.Now(), b.s.opts.Blobs)
	return buf.Bytes(), err
}

// ahead composes m, the next mail on connection c, into the other buffer
// and plans its envelope, to go out with the current mail's final dot.
// Only the plain case goes ahead — a server with PIPELINING, a mail that
// composes, every pending recipient in one transaction and sendable —
// anything else (nil) takes sendMail's usual path when its turn comes.
func (b *batch) ahead(c *conn, m *tickets.Mail) *envelope {
	s := b.s
	if !c.s.has("PIPELINING") || b.ctx.Err() != nil {
		return nil
	}
	from, err := envelopeAddress(m.From.Email)
	pending := m.Pending()
	if err != nil || len(pending) == 0 || len(pending) > s.opts.MaxRecipients {
		return nil
	}
	rcpts := make([]envelopeRcpt, 0, len(pending))
	for _, rcpt := range pending {
		path, err := envelopeAddress(rcpt)
		if err != nil {
			return nil
		}
		rcpts = append(rcpts, envelopeRcpt{addr: rcpt, path: path})
	}
	i := 1 - b.cur
	buf := &b.bufs[i]
	buf.Reset()
	if err := composeInto(buf, m, s.opts.Now(), s.opts.Blobs); err != nil {
		return nil
	}
	env, err := c.plan(from, rcpts, buf.Len(), m)
	if err != nil || len(env.refused.rejected) > 0 {
		return nil
	}
	b.next = &composed{env: env, data: buf.Bytes(), buf: i}
	return &b.next.env
}

// settled runs f, a Queue call about a mail, once the recording in flight
// is durable: outcomes of one mail are recorded in order.
func (b *batch) settled(f func() error) error {
	if err := b.p.wait(); err != nil {
		return err
	}
	return f()
}

// apply folds one transaction's result into out, recording an accepted
// transaction at once (pipe.record).
func (b *batch) apply(m *tickets.Mail, chunk []envelopeRcpt, res txResult, out *outcome) {
	s := b.s
	if res.firstErr != nil && out.firstErr == nil {
		out.firstErr = res.firstErr
	}
	if len(res.accepted) == 0 {
		// No DATA went through: the refusals wait for finish.
		out.refused = append(out.refused, res.rejected...)
	}
	switch {
	case res.err != nil && isPermanent(res.err):
		// A 5xx to MAIL or DATA: no recipient of this transaction can
		// get this mail; each is refused for good with that reply.
		refused := make(map[string]bool, len(res.rejected))
		for _, r := range res.rejected {
			refused[r.Rcpt] = true
		}
		for _, r := range chunk {
			if !refused[r.addr] {
				out.refuse(m, r.addr, res.err)
			}
		}
		return
	case res.err != nil:
		out.setTemp(res.err)
		return
	}
	out.setTemp(res.temp)
	if len(res.accepted) == 0 {
		return
	}
	// Recorded with the accepted transaction, in one commit.
	snapshot := *m
	snapshot.Done = slices.Clone(m.Done)
	b.p.record(tickets.Delivery{ID: m.ID, Time: s.opts.Now(), Accepted: res.accepted, Rejected: res.rejected, Mail: &snapshot})
	m.Done = append(m.Done, res.accepted...)
	for _, r := range res.rejected {
		m.Done = append(m.Done, r.Rcpt)
	}
	out.sent = true
	out.recorded = append(out.recorded, res.rejected...)
	// "mail delivered" is logged once the recording is durable
	// (committer.logDelivered).
}

func (out *outcome) setTemp(err error) {
	if out.temp == nil {
		out.temp = err
	}
}

func (out *outcome) refuse(m *tickets.Mail, rcpt string, err error) {
	out.refused = append(out.refused, Rejection{Mail: m.ID, Ticket: m.Ticket, Rcpt: rcpt, Reason: err.Error()})
	if out.firstErr == nil {
		out.firstErr = err
	}
}

// finish records what is left of m's outcome once its transactions are
// done. A mail accepted for every recipient needs nothing more: its
// recording goes on while the next mail is sent.
func (b *batch) finish(m *tickets.Mail, out *outcome) error {
	s, st := b.s, b.st
	if !out.sent && len(m.Done) == 0 && out.temp == nil {
		// Nobody can ever get it: the whole mail failed.
		return b.settled(func() error { return s.fail(m, fmt.Sprintf("every recipient refused: %v", out.firstErr), st) })
	}
	if len(out.refused) > 0 {
		d := tickets.Delivery{ID: m.ID, Time: s.opts.Now(), Rejected: out.refused}
		err := b.settled(func() error { _, err := s.q.MarkSent([]tickets.Delivery{d}); return err })
		if err != nil {
			return fmt.Errorf("mark %d refused: %w", m.ID, err)
		}
		for _, r := range out.refused {
			m.Done = append(m.Done, r.Rcpt)
		}
	}
	for _, r := range append(out.recorded, out.refused...) {
		s.log.Error("mailout: recipient refused", "ticket", m.Ticket, "msgid", m.MessageID, "rcpt", r.Rcpt, "err", r.Reason)
	}
	st.Rejected = append(st.Rejected, out.recorded...)
	st.Rejected = append(st.Rejected, out.refused...)
	if out.sent {
		st.Sent++
	}
	if out.temp != nil {
		return b.settled(func() error { return s.retry(m, out.temp, st) })
	}
	return nil
}

// txResult is the outcome of one SMTP transaction.
type txResult struct {
	accepted []string    // got the mail: the server accepted the DATA
	rcptOK   []string    // accepted at RCPT (the mail may still have failed)
	rejected []Rejection // refused for good at RCPT
	firstErr error       // the first permanent RCPT refusal, with the address
	temp     error       // the first temporary RCPT refusal
	err      error       // the transaction failed (MAIL, DATA, the connection)
	dropConn bool        // the session is unusable; reconnect for the next one
	queueErr error       // recording the previous transaction failed
}

// envelope is a transaction's commands as they go out — MAIL, a RCPT per
// recipient, DATA — with the recipients refused before any was sent (a
// non-ASCII address to a server without SMTPUTF8).
type envelope struct {
	m       *tickets.Mail
	rcpts   []envelopeRcpt // the recipients in RCPT commands
	lines   []string
	refused txResult
}

// plan checks the addresses against the server's SMTPUTF8 and writes the
// envelope's commands for a message of size bytes; err is a refusal of
// the whole transaction.
func (c *conn) plan(from string, rcpts []envelopeRcpt, size int, m *tickets.Mail) (env envelope, err error) {
	env.m = m
	utf8 := c.s.has("SMTPUTF8")
	fromUTF8 := !isASCII(from)
	if fromUTF8 && !utf8 {
		return env, permanentError{errors.New("non-ASCII sender address and the server lacks SMTPUTF8")}
	}
	smtputf8 := fromUTF8
	for _, r := range rcpts {
		if !isASCII(r.path) {
			if !utf8 {
				err := fmt.Errorf("rcpt to <%s>: non-ASCII address and the server lacks SMTPUTF8", r.path)
				env.refused.reject(m, r.addr, err.Error(), err)
				continue
			}
			smtputf8 = true
		}
		env.rcpts = append(env.rcpts, r)
	}
	if len(env.rcpts) == 0 {
		return env, nil
	}
	env.lines = make([]string, 0, len(env.rcpts)+2)
	env.lines = append(env.lines, c.s.mailFrom(from, size, smtputf8))
	for _, r := range env.rcpts {
		env.lines = append(env.lines, "RCPT TO:<"+r.path+">")
	}
	env.lines = append(env.lines, "DATA")
	return env, nil
}

// transact runs one mail transaction: MAIL, RCPT per recipient, DATA —
// pipelined when the server offers it (session.go, RFC 2920) — then the
// content. beforeDot runs before the final dot of the DATA, the moment
// the server accepts the mail: the previous transaction's recording must
// be durable by then.
//
// follow, when not nil, is the envelope of the next transaction on this
// connection (planned by the caller, for a server with PIPELINING): it
// goes out right after the final dot, in the same write — RFC 2920 §3.1
// lets message content start a group — and its replies, after the dot's,
// are read by that transaction (conn.ahead). One write and one wait for
// replies per mail instead of two of each. The dot's reply is still the
// only one this transaction waits for, so the mail is recorded as soon as
// it was accepted, as before; the next mail's dot waits for that record.
func (c *conn) transact(from string, rcpts []envelopeRcpt, data []byte, m *tickets.Mail, beforeDot func() error, follow *envelope) txResult {
	s := c.s
	p := pipeline{s: s, all: s.has("PIPELINING")}
	var env envelope
	if a := c.ahead; a != nil && a.m == m {
		// Its commands went out after the previous mail's dot.
		env, c.ahead = *a, nil
		p.lines, p.sent = env.lines, len(env.lines)
	} else if a != nil {
		// Another mail's DATA is open: nothing can be said on this
		// session any more (never happens: sendMail sends the mail it
		// planned ahead).
		return txResult{err: errors.New("smtp session out of step"), dropConn: true}
	} else {
		var err error
		if env, err = c.plan(from, rcpts, len(data), m); err != nil {
			return txResult{err: err}
		}
		if len(env.rcpts) == 0 {
			return env.refused
		}
		if c.dirty {
			p.add("RSET")
		}
		p.lines = append(p.lines, env.lines...)
	}
	res := env.refused
	s.nc.SetDeadline(time.Now().Add(commandTimeout))
	defer s.nc.SetDeadline(time.Time{})
	if c.dirty && p.sent == 0 {
		if _, _, err := p.next(250); err != nil {
			return txResult{err: fmt.Errorf("rset: %w", err), dropConn: true}
		}
		c.dirty = false
	}
	c.dirty = true
	if _, _, err := p.next(250); err != nil {
		return p.abandon(res.failed(fmt.Errorf("mail from <%s>: %w", from, err)))
	}
	for _, r := range env.rcpts {
		_, _, err := p.next(25)
		if err == nil {
			res.rcptOK = append(res.rcptOK, r.addr)
			continue
		}
		err = fmt.Errorf("rcpt to <%s>: %w", r.path, err)
		var se *smtp.SMTPError
		switch {
		case errors.As(err, &se) && isPermanent(err):
			res.reject(m, r.addr, se.Error(), err)
		case errors.As(err, &se) && se.Code != 421:
			// 4xx for this recipient only (452 too many recipients, 450
			// mailbox busy): it is retried later, the others go now.
			if res.temp == nil {
				res.temp = err
			}
		default:
			return res.failed(err) // the session is gone
		}
	}
	if len(res.rcptOK) == 0 {
		return p.abandon(res) // the DATA, if sent, is refused
	}
	if _, _, err := p.next(354); err != nil {
		return res.failed(fmt.Errorf("data: %w", err))
	}
	if err := writeDotted(s.w, data); err != nil {
		res.err, res.dropConn = fmt.Errorf("data: %w", err), true
		return res
	}
	if err := beforeDot(); err != nil {
		// Without the dot the server discards the mail: drop the session.
		res.queueErr, res.dropConn = err, true
		return res
	}
	s.nc.SetDeadline(time.Now().Add(submissionTimeout))
	s.w.WriteString(".\r\n")
	if follow != nil && p.all {
		for _, l := range follow.lines {
			s.w.WriteString(l)
			s.w.WriteString("\r\n")
		}
	} else {
		follow = nil
	}
	if err := s.w.Flush(); err != nil {
		return res.failed(fmt.Errorf("data: %w", err))
	}
	// The dot ended the transaction whatever its reply: the session now
	// holds the next one's, if sent.
	c.dirty, c.ahead = follow != nil, follow
	if _, _, err := s.reply(250); err != nil {
		return res.failed(fmt.Errorf("data: %w", err))
	}
	res.accepted = res.rcptOK
	return res
}

// reject records rcpt as refused for good with reason; err, the refusal
// with the address, becomes firstErr if it is the first.
func (res *txResult) reject(m *tickets.Mail, rcpt, reason string, err error) {
	res.rejected = append(res.rejected, Rejection{Mail: m.ID, Ticket: m.Ticket, Rcpt: rcpt, Reason: reason})
	if res.firstErr == nil {
		res.firstErr = err
	}
}

// failed sets the transaction's error, dropping the connection unless the
// server answered with a reply that leaves the session usable.
func (res txResult) failed(err error) txResult {
	res.err = err
	var se *smtp.SMTPError
	res.dropConn = !errors.As(err, &se) || se.Code == 421 // 421: the server is closing the session
	return res
}

// closeAfterGrace closes nc grace after ctx is done (calling onStop then),
// unless the returned stop function ran first.
func closeAfterGrace(ctx context.Context, nc net.Conn, grace time.Duration, onStop func()) func() bool {
	var (
		mu     sync.Mutex
		timer  *time.Timer
		closed bool
	)
	unwatch := context.AfterFunc(ctx, func() {
		mu.Lock()
		defer mu.Unlock()
		if !closed {
			onStop()
			timer = time.AfterFunc(grace, func() { nc.Close() })
		}
	})
	return func() bool {
		stopped := unwatch()
		mu.Lock()
		defer mu.Unlock()
		closed = true
		if timer != nil {
			timer.Stop()
		}
		return stopped
	}
}

// envelopeRcpt is a recipient as stored and as written after RCPT TO.
type envelopeRcpt struct{ addr, path string }
