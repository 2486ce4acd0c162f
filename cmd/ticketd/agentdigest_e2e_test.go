package main

import (
	"os"
	"strings"
	"testing"
	"time"
)

// TestAgentsMorningMail: "ticketd digest --agents --dry-run" prints each
// agent's own open tickets and sends nothing; the daemon, on its
// [digest] agents schedule, mails them from the desk, auto-generated, and
// the dry run also works over its socket. Real binary, Dovecot, SMTP sink.
func TestAgentsMorningMail(t *testing.T) {
	e := newE2E(t)
	e.newTicket(1, "Impresora", "No imprime.")
	e.newTicket(2, "Correo", "No llega.")
	e.step(agentOn(1, agentAna, "md1@ticketd.test", "#asignar yo"))
	e.smtp.Reset()

	out := e.ticketd("digest", "--agents", "--dry-run")
	if !strings.Contains(out, "To: "+agentAna) || !strings.Contains(out, "[Soporte #1] Impresora") || strings.Contains(out, "#2") ||
		strings.Contains(out, agentLuis) || strings.Contains(out, "pedro@") {
		t.Fatalf("dry run:\n%s", out)
	}
	if n := len(e.smtp.Messages()); n != 0 {
		t.Fatalf("a dry run sent %d mail(s)", n)
	}

	data, err := os.ReadFile(e.config)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(e.config, append(data, "[digest]\nagents = \"@every 1s\"\n"...), 0o600); err != nil {
		t.Fatal(err)
	}
	_, lines, _ := startDaemon(t, "run", "--config", e.config)
	waitLine(t, lines, "ticketd started", 20*time.Second)
	waitMail(t, e.smtp, agentAna, "sus tickets abiertos (1)", 20*time.Second)
	m := count(classify(t, e.smtp.Messages()), agentAna, "sus tickets abiertos")[0]
	if got := m.header.Get("Auto-Submitted"); got != "auto-generated" {
		t.Errorf("Auto-Submitted %q", got)
	}
	if from := m.header.Get("From"); !strings.Contains(from, deskAddr) {
		t.Errorf("From %q", from)
	}
	text := decodedText(t, m.raw)
	if !strings.Contains(text, "[Soporte #1] Impresora") || !strings.Contains(text, "escriba a "+deskAddr) {
		t.Errorf("mail text:\n%s", text)
	}
	for _, other := range count(classify(t, e.smtp.Messages()), "", "tickets abiertos") {
		if strings.Join(other.to, ",") != agentAna {
			t.Errorf("morning mail to %v: only ana has a ticket", other.to)
		}
	}
	// While the daemon holds the database, the dry run asks it.
	if out := e.ticketd("digest", "--agents", "--dry-run"); !strings.Contains(out, "To: "+agentAna) {
		t.Fatalf("dry run over the socket:\n%s", out)
	}
}
