package main

// End-to-end tests of real-world mail handling (issue 5): auto-responder
// loops, bounces and poison mail, through the real binary, a real Dovecot
// and the capturing SMTP server.

import (
	"bytes"
	"context"
	"encoding/base64"
	"fmt"
	"io"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/emersion/go-message/mail"

	"github.com/ticketd/ticketd/tickets"
)

// TestAutoRespondersStayBounded lets two auto-responders that ignore
// Auto-Submitted answer every mail they get from the desk with a new mail
// (no subject token, no In-Reply-To: each opens a new ticket), and runs
// ticketd until nothing more is sent. The acknowledgement limit must end
// the ping-pong: each responder gets at most ack_limit mails.
func TestAutoRespondersStayBounded(t *testing.T) {
	e := newE2E(t)
	const limit = 3
	e.setConfig("[smtp]", fmt.Sprintf("[mail]\nack_limit = %d\nack_window = \"1h\"\n[smtp]", limit))
	responders := []string{"robot1@vendor.test", "robot2@proveedor.test"}
	for _, r := range responders {
		e.deliver(fmt.Sprintf("From: %s\nTo: %s\nSubject: Consulta de %s\nMessage-ID: <first-%s>\nContent-Type: text/plain\n\nHola, tengo una consulta.\n", r, deskAddr, r, r))
	}
	got := map[string]int{}
	seq := 0
	const maxRounds = 10
	round := 0
	for ; round < maxRounds; round++ {
		e.smtp.Reset()
		e.ticketd("once")
		answered := 0
		for _, m := range e.smtp.Messages() {
			for _, rcpt := range m.To {
				if !slices.Contains(responders, rcpt) {
					continue
				}
				got[rcpt]++
				answered++
				seq++
				// The robot's answer: a new mail, as if it had never seen ours.
				e.deliver(fmt.Sprintf("From: %s\nTo: %s\nSubject: Gracias por su mensaje\nMessage-ID: <auto-%d@%s>\nContent-Type: text/plain\n\nHemos recibido su mensaje y le responderemos pronto.\n",
					rcpt, deskAddr, seq, strings.Split(rcpt, "@")[1]))
			}
		}
		if answered == 0 {
			break
		}
	}
	if round == maxRounds {
		t.Fatalf("still mailing the responders after %d rounds: %v", maxRounds, got)
	}
	for _, r := range responders {
		if got[r] != limit {
			t.Errorf("%s got %d mails from the desk, want exactly the limit %d", r, got[r], limit)
		}
	}
	if n := e.imap.Count(t, deskAddr, "INBOX"); n != 0 {
		t.Errorf("%d messages left in the INBOX", n)
	}
	t.Logf("ping-pong ended after %d rounds; mails to the responders: %v", round+1, got)
}

// TestBounceLandsOnTheRightTicket sends a Postfix-style DSN for the
// acknowledgement of ticket 2 and checks it is recorded there, shown to
// the agents and that the address is not written to again.
func TestBounceLandsOnTheRightTicket(t *testing.T) {
	e := newE2E(t)
	e.deliver("From: otro@cliente.test\nTo: " + deskAddr + "\nSubject: Primero\nMessage-ID: <one@cliente.test>\nContent-Type: text/plain\n\nUno.\n")
	e.deliver("From: nadie@cliente.test\nTo: " + deskAddr + "\nSubject: Segundo\nMessage-ID: <two@cliente.test>\nContent-Type: text/plain\n\nDos.\n")
	e.ticketd("once")
	var ackID, ackSubject string
	for _, m := range e.smtp.Messages() {
		s := parseSent(t, m)
		if slices.Equal(s.to, []string{"nadie@cliente.test"}) {
			ackID, _ = s.header.MessageID()
			ackSubject = s.subject
		}
	}
	if ackID == "" {
		t.Fatal("no acknowledgement to nadie@cliente.test")
	}
	e.smtp.Reset()
	e.deliver(fmt.Sprintf(`Return-Path: <>
From: MAILER-DAEMON@mx.ticketd.test (Mail Delivery System)
To: %s
Subject: Undelivered Mail Returned to Sender
Message-Id: <dsn-1@mx.ticketd.test>
Auto-Submitted: auto-replied
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status; boundary="B"

--B
Content-Type: text/plain

Your message could not be delivered.

--B
Content-Type: message/delivery-status

Reporting-MTA: dns; mx.ticketd.test

Final-Recipient: rfc822; nadie@cliente.test
Action: failed
Status: 5.1.1
Diagnostic-Code: smtp; 550 5.1.1 User unknown

--B
Content-Type: text/rfc822-headers

From: Mesa de ayuda <%s>
To: nadie@cliente.test
Subject: %s
Message-ID: <%s>

--B--
`, deskAddr, deskAddr, ackSubject, ackID))
	e.ticketd("once")
	msgs := e.smtp.Messages()
	if len(msgs) != 1 {
		t.Fatalf("after the bounce %d mails were sent, want one notice to the agents", len(msgs))
	}
	notice := parseSent(t, msgs[0])
	if !slices.Equal(notice.to, []string{agentAna, agentLuis}) || !strings.Contains(notice.subject, "[Soporte #2]") ||
		!strings.Contains(decodedText(t, notice.raw), "nadie@cliente.test: 5.1.1") {
		t.Fatalf("bounce notice to %v, subject %q:\n%s", notice.to, notice.subject, decodedText(t, notice.raw))
	}
	if out := e.ticketd("show", "2"); !strings.Contains(out, "delivery_failed") || !strings.Contains(out, "5.1.1") {
		t.Fatalf("ticket 2 does not show the delivery failure:\n%s", out)
	}
	if out := e.ticketd("show", "1"); strings.Contains(out, "delivery_failed") {
		t.Fatalf("the bounce landed on ticket 1 as well:\n%s", out)
	}
	e.withStore(func(s *tickets.Store) {
		u, err := s.Undeliverables()
		if err != nil || len(u) != 1 || u[0].Email != "nadie@cliente.test" || u[0].Ticket != 2 {
			t.Fatalf("undeliverable addresses %+v, %v", u, err)
		}
	})

	// Ana answers: the answer is not mailed to the dead address.
	e.smtp.Reset()
	noteID, _ := notice.header.MessageID()
	e.deliver(fmt.Sprintf("From: %s\nTo: %s\nSubject: RE: %s\nMessage-ID: <ana-b@ticketd.test>\nIn-Reply-To: <%s>\nContent-Type: text/plain\n\nLe escribimos por teléfono.\n",
		agentAna, deskAddr, notice.subject, noteID))
	e.ticketd("once")
	for _, m := range e.smtp.Messages() {
		if slices.Contains(m.To, "nadie@cliente.test") {
			t.Fatalf("mail sent to the undeliverable address: %v", m.To)
		}
	}
}

// TestPoisonMailIsSetAside puts unparseable messages between good ones:
// they go to the failed mailbox and the others are applied in the same
// pass.
func TestPoisonMailIsSetAside(t *testing.T) {
	e := newE2E(t)
	good := func(i int) string {
		return fmt.Sprintf("From: u%d@cliente.test\nTo: %s\nSubject: Pedido %d\nMessage-ID: <good-%d@cliente.test>\nContent-Type: text/plain\n\nTexto %d.\n", i, deskAddr, i, i, i)
	}
	e.deliver(good(1))
	e.deliver("To: " + deskAddr + "\nSubject: sin remitente\nMessage-ID: <poison-1@x.test>\n\nNo From at all.\n")
	e.deliver(good(2))
	e.deliver("From: \"\" <>\nTo: " + deskAddr + "\nSubject: =?x-unknown?B?////?=\nContent-Type: multipart/mixed; boundary=\"\"\n\n--\n\x00\x01\x02\n")
	e.deliver(good(3))
	out := e.ticketd("once")
	if n := e.imap.Count(t, deskAddr, "Fallidos"); n != 2 {
		t.Fatalf("Fallidos holds %d messages, want the 2 poison ones\n%s", n, out)
	}
	if n := e.imap.Count(t, deskAddr, "Procesados"); n != 3 {
		t.Fatalf("Procesados holds %d messages, want the 3 good ones", n)
	}
	if n := e.imap.Count(t, deskAddr, "INBOX"); n != 0 {
		t.Fatalf("INBOX still holds %d messages", n)
	}
	e.withStore(func(s *tickets.Store) {
		all, err := s.Tickets()
		if err != nil || len(all) != 3 {
			t.Fatalf("%d tickets (%v), want 3", len(all), err)
		}
	})
	if !strings.Contains(out, "no From header") {
		t.Errorf("the reason is not in the log:\n%s", out)
	}
}

// attachmentsOf returns the attachments of a sent mail, by file name.
func attachmentsOf(t *testing.T, raw string) map[string][]byte {
	t.Helper()
	r, err := mail.CreateReader(strings.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	out := map[string][]byte{}
	for {
		p, err := r.NextPart()
		if err == io.EOF {
			return out
		}
		if err != nil {
			t.Fatal(err)
		}
		if h, ok := p.Header.(*mail.AttachmentHeader); ok {
			name, _ := h.Filename()
			out[name], _ = io.ReadAll(p.Body)
		}
	}
}

// withAttachment is a mail from from with one base64 attachment.
func withAttachment(from, subject, msgID, extra, name string, content []byte) string {
	enc := base64.StdEncoding.EncodeToString(content)
	var lines []string
	for len(enc) > 76 {
		lines = append(lines, enc[:76])
		enc = enc[76:]
	}
	lines = append(lines, enc)
	return fmt.Sprintf("From: %s\nTo: %s\nSubject: %s\nMessage-ID: <%s>\n%sMIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=\"XX\"\n\n--XX\nContent-Type: text/plain; charset=utf-8\n\nVa adjunto.\n--XX\nContent-Type: application/pdf\nContent-Disposition: attachment; filename*=utf-8''%s\nContent-Transfer-Encoding: base64\n\n%s\n--XX--\n",
		from, deskAddr, subject, msgID, extra, url.PathEscape(name), strings.Join(lines, "\n"))
}

// TestAttachmentsTravel: a requester's attachment reaches the agents, an
// agent's attachment reaches the requester, and an oversize one is
// dropped with the sender told.
func TestAttachmentsTravel(t *testing.T) {
	e := newE2E(t)
	e.setConfig("[smtp]", "[mail]\nmax_attachment_mb = 1\n[smtp]")
	factura := bytes.Repeat([]byte("%PDF factura \x00\x01"), 3000)
	e.deliver(withAttachment(requester, "Factura incorrecta", "att-1@cliente.test", "", "factura nº 7.pdf", factura))
	e.ticketd("once")
	var note sent
	for _, m := range e.smtp.Messages() {
		if s := parseSent(t, m); slices.Contains(s.to, agentAna) {
			note = s
		}
	}
	if got := attachmentsOf(t, note.raw)["factura nº 7.pdf"]; !bytes.Equal(got, factura) {
		t.Fatalf("agents got %d bytes of the attachment, want %d", len(got), len(factura))
	}

	e.smtp.Reset()
	guia := bytes.Repeat([]byte("%PDF guía "), 2000)
	noteID, _ := note.header.MessageID()
	e.deliver(withAttachment(agentAna, "RE: "+note.subject, "ana-att@ticketd.test", fmt.Sprintf("In-Reply-To: <%s>\n", noteID), "guía.pdf", guia))
	e.ticketd("once")
	msgs := e.smtp.Messages()
	if len(msgs) != 1 {
		t.Fatalf("%d mails after the agent's answer, want the relay", len(msgs))
	}
	relay := parseSent(t, msgs[0])
	if got := attachmentsOf(t, relay.raw)["guía.pdf"]; !bytes.Equal(got, guia) || !slices.Equal(relay.to, []string{requester}) {
		t.Fatalf("relay to %v carries %d bytes of guía.pdf, want %d", relay.to, len(got), len(guia))
	}
	if strings.Contains(strings.ToLower(relay.raw), "ana") {
		t.Error("the relay names the agent")
	}

	e.smtp.Reset()
	huge := bytes.Repeat([]byte("0123456789abcdef"), 80000) // 1.2 MiB, over the 1 MiB limit
	e.deliver(withAttachment(requester, "Re: [Soporte #1] Factura incorrecta", "att-2@cliente.test", "", "video.pdf", huge))
	e.ticketd("once")
	var told bool
	for _, m := range e.smtp.Messages() {
		s := parseSent(t, m)
		if len(attachmentsOf(t, s.raw)) != 0 {
			t.Errorf("the oversize attachment went out to %v", s.to)
		}
		if slices.Equal(s.to, []string{requester}) && strings.Contains(decodedText(t, s.raw), "video.pdf (1.2 MB)") {
			told = true
		}
	}
	if !told {
		t.Fatal("the requester was not told that video.pdf was not kept")
	}
	out := e.ticketd("show", "1")
	for _, want := range []string{"attachment_dropped", "[attachment] factura nº 7.pdf (application/pdf, 45000 bytes) kept",
		"[attachment] video.pdf (application/pdf, 1280000 bytes) DROPPED: larger than the limit of 1048576 bytes"} {
		if !strings.Contains(out, want) {
			t.Errorf("show lacks %q:\n%s", want, out)
		}
	}
}

// TestFirstRunImport points ticketd at a mailbox full of old mail with
// "once --import": every message becomes a ticket and nobody is mailed;
// mail arriving afterwards is handled as usual.
func TestFirstRunImport(t *testing.T) {
	e := newE2E(t)
	var old [][]byte
	for i := range 30 {
		old = append(old, []byte(strings.ReplaceAll(fmt.Sprintf("From: u%d@cliente.test\nTo: %s\nSubject: Viejo %d\nMessage-ID: <old-%d@cliente.test>\nDate: Mon, 05 Jan 2026 10:00:00 -0500\nContent-Type: text/plain\n\nHace tiempo.\n", i%7, deskAddr, i, i), "\n", "\r\n")))
	}
	e.imap.AppendMany(t, deskAddr, "INBOX", old)
	e.ticketd("once", "--import")
	if n := len(e.smtp.Messages()); n != 0 {
		t.Fatalf("the import sent %d mails", n)
	}
	e.withStore(func(s *tickets.Store) {
		all, err := s.Tickets()
		if err != nil || len(all) != 30 {
			t.Fatalf("%d tickets after the import (%v), want 30", len(all), err)
		}
	})
	e.deliver("From: nuevo@cliente.test\nTo: " + deskAddr + "\nSubject: Nuevo\nMessage-ID: <new-1@cliente.test>\nContent-Type: text/plain\n\nHoy.\n")
	e.ticketd("once")
	if n := len(e.smtp.Messages()); n != 2 {
		t.Fatalf("new mail after the import caused %d mails, want ack and agent notice", n)
	}
}

// TestDovecotRestartAndIdleLatency runs the daemon with an hour-long poll
// interval, so that only IDLE brings mail in; measures how soon new mail
// is picked up; restarts Dovecot under it and checks that ingestion
// resumes on its own (reconnect with backoff), without re-ingesting.
func TestDovecotRestartAndIdleLatency(t *testing.T) {
	e := newE2E(t)
	e.setConfig(`poll_interval = "1s"`, `poll_interval = "1h"`)
	cmd, lines, _ := startDaemon(t, "run", "--config", e.config)
	waitLine(t, lines, "ticketd started", 20*time.Second)
	mailFrom := func(i int) string {
		return fmt.Sprintf("From: u%d@cliente.test\nTo: %s\nSubject: Pedido %d\nMessage-ID: <restart-%d@cliente.test>\nContent-Type: text/plain\n\nTexto.\n", i, deskAddr, i, i)
	}
	// The first mail may be found by the first pass; the next ones only
	// by IDLE (the poll interval is an hour).
	e.deliver(mailFrom(1))
	e.smtp.WaitFor(2, 20*time.Second)
	var latencies []time.Duration
	for i := 2; i <= 4; i++ {
		start := time.Now()
		e.deliver(mailFrom(i))
		e.smtp.WaitFor(2*i, 20*time.Second) // ack and agent notice
		latencies = append(latencies, time.Since(start))
	}
	t.Logf("IDLE pickup: append to Dovecot → acknowledgement accepted by SMTP: %v", latencies)
	for _, l := range latencies {
		if l > 5*time.Second {
			t.Errorf("mail took %s to be picked up with IDLE", l)
		}
	}

	e.imap.Restart(t)
	restarted := time.Now()
	e.deliver(mailFrom(5))
	e.smtp.WaitFor(10, 60*time.Second)
	t.Logf("after a Dovecot restart, new mail was acknowledged %s later", time.Since(restarted).Round(time.Millisecond))
	waitLine(t, lines, "imap idle failed", time.Second) // the drop was noticed, not silently survived

	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if err := cmd.Wait(); err != nil {
		t.Fatalf("ticketd run after SIGTERM: %v", err)
	}
	if n := e.imap.Count(t, deskAddr, "Procesados"); n != 5 {
		t.Errorf("Procesados holds %d, want 5", n)
	}
	if n := len(e.smtp.Messages()); n != 10 {
		t.Errorf("%d mails sent, want 10 (nothing twice)", n)
	}
}

// TestUIDValidityChangeDoesNotReingest: the mailbox is renumbered (new
// UIDVALIDITY) while a message already applied is back in the INBOX, as
// after a restore: it is recognised by its Message-ID, nothing is applied
// or sent twice, and new mail is handled.
func TestUIDValidityChangeDoesNotReingest(t *testing.T) {
	e := newE2E(t)
	first := "From: pedro@cliente.test\nTo: " + deskAddr + "\nSubject: Uno\nMessage-ID: <uv-1@cliente.test>\nContent-Type: text/plain\n\nUno.\n"
	e.deliver(first)
	e.ticketd("once")
	before := e.imap.UIDValidity(t, deskAddr, "INBOX")
	e.deliver(first) // restored copy of an applied message
	e.deliver("From: rosa@cliente.test\nTo: " + deskAddr + "\nSubject: Dos\nMessage-ID: <uv-2@cliente.test>\nContent-Type: text/plain\n\nDos.\n")
	e.imap.ResetUIDs(t, deskAddr)
	if after := e.imap.UIDValidity(t, deskAddr, "INBOX"); after == before {
		t.Fatalf("UIDVALIDITY stayed %d: the reset did not renumber", after)
	}
	e.ticketd("once")
	if n := e.imap.Count(t, deskAddr, "INBOX"); n != 0 {
		t.Fatalf("INBOX still holds %d", n)
	}
	e.withStore(func(s *tickets.Store) {
		all, err := s.Tickets()
		if err != nil || len(all) != 2 {
			t.Fatalf("%d tickets (%v), want 2", len(all), err)
		}
	})
	if n := len(e.smtp.Messages()); n != 4 {
		t.Fatalf("%d mails sent, want 4 (two tickets, nothing twice)", n)
	}
}

// TestLoginFailureAlertsTheAdmin: the IMAP password was changed on the
// server: the pass fails, and the admin gets one alert by mail (through
// SMTP, which still works) naming the server and its answer.
func TestLoginFailureAlertsTheAdmin(t *testing.T) {
	e := newE2E(t)
	e.setConfig("[smtp]", "[mail]\nadmins = [\"it@ticketd.test\"]\n[smtp]")
	if err := os.WriteFile(filepath.Join(e.dir, "imap-password"), []byte("old-password\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), e2eTimeout)
	defer cancel()
	out, err := exec.CommandContext(ctx, binary, "once", "--config", e.config).CombinedOutput()
	if err == nil {
		t.Fatalf("once with a wrong password succeeded:\n%s", out)
	}
	msgs := e.smtp.Messages()
	if len(msgs) != 1 {
		t.Fatalf("%d mails, want one alert\n%s", len(msgs), out)
	}
	alert := parseSent(t, msgs[0])
	text := decodedText(t, alert.raw)
	if !slices.Equal(alert.to, []string{"it@ticketd.test"}) || !strings.Contains(alert.subject, "IMAP "+e.imap.Addr()) ||
		!strings.Contains(text, "AUTHENTICATIONFAILED") || strings.Contains(alert.raw, "old-password") {
		t.Fatalf("alert to %v, subject %q:\n%s", alert.to, alert.subject, text)
	}
	// The IMAP login fails: mail cannot come in; it can still go out.
	if !strings.Contains(text, "no se lee el correo que llega") || strings.Contains(text, "no sale") {
		t.Errorf("the alert does not say that incoming mail is what stops:\n%s", text)
	}
	if !strings.Contains(string(out), "admins alerted by mail") {
		t.Errorf("the log does not say the admins were alerted:\n%s", out)
	}
}

// TestHeaderlessReplyThreadsByQuotedReference: through Dovecot and the
// real parser, a reply with a new subject and no In-Reply-To/References
// that quotes the acknowledgement lands on the ticket.
func TestHeaderlessReplyThreadsByQuotedReference(t *testing.T) {
	e := newE2E(t)
	e.deliver("From: pedro@cliente.test\nTo: " + deskAddr + "\nSubject: Impresora\nMessage-ID: <hr-1@cliente.test>\nContent-Type: text/plain\n\nNo imprime.\n")
	e.ticketd("once")
	var ackText string
	for _, m := range e.smtp.Messages() {
		if s := parseSent(t, m); slices.Equal(s.to, []string{"pedro@cliente.test"}) {
			ackText = decodedText(t, s.raw)
		}
	}
	if !strings.Contains(ackText, "ref:ticketd.1.") {
		t.Fatalf("the acknowledgement has no reference line:\n%s", ackText)
	}
	quoted := "> " + strings.ReplaceAll(strings.TrimSpace(strings.ReplaceAll(ackText, "\r\n", "\n")), "\n", "\n> ")
	e.deliver("From: pedro@cliente.test\nTo: " + deskAddr + "\nSubject: Sigue igual\nMessage-ID: <hr-2@cliente.test>\nContent-Type: text/plain; charset=utf-8\n\nSigue sin imprimir.\n\nEnviado desde mi iPhone\n\n" + quoted + "\n")
	e.ticketd("once")
	e.withStore(func(s *tickets.Store) {
		all, err := s.Tickets()
		if err != nil || len(all) != 1 {
			t.Fatalf("%d tickets (%v), want the reply on ticket 1", len(all), err)
		}
	})
}
