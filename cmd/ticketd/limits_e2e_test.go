package main

import (
	"fmt"
	"os"
	"strings"
	"testing"
	"time"
)

// TestLimitHitsAreCounted: each cap of [limits] that is reached shows in
// /metrics under its key, so an admin sees a flood or a forged mail being
// held back (real binary, real Dovecot).
func TestLimitHitsAreCounted(t *testing.T) {
	e := newE2E(t)
	addr := freeAddr(t)
	data, err := os.ReadFile(e.config)
	if err != nil {
		t.Fatal(err)
	}
	extra := fmt.Sprintf("[admin]\nlisten = %q\n[mail]\nack_limit = 1\n[limits]\nsubject_chars = 40\nstatus_replies_per_sender = 1\n", addr)
	if err := os.WriteFile(e.config, append(data, extra...), 0o600); err != nil {
		t.Fatal(err)
	}
	cmd, lines, _ := startDaemon(t, "run", "--config", e.config)
	waitLine(t, lines, "ticketd started", 20*time.Second)

	long := strings.Repeat("impresora rota ", 20)
	e.deliver(fmt.Sprintf("From: ana@cliente.test\nTo: soporte@ticketd.test\nSubject: %s\nMessage-ID: <lim1@cliente.test>\n\nNo imprime.\n", long))
	e.deliver("From: ana@cliente.test\nTo: soporte@ticketd.test\nSubject: Otra cosa\nMessage-ID: <lim5@cliente.test>\n\nTampoco escanea.\n")
	for i := 2; i <= 4; i++ {
		e.deliver(fmt.Sprintf("From: ana@cliente.test\nTo: soporte@ticketd.test\nSubject: estado\nMessage-ID: <lim%d@cliente.test>\n\n\n", i))
	}
	want := []string{
		`ticketd_limit_hits_total{limit="subject_chars"} 1`,
		`ticketd_limit_hits_total{limit="status_replies_per_sender"} 2`,
		`ticketd_limit_hits_total{limit="ack_limit"} 1`,
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		code, body := httpGet(t, "http://"+addr+"/metrics")
		missing := ""
		for _, w := range want {
			if !strings.Contains(body, w) {
				missing = w
			}
		}
		if code == 200 && missing == "" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("/metrics (%d) lacks %q:\n%s", code, missing, grepLines(body, "ticketd_limit"))
		}
		time.Sleep(200 * time.Millisecond)
	}
	stopDaemon(t, cmd.Process.Pid, cmd.Wait)
}

// grepLines keeps the lines of s that contain sub.
func grepLines(s, sub string) string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if strings.Contains(l, sub) {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}
