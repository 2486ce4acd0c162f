package main

// End-to-end tests: the real ticketd binary against a real Dovecot IMAP
// server (started by the test on a loopback port) and a capturing SMTP
// server in this process.

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-message/mail"

	"github.com/ticketd/ticketd/internal/testkit/dovecottest"
	"github.com/ticketd/ticketd/internal/testkit/smtptest"
	"github.com/ticketd/ticketd/tickets"
)

var binary string // built once by TestMain

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "ticketd-bin-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	binary = filepath.Join(dir, "ticketd")
	out, err := exec.Command("go", "build", "-o", binary, ".").CombinedOutput()
	if err != nil {
		fmt.Fprintf(os.Stderr, "build ticketd: %v\n%s", err, out)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

const (
	deskAddr   = "soporte@ticketd.test"
	deskPass   = "s3cret-imap"
	agentAna   = "ana@ticketd.test"
	agentLuis  = "luis@ticketd.test"
	requester  = "pedro@cliente.test"
	colleague  = "jefa@cliente.test"
	e2eTimeout = 60 * time.Second
)

type e2e struct {
	t       *testing.T
	imap    *dovecottest.Server
	smtp    *smtptest.Server
	dir     string
	config  string
	dataDir string
}

func newE2E(t *testing.T) *e2e {
	t.Helper()
	return newE2EWith(t, smtptest.Options{})
}

// newE2EWith is newE2E with a capturing SMTP server configured by smtpOpts.
func newE2EWith(t *testing.T, smtpOpts smtptest.Options) *e2e {
	t.Helper()
	e := &e2e{t: t, dir: t.TempDir()}
	e.imap = dovecottest.Start(t, dovecottest.User{Name: deskAddr, Password: deskPass})
	e.smtp = smtptest.StartWith(t, smtpOpts)
	e.dataDir = filepath.Join(e.dir, "data")
	e.writeConfig(server{addr: e.imap.Addr(), security: "none"}, server{addr: e.smtp.Addr(), security: "none"})
	return e
}

// server is how one [imap] or [smtp] section reaches its server.
type server struct {
	addr, security string
	caFile         string // "" leaves ca_file out
	user, password string // SMTP AUTH; "" for none (IMAP always logs in as the desk)
}

// writeConfig writes e.config for the given servers, with passwords in
// files and two tiers.
func (e *e2e) writeConfig(imap, smtp server) {
	t := e.t
	t.Helper()
	secret := func(name, pw string) string {
		p := filepath.Join(e.dir, name)
		if err := os.WriteFile(p, []byte(pw+"\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	var b strings.Builder
	fmt.Fprintf(&b, "data_dir = %q\nlanguage = \"es\"\n", e.dataDir)
	fmt.Fprintf(&b, "[support]\naddress = %q\nname = \"Mesa de ayuda\"\ntag = \"Soporte\"\n", deskAddr)
	fmt.Fprintf(&b, "[imap]\naddress = %q\nsecurity = %q\npassword_file = %q\npoll_interval = \"1s\"\n",
		imap.addr, imap.security, secret("imap-password", deskPass))
	if imap.caFile != "" {
		fmt.Fprintf(&b, "ca_file = %q\n", imap.caFile)
	}
	fmt.Fprintf(&b, "[smtp]\naddress = %q\nsecurity = %q\n", smtp.addr, smtp.security)
	if smtp.caFile != "" {
		fmt.Fprintf(&b, "ca_file = %q\n", smtp.caFile)
	}
	if smtp.user != "" {
		fmt.Fprintf(&b, "username = %q\npassword_file = %q\n", smtp.user, secret("smtp-password", smtp.password))
	}
	b.WriteString(twoTiers())
	e.config = filepath.Join(e.dir, "ticketd.toml")
	if err := os.WriteFile(e.config, []byte(b.String()), 0o600); err != nil {
		t.Fatal(err)
	}
}

// setConfig replaces old with new in the configuration file.
func (e *e2e) setConfig(old, new string) {
	e.t.Helper()
	data, err := os.ReadFile(e.config)
	if err != nil || !bytes.Contains(data, []byte(old)) {
		e.t.Fatalf("config lacks %q (%v)", old, err)
	}
	if err := os.WriteFile(e.config, bytes.Replace(data, []byte(old), []byte(new), 1), 0o600); err != nil {
		e.t.Fatal(err)
	}
}

// twoTiers is the e2e config's tiers: 1 (ana, luis) and 2 (marta).
func twoTiers() string {
	return fmt.Sprintf(`[[tiers]]
level = 1
name = "Nivel 1"
agents = [%q, %q]
first_response = "30m"
resolution = "8h"
[[tiers]]
level = 2
name = "Nivel 2"
agents = [%q]
first_response = "2h"
resolution = "24h"
`, agentAna, agentLuis, agentMarta)
}

// ticketd runs the binary to completion and returns its output.
func (e *e2e) ticketd(args ...string) string {
	e.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), e2eTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, binary, append(args, "--config", e.config)...)
	out, err := cmd.CombinedOutput()
	if err != nil {
		e.t.Fatalf("ticketd %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

func (e *e2e) deliver(raw string) {
	e.t.Helper()
	e.imap.Append(e.t, deskAddr, "INBOX", []byte(strings.ReplaceAll(raw, "\n", "\r\n")))
}

// withStore opens the database read-only for fn and closes it again, so
// the next ticketd run can take its lock.
func (e *e2e) withStore(fn func(*tickets.Store)) {
	e.t.Helper()
	s, err := tickets.OpenReadOnly(e.dataDir, 5*time.Second)
	if err != nil {
		e.t.Fatal(err)
	}
	defer s.Close()
	fn(s)
}

type sent struct {
	to      []string
	header  mail.Header
	raw     string
	subject string
}

func parseSent(t *testing.T, m smtptest.Message) sent {
	t.Helper()
	r, err := mail.CreateReader(bytes.NewReader(m.Data))
	if err != nil {
		t.Fatalf("sent mail does not parse: %v", err)
	}
	subject, _ := r.Header.Subject()
	return sent{to: m.To, header: r.Header, raw: string(m.Data), subject: subject}
}

// TestLoop walks the whole loop of a ticket: requester → ack + agents,
// agent reply → relayed from the desk, requester follow-up → assignee.
func TestLoop(t *testing.T) {
	e := newE2E(t)
	e.deliver(`From: Pedro Pérez <pedro@cliente.test>
To: soporte@ticketd.test
Cc: La Jefa <jefa@cliente.test>
Subject: =?UTF-8?Q?No_puedo_imprimir_en_el_piso_3?=
Message-ID: <first@cliente.test>
Date: Mon, 02 Mar 2026 09:00:00 -0500
Content-Type: text/plain; charset=ISO-8859-1
Content-Transfer-Encoding: quoted-printable

La impresora del piso 3 no responde desde la ma=F1ana.
`)
	e.ticketd("once")
	if n := e.imap.Count(t, deskAddr, "INBOX"); n != 0 {
		t.Fatalf("INBOX still holds %d messages", n)
	}
	if n := e.imap.Count(t, deskAddr, "Procesados"); n != 1 {
		t.Fatalf("Procesados holds %d messages, want 1", n)
	}
	// The Cc'd colleague waits for Pedro's confirmation (nothing proves
	// the mail is his): the desk asks his own address.
	msgs := e.smtp.WaitFor(3, 10*time.Second)
	var ack, note, confirm sent
	for _, m := range msgs {
		s := parseSent(t, m)
		switch strings.Join(s.to, ",") {
		case requester:
			if strings.HasPrefix(s.subject, "Confirme:") {
				confirm = s
				continue
			}
			ack = s
		case agentAna + "," + agentLuis, agentLuis + "," + agentAna:
			note = s
		default:
			t.Fatalf("unexpected mail to %v", s.to)
		}
	}
	if !strings.Contains(ack.subject, "[Soporte #1]") || ack.header.Get("Auto-Submitted") != "auto-replied" {
		t.Errorf("acknowledgement: subject %q, Auto-Submitted %q", ack.subject, ack.header.Get("Auto-Submitted"))
	}
	if irt := ack.header.Get("In-Reply-To"); irt != "<first@cliente.test>" {
		t.Errorf("ack In-Reply-To %q", irt)
	}
	if !strings.Contains(decodedText(t, note.raw), "La impresora del piso 3 no responde desde la mañana.") {
		t.Errorf("agent notification lacks the requester's text:\n%s", note.raw)
	}
	if !strings.Contains(decodedText(t, confirm.raw), colleague) {
		t.Fatalf("confirmation does not name the colleague:\n%s", confirm.raw)
	}
	e.smtp.Reset()
	e.deliver(fmt.Sprintf("From: pedro@cliente.test\nTo: soporte@ticketd.test\nSubject: Re: %s\nMessage-ID: <yes@cliente.test>\n\nSí.\n", confirm.subject))
	e.ticketd("once")
	// His reply is forwarded to the agents: Ana answers that mail.
	note = parseSent(t, e.smtp.WaitFor(1, 10*time.Second)[0])
	noteID, _ := note.header.MessageID()

	// Ana answers from her own client.
	e.smtp.Reset()
	e.deliver(fmt.Sprintf(`From: Ana Agente <ana@ticketd.test>
To: soporte@ticketd.test
Subject: RE: %s
Message-ID: <ana-1@ticketd.test>
In-Reply-To: <%s>
Content-Type: text/plain; charset=UTF-8

Hola Pedro, ya reiniciamos la impresora. ¿Puede probar de nuevo?
`, note.subject, noteID))
	e.ticketd("once")
	msgs = e.smtp.WaitFor(1, 10*time.Second)
	relay := parseSent(t, msgs[0])
	if got := strings.Join(relay.to, ","); got != requester+","+colleague {
		t.Fatalf("relay went to %s, want requester and Cc participant", got)
	}
	if from := relay.header.Get("From"); !strings.Contains(from, deskAddr) {
		t.Errorf("relay From %q, want the desk", from)
	}
	if strings.Contains(strings.ToLower(relay.raw), "ana") {
		t.Errorf("the agent's name or address reaches the requester:\n%s", relay.raw)
	}
	if !strings.Contains(decodedText(t, relay.raw), "ya reiniciamos la impresora") {
		t.Errorf("relay lacks the answer:\n%s", relay.raw)
	}
	var tk tickets.Ticket
	e.withStore(func(s *tickets.Store) {
		var err error
		if tk, err = s.Ticket(1); err != nil {
			t.Fatal(err)
		}
	})
	if tk.Status != tickets.StatusOpen || tk.FirstResponse.IsZero() || tk.Assignee != agentAna {
		t.Fatalf("after the agent's reply: %+v", tk)
	}

	// Pedro writes again, replying to the relay: it goes to Ana only.
	relayID, _ := relay.header.MessageID()
	e.smtp.Reset()
	e.deliver(fmt.Sprintf(`From: pedro@cliente.test
To: soporte@ticketd.test
Subject: Re: %s
Message-ID: <second@cliente.test>
In-Reply-To: <%s>
Content-Type: text/plain; charset=UTF-8

Sigue sin imprimir.
`, relay.subject, relayID))
	// ...and the first message arrives a second time (a re-delivery).
	e.deliver(`From: Pedro Pérez <pedro@cliente.test>
To: soporte@ticketd.test
Subject: No puedo imprimir en el piso 3
Message-ID: <first@cliente.test>

duplicate
`)
	out := e.ticketd("once")
	msgs = e.smtp.WaitFor(1, 10*time.Second)
	time.Sleep(200 * time.Millisecond) // a wrongly sent second mail would be here by now
	if n := len(e.smtp.Messages()); n != 1 {
		t.Fatalf("%d mails after the follow-up and a duplicate, want 1\n%s", n, out)
	}
	fwd := parseSent(t, msgs[0])
	if got := strings.Join(fwd.to, ","); got != agentAna {
		t.Errorf("follow-up forwarded to %s, want the assignee", got)
	}
	if !strings.Contains(decodedText(t, fwd.raw), "Sigue sin imprimir.") {
		t.Errorf("forward lacks the text:\n%s", fwd.raw)
	}
	e.withStore(func(s *tickets.Store) {
		if all, _ := s.Tickets(); len(all) != 1 {
			t.Fatalf("%d tickets, want 1", len(all))
		}
	})
	show := e.ticketd("show", "1")
	for _, want := range []string{"status open", "ana@ticketd.test", "Sigue sin imprimir."} {
		if !strings.Contains(show, want) {
			t.Errorf("ticketd show 1 lacks %q:\n%s", want, show)
		}
	}
}

// decodedText returns the text/plain part of a raw mail, decoded.
func decodedText(t *testing.T, raw string) string {
	t.Helper()
	r, err := mail.CreateReader(strings.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	for {
		p, err := r.NextPart()
		if err == io.EOF {
			return ""
		}
		if err != nil {
			t.Fatal(err)
		}
		if h, ok := p.Header.(*mail.InlineHeader); ok {
			if ct, params, _ := h.ContentType(); ct == "text/plain" {
				b, _ := io.ReadAll(p.Body)
				if params["format"] == "flowed" {
					return unflowText(string(b)) // our mail is format=flowed
				}
				return string(b)
			}
		}
	}
}

// TestCrashSafety kills the daemon (SIGKILL) twice while it ingests a few
// hundred messages — right after a batch commits and before the messages
// are moved — then lets it finish, and checks that every message became
// exactly one ticket or one event and nothing stayed in the INBOX.
func TestCrashSafety(t *testing.T) {
	e := newE2E(t)
	const newTickets, replies = 240, 60
	var raws [][]byte
	for i := 0; i < newTickets; i++ {
		raws = append(raws, []byte(strings.ReplaceAll(fmt.Sprintf(`From: Usuario %d <user%d@cliente.test>
To: soporte@ticketd.test
Subject: Solicitud número %d
Message-ID: <new-%d@cliente.test>
Content-Type: text/plain; charset=UTF-8

Necesito ayuda con la solicitud %d. Gracias.
`, i, i, i, i, i), "\n", "\r\n")))
	}
	for i := 0; i < replies; i++ {
		// Follow-ups threaded by In-Reply-To to the first tickets' messages.
		raws = append(raws, []byte(strings.ReplaceAll(fmt.Sprintf(`From: user%d@cliente.test
To: soporte@ticketd.test
Subject: Re: Solicitud número %d
Message-ID: <reply-%d@cliente.test>
In-Reply-To: <new-%d@cliente.test>

Más detalles %d.
`, i, i, i, i, i), "\n", "\r\n")))
	}
	e.imap.AppendMany(t, deskAddr, "INBOX", raws)
	total := len(raws)

	for _, killAfter := range []int{1, 50} { // within a batch (DefaultBatchSize 200) both times
		e.killDuringIngest(killAfter)
	}
	start := time.Now()
	out := e.ticketd("once")
	t.Logf("final pass after two SIGKILLs: %s", time.Since(start))
	for _, l := range strings.Split(out, "\n") {
		if strings.Contains(l, `msg="mail pass"`) {
			t.Log(l) // duplicates=N: messages committed before a kill, moved only now
		}
	}

	if n := e.imap.Count(t, deskAddr, "INBOX"); n != 0 {
		t.Fatalf("%d messages stayed in INBOX", n)
	}
	if n := e.imap.Count(t, deskAddr, "Procesados"); n != total {
		t.Fatalf("Procesados holds %d messages, want %d", n, total)
	}
	seen := map[string]int{}
	e.withStore(func(s *tickets.Store) {
		all, err := s.Tickets()
		if err != nil {
			t.Fatal(err)
		}
		if len(all) != newTickets {
			t.Fatalf("%d tickets, want %d", len(all), newTickets)
		}
		for _, tk := range all {
			events, err := s.Events(tk.ID)
			if err != nil {
				t.Fatal(err)
			}
			for _, ev := range events {
				if ev.Kind == tickets.EventInbound {
					seen[ev.MessageID]++
				}
			}
		}
		if out, _ := s.Outbox(); len(out) != 0 {
			t.Errorf("%d mails still in the outbox after the final pass", len(out))
		}
	})
	for i := 0; i < newTickets; i++ {
		if n := seen[fmt.Sprintf("new-%d@cliente.test", i)]; n != 1 {
			t.Errorf("new-%d recorded %d times", i, n)
		}
	}
	for i := 0; i < replies; i++ {
		if n := seen[fmt.Sprintf("reply-%d@cliente.test", i)]; n != 1 {
			t.Errorf("reply-%d recorded %d times", i, n)
		}
	}
}

// killDuringIngest starts "ticketd run" and SIGKILLs it as soon as it has
// logged n applied messages, i.e. between a commit and the IMAP move.
func (e *e2e) killDuringIngest(n int) {
	t := e.t
	t.Helper()
	cmd, lines, _ := startDaemon(t, "run", "--config", e.config)
	for i := 0; i < n; i++ {
		waitLine(t, lines, "message applied", e2eTimeout)
	}
	if err := cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	cmd.Wait()
	t.Logf("killed ticketd (pid %d) after %d applied; INBOX holds %d", cmd.Process.Pid, n, e.imap.Count(t, deskAddr, "INBOX"))
}

// TestCheckConfigConnect: check-config --connect logs in to both servers,
// and names the one that refuses.
func TestCheckConfigConnect(t *testing.T) {
	e := newE2E(t)
	out := e.ticketd("check-config", "--connect")
	for _, want := range []string{e.imap.Addr() + ": connected and logged in", e.smtp.Addr() + ": connected (no login configured)"} {
		if !strings.Contains(out, want) {
			t.Errorf("check-config --connect output lacks %q:\n%s", want, out)
		}
	}
	if err := os.WriteFile(filepath.Join(e.dir, "imap-password"), []byte("wrong\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), e2eTimeout)
	defer cancel()
	bad, err := exec.CommandContext(ctx, binary, "check-config", "--connect", "--config", e.config).CombinedOutput()
	if err == nil {
		t.Fatalf("check-config --connect with a wrong IMAP password succeeded:\n%s", bad)
	}
	if !strings.Contains(string(bad), "imap:") || !strings.Contains(string(bad), "FAILED") {
		t.Errorf("the failure does not name IMAP:\n%s", bad)
	}
}

// TestForgedAgentMail: with a trusted authserv-id, mail that claims an
// agent's address without an authentication pass from our own mail server
// is not relayed to the requester; the verified reply is.
func TestForgedAgentMail(t *testing.T) {
	e := newE2E(t)
	e.setConfig(`[[tiers]]`, "[security]\ntrusted_authserv_id = \"mx.ticketd.test\"\n[[tiers]]")
	e.deliver("From: pedro@cliente.test\nTo: soporte@ticketd.test\nSubject: Clave\nMessage-ID: <fa1@cliente.test>\n\nOlvidé mi clave.\n")
	e.ticketd("once")
	e.smtp.WaitFor(2, 10*time.Second)
	e.smtp.Reset()

	// A forger adds an Authentication-Results of their own: another authserv-id.
	e.deliver(`Authentication-Results: mx.evil.test; dmarc=pass header.from=ticketd.test
From: Ana <ana@ticketd.test>
To: soporte@ticketd.test
Subject: Re: [Soporte #1] Clave
Message-ID: <forged@evil.test>

Restablezca su clave en http://evil.test/login
`)
	e.ticketd("once")
	for _, m := range e.smtp.WaitFor(1, 10*time.Second) {
		if strings.Contains(strings.Join(m.To, ","), requester) {
			t.Fatalf("forged agent mail reached the requester:\n%s", m.Data)
		}
	}
	e.smtp.Reset()

	e.deliver(`Authentication-Results: mx.ticketd.test; dkim=pass header.d=ticketd.test; spf=pass smtp.mailfrom=ana@ticketd.test; dmarc=pass header.from=ticketd.test
From: Ana <ana@ticketd.test>
To: soporte@ticketd.test
Subject: Re: [Soporte #1] Clave
Message-ID: <real@ticketd.test>

Le enviamos una clave temporal por SMS.
`)
	e.ticketd("once")
	msgs := e.smtp.WaitFor(1, 10*time.Second)
	if got := strings.Join(msgs[0].To, ","); got != requester {
		t.Fatalf("verified agent reply went to %s, want the requester", got)
	}
}
