package main

import (
	"bufio"
	"fmt"
	"io"
	"os/exec"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"
	"github.com/emersion/go-smtp"

	"github.com/ticketd/ticketd/cmd/ticketd/sandbox"
)

// startDaemon starts the binary with args and returns its stderr lines on
// a channel. The process is SIGKILLed at cleanup if still running.
func startDaemon(t *testing.T, args ...string) (*exec.Cmd, <-chan string, io.Reader) {
	t.Helper()
	return startCmd(t, exec.Command(binary, args...))
}

// startCmd is startDaemon for a command built by the caller (e.g. the
// binary under a shell that sets its umask first).
func startCmd(t *testing.T, cmd *exec.Cmd) (*exec.Cmd, <-chan string, io.Reader) {
	t.Helper()
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	pid := cmd.Process.Pid
	t.Cleanup(func() { syscall.Kill(pid, syscall.SIGKILL); cmd.Wait() })
	// Room for a debug-level burst (hundreds of tickets) while a slow,
	// loaded test reads: a dropped line would be a waitLine timeout.
	lines := make(chan string, 1<<16)
	go func() {
		defer close(lines)
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			select {
			case lines <- sc.Text():
			default: // nobody reads: drop, never block the daemon
			}
		}
	}()
	return cmd, lines, stdout
}

// waitLine waits for a log line containing want.
func waitLine(t *testing.T, lines <-chan string, want string, timeout time.Duration) string {
	t.Helper()
	deadline := time.After(timeout)
	for {
		select {
		case l, ok := <-lines:
			if !ok {
				t.Fatalf("daemon exited before logging %q", want)
			}
			if strings.Contains(l, want) {
				return l
			}
		case <-deadline:
			t.Fatalf("no log line %q within %s", want, timeout)
		}
	}
}

// TestIdleAndGracefulStop: with a poll interval of an hour, new mail is
// still picked up at once (Dovecot's IDLE), and SIGTERM makes "ticketd run"
// finish and exit 0.
func TestIdleAndGracefulStop(t *testing.T) {
	e := newE2E(t)
	e.setConfig(`poll_interval = "1s"`, `poll_interval = "1h"`)
	cmd, lines, _ := startDaemon(t, "run", "--config", e.config)
	waitLine(t, lines, "ticketd started", 20*time.Second)
	e.deliver("From: a@cliente.test\nTo: soporte@ticketd.test\nSubject: hola\nMessage-ID: <g1@cliente.test>\n\nhola\n")
	waitLine(t, lines, "mail delivered", 20*time.Second) // applied, then its first mail delivered
	waitLine(t, lines, "mail delivered", 20*time.Second) // both: ack and agent notification
	stopDaemon(t, cmd.Process.Pid, cmd.Wait)
	if n := e.imap.Count(t, deskAddr, "Procesados"); n != 1 {
		t.Errorf("Procesados holds %d, want 1", n)
	}
}

// TestDev runs "ticketd dev" the way a newcomer would and plays the
// requester: the mail sent to the desk is acknowledged in their inbox.
func TestDev(t *testing.T) {
	dir := t.TempDir()
	_, lines, stdout := startDaemon(t, "dev", "--imap", "127.0.0.1:0", "--smtp", "127.0.0.1:0", "--data", dir)
	var smtpAddr, imapAddr string
	sc := bufio.NewScanner(stdout)
	addr := regexp.MustCompile(`(SMTP|IMAP) \((send|read) mail\):\s+(127\.0\.0\.1:\d+)`)
	for sc.Scan() && (smtpAddr == "" || imapAddr == "") {
		if m := addr.FindStringSubmatch(sc.Text()); m != nil {
			if m[1] == "SMTP" {
				smtpAddr = m[3]
			} else {
				imapAddr = m[3]
			}
		}
	}
	go io.Copy(io.Discard, stdout)
	if smtpAddr == "" || imapAddr == "" {
		t.Fatal("ticketd dev did not print its SMTP and IMAP addresses")
	}
	waitLine(t, lines, "ticketd started", 20*time.Second)

	c, err := smtp.Dial(smtpAddr)
	if err != nil {
		t.Fatal(err)
	}
	body := "From: pedro@ticketd.test\r\nTo: soporte@ticketd.test\r\nSubject: No puedo imprimir\r\nMessage-ID: <dev1@ticketd.test>\r\n\r\nLa impresora no responde.\r\n"
	if err := c.SendMail("pedro@ticketd.test", []string{"soporte@ticketd.test"}, strings.NewReader(body)); err != nil {
		t.Fatal(err)
	}
	c.Close()

	// The acknowledgement reaches pedro's sandbox INBOX.
	deadline := time.Now().Add(30 * time.Second)
	for {
		subjects := inboxSubjects(t, imapAddr, "pedro@ticketd.test")
		if len(subjects) > 0 {
			if !strings.Contains(subjects[0], "[Soporte #1]") {
				t.Fatalf("requester got %q, want the acknowledgement of ticket 1", subjects[0])
			}
			return
		}
		if time.Now().After(deadline) {
			t.Fatal("no acknowledgement in the requester's sandbox INBOX within 30s")
		}
		time.Sleep(100 * time.Millisecond) // polling a mailbox, not waiting out a deadline
	}
}

func inboxSubjects(t *testing.T, addr, user string) []string {
	t.Helper()
	c, err := imapclient.DialInsecure(addr, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := c.Login(user, sandbox.DefaultPassword).Wait(); err != nil {
		t.Fatal(err)
	}
	sel, err := c.Select("INBOX", nil).Wait()
	if err != nil {
		t.Fatal(err)
	}
	if sel.NumMessages == 0 {
		return nil
	}
	msgs, err := c.Fetch(imap.SeqSetNum(1), &imap.FetchOptions{Envelope: true}).Collect()
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, m := range msgs {
		out = append(out, m.Envelope.Subject)
	}
	return out
}

// TestIngestThroughput measures one "ticketd once" pass over a real
// Dovecot INBOX: messages per second from IMAP into committed tickets. It
// reports the figure; targets live in benchmarks, not here.
func TestIngestThroughput(t *testing.T) {
	if testing.Short() {
		t.Skip("measurement; run without -short")
	}
	e := newE2E(t)
	// 20 requests from each of 50 senders: every one acknowledged.
	e.setConfig("[smtp]", "[mail]\nack_limit = 20\n[smtp]")
	const n = 1000
	raws := make([][]byte, n)
	for i := range raws {
		raws[i] = []byte(fmt.Sprintf("From: Usuario %d <u%d@cliente.test>\r\nTo: soporte@ticketd.test\r\nSubject: Solicitud %d: no funciona el correo\r\nMessage-ID: <tp-%d@cliente.test>\r\nContent-Type: text/plain; charset=UTF-8\r\n\r\nBuenos días, desde esta mañana no puedo enviar correos.\r\nGracias, usuario %d.\r\n", i, i%50, i, i, i))
	}
	e.imap.AppendMany(t, deskAddr, "INBOX", raws)
	start := time.Now()
	out := e.ticketd("once")
	whole := time.Since(start)
	pass := regexp.MustCompile(`msg="mail pass".*fetched=(\d+).*duration=(\S+)`).FindStringSubmatch(out)
	if pass == nil || pass[1] != fmt.Sprint(n) {
		t.Fatalf("no mail pass over %d messages in the log", n)
	}
	d, err := time.ParseDuration(pass[2])
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("ingested %d messages from Dovecot in %s: %.0f msg/s (IMAP fetch + parse + one bbolt commit per batch of 50 + MOVE)", n, d, float64(n)/d.Seconds())
	if got := len(e.smtp.Messages()); got != 2*n {
		t.Fatalf("%d mails delivered by the pass, want %d", got, 2*n)
	}
	t.Logf("whole once pass, including delivering %d mails over SMTP: %s (%.0f mails/s after ingest)", 2*n, whole, float64(2*n)/(whole-d).Seconds())
}
