package main

// End-to-end SLA escalation: the real binary, Dovecot and the SMTP sink,
// with targets of seconds so a ticket nobody answers climbs while the test
// watches.

import (
	"fmt"
	"net/http"
	"os"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/ticketd/ticketd/internal/testkit/smtptest"
	"github.com/ticketd/ticketd/tickets"
)

const (
	agentMarta = "marta@ticketd.test"
	agentJorge = "jorge@ticketd.test"
	manager    = "jefa@ticketd.test"
)

// setTiers replaces the tiers of the configuration (and everything after
// them) with text.
func (e *e2e) setTiers(text string) {
	e.t.Helper()
	data, err := os.ReadFile(e.config)
	if err != nil {
		e.t.Fatal(err)
	}
	head, _, ok := strings.Cut(string(data), "[[tiers]]")
	if !ok {
		e.t.Fatal("config has no [[tiers]]")
	}
	if err := os.WriteFile(e.config, []byte(head+text), 0o600); err != nil {
		e.t.Fatal(err)
	}
}

// threeTierConfig has first-response targets of tier1 and tier2 at tiers 1
// and 2, and checks every second.
func threeTierConfig(tier1, tier2 string) string {
	return fmt.Sprintf(`[[tiers]]
level = 1
name = "Nivel 1"
agents = [%q, %q]
first_response = %q
resolution = "1h"
[[tiers]]
level = 2
name = "Nivel 2"
agents = [%q]
first_response = %q
resolution = "1h"
[[tiers]]
level = 3
name = "Nivel 3"
agents = [%q]
first_response = "2s"
resolution = "1h"
[escalation]
schedule = "@every 1s"
warn_at = 0
[digest]
managers = [%q]
`, agentAna, agentLuis, tier1, agentMarta, tier2, agentJorge, manager)
}

// sentMail is one captured mail, classified by its subject.
type sentMail struct {
	sent
	ticket uint64
	msgID  string
}

var tokenRE = regexp.MustCompile(`\[Soporte #(\d+)\]`)

func classify(t *testing.T, msgs []smtptest.Message) []sentMail {
	t.Helper()
	var out []sentMail
	for _, m := range msgs {
		s := parseSent(t, m)
		id, _ := s.header.MessageID()
		sm := sentMail{sent: s, msgID: id}
		if g := tokenRE.FindStringSubmatch(s.subject); g != nil {
			sm.ticket, _ = strconv.ParseUint(g[1], 10, 64)
		}
		out = append(out, sm)
	}
	return out
}

// count returns the mails to rcpt whose subject contains part.
func count(mails []sentMail, rcpt, part string) []sentMail {
	var out []sentMail
	for _, m := range mails {
		if strings.Contains(m.subject, part) && strings.Contains(strings.Join(m.to, ","), rcpt) {
			out = append(out, m)
		}
	}
	return out
}

// waitMail waits until a mail to rcpt whose subject contains part arrived.
func waitMail(t *testing.T, s *smtptest.Server, rcpt, part string, timeout time.Duration) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		if len(count(classify(t, s.Messages()), rcpt, part)) > 0 {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("no mail to %s with %q in its subject within %s", rcpt, part, timeout)
}

// stopDaemon sends SIGTERM and waits for a clean exit.
func stopDaemon(t *testing.T, pid int, wait func() error) {
	t.Helper()
	if err := syscall.Kill(pid, syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("ticketd run after SIGTERM: %v", err)
		}
	case <-time.After(15 * time.Second):
		t.Fatal("ticketd run did not stop within 15s of SIGTERM")
	}
}

// TestEscalationClimbsTiers: a ticket nobody answers climbs 1 → 2 → 3 with
// second-long targets; each tier hears of it exactly once, the requester
// twice, the manager once when the last tier's target passes; the digest
// lists it.
func TestEscalationClimbsTiers(t *testing.T) {
	e := newE2E(t)
	e.setTiers(threeTierConfig("2s", "2s"))
	e.setConfig(`[[tiers]]`, "[admin]\nlisten = \"127.0.0.1:0\"\n[[tiers]]")
	e.deliver("From: Pedro <pedro@cliente.test>\nTo: soporte@ticketd.test\nSubject: El servidor no arranca\nMessage-ID: <esc1@cliente.test>\n\nNo arranca desde esta mañana.\n")
	cmd, lines, _ := startDaemon(t, "run", "--config", e.config)
	metricsAddr := regexp.MustCompile(`addr=(\S+)`).FindStringSubmatch(waitLine(t, lines, "metrics listening", 20*time.Second))[1]
	waitMail(t, e.smtp, manager, "Incumplimiento de SLA en el último nivel", 40*time.Second)
	// Three more checks run while we wait: none may repeat anything.
	time.Sleep(3 * time.Second)
	code, scrape := httpGet(t, "http://"+metricsAddr+"/metrics")
	if code != http.StatusOK {
		t.Fatalf("/metrics: %d", code)
	}
	for _, want := range []string{`ticketd_escalations_total{queue="soporte",tier="2",type="incident"} 1`, `ticketd_escalations_total{queue="soporte",tier="3",type="incident"} 1`,
		`ticketd_sla_breaches_total{queue="soporte",target="first_response",tier="3",type="incident"} 1`} {
		if !strings.Contains(scrape, want) {
			t.Errorf("metrics lack %s", want)
		}
	}
	stopDaemon(t, cmd.Process.Pid, cmd.Wait)

	mails := classify(t, e.smtp.Messages())
	for _, c := range []struct {
		rcpt, subject string
		want          int
	}{
		{agentAna, "Nuevo:", 1},
		{agentMarta, "Escalado a Nivel 2", 1},
		{agentJorge, "Escalado a Nivel 3", 1},
		{requester, "Re: [Soporte #1]", 2}, // two short notices
		{manager, "Incumplimiento de SLA", 1},
		{agentAna, "Escalado", 0},
	} {
		if got := len(count(mails, c.rcpt, c.subject)); got != c.want {
			t.Errorf("%d mails to %s with %q, want %d", got, c.rcpt, c.subject, c.want)
		}
	}
	tier3 := count(mails, agentJorge, "Escalado a Nivel 3")
	if len(tier3) == 1 && !strings.Contains(decodedText(t, tier3[0].raw), "No arranca desde esta mañana.") {
		t.Errorf("tier 3 did not get the history:\n%s", decodedText(t, tier3[0].raw))
	}
	for _, m := range count(mails, requester, "") {
		if strings.Contains(m.raw, agentMarta) || strings.Contains(m.raw, agentJorge) || strings.Contains(m.raw, "Nivel 2") {
			t.Errorf("a requester notice names an agent or an internal tier:\n%s", m.raw)
		}
	}

	show := e.ticketd("show", "1")
	for _, want := range []string{"escalated 2 time(s)", "tier 1 → 2", "tier 2 → 3", "first_response target 2s breached at tier 3"} {
		if !strings.Contains(show, want) {
			t.Errorf("show 1 lacks %q:\n%s", want, show)
		}
	}

	e.smtp.Reset()
	e.ticketd("digest")
	digest := classify(t, e.smtp.WaitFor(1, 10*time.Second))[0]
	text := decodedText(t, digest.raw)
	if strings.Join(digest.to, ",") != manager {
		t.Errorf("digest went to %v", digest.to)
	}
	// The digest covers whole days up to today's midnight (the day
	// aggregates); what is open now, it shows now.
	for _, want := range []string{"Abiertos ahora:      1", "Nivel 3                         1 ", "[Soporte #1] El servidor no arranca — "} {
		if !strings.Contains(text, want) {
			t.Errorf("digest lacks %q:\n%s", want, text)
		}
	}
	dry := e.ticketd("digest", "--dry-run")
	if !strings.Contains(dry, "Subject:") || len(e.smtp.Messages()) != 1 {
		t.Errorf("digest --dry-run printed %q and sent %d mails", dry, len(e.smtp.Messages())-1)
	}
}

// TestEscalationSurvivesSIGKILL: hundreds of tickets fall due together;
// the daemon is SIGKILLed as soon as it has committed the first batch of
// its escalation pass (the next batch is being decided), then restarted. Every ticket is escalated exactly once: one decision,
// one notice to tier 2 per ticket (a notice the SMTP server accepted just
// before the kill may be delivered again, with the same Message-ID).
func TestEscalationSurvivesSIGKILL(t *testing.T) {
	e := newE2E(t)
	const n = 450 // more than two check batches
	e.setTiers(threeTierConfig("5s", "1h"))
	var raws [][]byte
	for i := range n {
		raws = append(raws, []byte(strings.ReplaceAll(fmt.Sprintf(
			"From: user%d@cliente.test\nTo: soporte@ticketd.test\nSubject: Solicitud %d\nMessage-ID: <k-%d@cliente.test>\n\nAyuda %d.\n", i, i, i, i), "\n", "\r\n")))
	}
	e.imap.AppendMany(t, deskAddr, "INBOX", raws)
	// Imported: tickets with their clocks and no mail, so this pass ends
	// well within the 5s target even on a loaded machine (delivering 900
	// acknowledgements and notices, each recorded, takes longer).
	e.ticketd("once", "--import")
	e.smtp.Reset()

	e.setConfig(`language = "es"`, "language = \"es\"\nlog_level = \"debug\"")
	cmd, lines, _ := startDaemon(t, "run", "--config", e.config)
	waitLine(t, lines, "sla batch committed", 40*time.Second)
	if err := cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	cmd.Wait()
	atKill := 0
	e.withStore(func(s *tickets.Store) {
		all, _ := s.Tickets()
		for _, tk := range all {
			if tk.Tier == 2 {
				atKill++
			}
		}
	})
	t.Logf("SIGKILL (pid %d) after the first batch: %d of %d tickets escalated, %d mails delivered", cmd.Process.Pid, atKill, n, len(e.smtp.Messages()))

	cmd2, _, _ := startDaemon(t, "run", "--config", e.config)
	deadline := time.Now().Add(60 * time.Second)
	for {
		got := map[uint64]bool{}
		for _, m := range count(classify(t, e.smtp.Messages()), agentMarta, "Escalado a Nivel 2") {
			got[m.ticket] = true
		}
		if len(got) == n {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d of %d tickets escalated within a minute of the restart", len(got), n)
		}
		time.Sleep(200 * time.Millisecond)
	}
	time.Sleep(2 * time.Second) // two more checks: nothing may repeat
	stopDaemon(t, cmd2.Process.Pid, cmd2.Wait)

	notices := map[uint64]map[string]int{} // ticket → Message-ID → deliveries
	for _, m := range count(classify(t, e.smtp.Messages()), agentMarta, "Escalado a Nivel 2") {
		if notices[m.ticket] == nil {
			notices[m.ticket] = map[string]int{}
		}
		notices[m.ticket][m.msgID]++
	}
	redelivered := 0
	for tk, ids := range notices {
		if len(ids) != 1 {
			t.Errorf("ticket %d: %d different escalation notices, want 1", tk, len(ids))
		}
		for _, times := range ids {
			redelivered += times - 1
		}
	}
	t.Logf("same notice delivered again after the kill (SMTP accepted, not yet recorded): %d", redelivered)
	e.withStore(func(s *tickets.Store) {
		all, _ := s.Tickets()
		for _, tk := range all {
			events, _ := s.Events(tk.ID)
			esc := 0
			for _, ev := range events {
				if ev.Kind == tickets.EventEscalated {
					esc++
				}
			}
			if tk.Tier != 2 || esc != 1 {
				t.Errorf("ticket %d: tier %d with %d escalations recorded, want tier 2 and 1", tk.ID, tk.Tier, esc)
			}
		}
		if out, _ := s.Outbox(); len(out) != 0 {
			t.Errorf("%d mails left in the outbox", len(out))
		}
	})
}
