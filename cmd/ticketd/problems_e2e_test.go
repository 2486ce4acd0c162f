package main

// End-to-end problems and merge by mail alone: the real binary, Dovecot
// and the SMTP sink.

import (
	"fmt"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/ticketd/ticketd/tickets"
)

const csatSubject = "¿Cómo lo hicimos?"

// TestProblemResolvesFiveIncidentsE2E: five requesters write about one
// outage; an agent links their tickets to a problem by replying to the
// notices, then resolves the problem with its answer: each of the five
// gets that answer in their own thread (their token, In-Reply-To the mail
// that opened their ticket, as their acknowledgement) and the satisfaction
// question.
func TestProblemResolvesFiveIncidentsE2E(t *testing.T) {
	e := newE2E(t)
	e.step("From: NOC <noc@cliente.test>\nTo: soporte@ticketd.test\nSubject: Caída del correo\nMessage-ID: <p0@cliente.test>\n\nEl servidor no responde.\n")
	acks := map[uint64]sentMail{}
	notices := map[uint64]sentMail{}
	for i := 1; i <= 5; i++ {
		from := fmt.Sprintf("user%d@cliente.test", i)
		mails := e.step(fmt.Sprintf("From: %s\nTo: soporte@ticketd.test\nSubject: No me llega el correo\nMessage-ID: <p%d@cliente.test>\n\nDesde esta mañana.\n", from, i))
		ack := count(mails, from, "")
		notice := count(mails, agentAna, "Nuevo:")
		if len(ack) != 1 || len(notice) != 1 {
			t.Fatalf("ticket of %s: %d acks, %d notices", from, len(ack), len(notice))
		}
		acks[ack[0].ticket], notices[ack[0].ticket] = ack[0], notice[0]
	}
	for id, n := range notices {
		mails := e.step(fmt.Sprintf("From: Ana <ana@ticketd.test>\nTo: soporte@ticketd.test\nSubject: Re: %s\nMessage-ID: <link%d@ticketd.test>\nIn-Reply-To: <%s>\n\n#problema 1\n",
			n.subject, id, n.msgID))
		if len(mails) != 0 {
			t.Fatalf("linking #%d mailed %d", id, len(mails))
		}
	}
	out := e.ticketd("show", "1")
	if !strings.Contains(out, "problem of 5 incident(s): #2, #3, #4, #5, #6") {
		t.Fatalf("show 1:\n%s", out)
	}
	if out := e.ticketd("show", "4"); !strings.Contains(out, "incident of problem #1") {
		t.Fatalf("show 4:\n%s", out)
	}

	mails := e.step("From: Marta <marta@ticketd.test>\nTo: soporte@ticketd.test\nSubject: Re: [Soporte #1] Caída del correo\nMessage-ID: <res@ticketd.test>\n\n#resolver\nYa funciona: reiniciamos el servidor de correo.\n")
	for id, ack := range acks {
		rcpt := ack.to[0]
		var answer, csat []sentMail
		for _, m := range count(mails, rcpt, fmt.Sprintf("[Soporte #%d]", id)) {
			if strings.Contains(m.subject, csatSubject) {
				csat = append(csat, m)
			} else {
				answer = append(answer, m)
			}
		}
		if len(answer) != 1 || len(csat) != 1 {
			t.Fatalf("#%d (%s): %d answers, %d rating questions", id, rcpt, len(answer), len(csat))
		}
		a := answer[0]
		if !strings.Contains(decodedText(t, a.raw), "reiniciamos el servidor de correo") {
			t.Errorf("#%d: the answer lacks the problem's words:\n%s", id, decodedText(t, a.raw))
		}
		// In the requester's own thread: under the mail that opened it, as
		// their acknowledgement was.
		irt, _ := a.header.Text("In-Reply-To")
		ackIRT, _ := ack.header.Text("In-Reply-To")
		if irt == "" || irt != ackIRT || len(a.to) != 1 {
			t.Errorf("#%d: answer In-Reply-To %q, want %q as its acknowledgement; to %v", id, irt, ackIRT, a.to)
		}
		if tk := e.ticket(id); tk.Status != tickets.StatusResolved {
			t.Errorf("#%d: %s", id, tk.Status)
		}
	}
}

// TestMergedTicketMailLandsOnSurvivorE2E: #2 is merged into #1; its
// requester is told once, and their reply to #2's old acknowledgement
// (its token, its Message-ID) lands on #1.
func TestMergedTicketMailLandsOnSurvivorE2E(t *testing.T) {
	e := newE2E(t)
	e.step("From: pedro@cliente.test\nTo: soporte@ticketd.test\nSubject: La VPN no conecta\nMessage-ID: <g1@cliente.test>\n\nDesde casa no entra.\n")
	mails := e.step("From: maria@cliente.test\nTo: soporte@ticketd.test\nSubject: VPN caída\nMessage-ID: <g2@cliente.test>\n\nTampoco me conecta.\n")
	ack := count(mails, "maria@cliente.test", "[Soporte #2]")
	if len(ack) != 1 {
		t.Fatalf("no acknowledgement of #2: %v", mails)
	}
	mails = e.step("From: Ana <ana@ticketd.test>\nTo: soporte@ticketd.test\nSubject: Re: [Soporte #2] VPN caída\nMessage-ID: <g3@ticketd.test>\n\n#fusionar 1\n")
	told := count(mails, "maria@cliente.test", "")
	if len(told) != 1 || !strings.HasPrefix(told[0].subject, "Re: [Soporte #1]") || !strings.Contains(decodedText(t, told[0].raw), "[Soporte #1]") {
		t.Fatalf("merge notice to maria: %v", told)
	}
	if len(count(mails, requester, "")) != 0 {
		t.Errorf("the survivor's requester was mailed about the merge")
	}
	mails = e.step(fmt.Sprintf("From: maria@cliente.test\nTo: soporte@ticketd.test\nSubject: Re: %s\nMessage-ID: <g4@cliente.test>\nIn-Reply-To: <%s>\n\nUso Windows 11.\n", ack[0].subject, ack[0].msgID))
	upd := count(mails, agentAna, "[Soporte #1]")
	if len(upd) != 1 || !strings.Contains(decodedText(t, upd[0].raw), "Uso Windows 11.") {
		t.Fatalf("maria's later mail did not reach #1's agents: %v", mails)
	}
	if tk := e.ticket(2); tk.Status != tickets.StatusClosed || tk.MergedInto != 1 {
		t.Errorf("#2: %s, merged into %d", tk.Status, tk.MergedInto)
	}
	out := e.ticketd("show", "1")
	if !strings.Contains(out, "Tampoco me conecta.") || !strings.Contains(out, "[from #2]") || !strings.Contains(out, "Uso Windows 11.") {
		t.Errorf("show 1 lacks the merged conversation:\n%s", out)
	}
	if out := e.ticketd("show", "2"); !strings.Contains(out, "merged into #1") {
		t.Errorf("show 2 does not say where it went:\n%s", out)
	}
	if strings.Index(out, "Desde casa no entra.") > strings.Index(out, "Tampoco me conecta.") {
		t.Errorf("show 1 out of order:\n%s", out)
	}
}

// TestProblemResolveSurvivesSIGKILL: a problem with 200 linked incidents
// is resolved; "ticketd run" is SIGKILLed three times (while it applies
// the resolution, just after its commit, and halfway through its 400
// mails) and restarted. Every incident ends resolved
// exactly once, and each requester gets exactly one answer and one
// rating question (a mail the SMTP server accepted just before a kill may
// arrive again with the same Message-ID: the same mail, not a second
// answer).
func TestProblemResolveSurvivesSIGKILL(t *testing.T) {
	const n = 200
	e := newE2E(t)
	raws := [][]byte{[]byte(crlf("From: noc@cliente.test\nTo: soporte@ticketd.test\nSubject: Caída del correo\nMessage-ID: <k0@cliente.test>\n\nEl servidor no responde.\n"))}
	for i := range n {
		raws = append(raws, []byte(crlf(fmt.Sprintf("From: user%d@cliente.test\nTo: soporte@ticketd.test\nSubject: Sin correo %d\nMessage-ID: <k%d@cliente.test>\n\nNo me llega el correo.\n", i, i, i+1))))
	}
	e.imap.AppendMany(t, deskAddr, "INBOX", raws)
	e.ticketd("once", "--import") // the tickets, without their acknowledgements
	raws = raws[:0]
	for i := range n {
		raws = append(raws, []byte(crlf(fmt.Sprintf("From: ana@ticketd.test\nTo: soporte@ticketd.test\nSubject: Re: [Soporte #%d] x\nMessage-ID: <l%d@ticketd.test>\n\n#problema 1\n", i+2, i))))
	}
	e.imap.AppendMany(t, deskAddr, "INBOX", raws)
	e.ticketd("once")
	e.smtp.Reset()
	e.withStore(func(s *tickets.Store) {
		if ids, _ := s.Incidents(1); len(ids) != n {
			t.Fatalf("%d incidents linked, want %d", len(ids), n)
		}
	})

	e.deliver("From: Marta <marta@ticketd.test>\nTo: soporte@ticketd.test\nSubject: Re: [Soporte #1] Caída\nMessage-ID: <kres@ticketd.test>\n\n#resolver\nYa funciona: reiniciamos el servidor.\n")
	want := 2*n + 2 // each incident's answer and question, the problem's own
	start := time.Now()
	// Three kills: as the daemon starts (the resolution is being fetched
	// or applied), right after its commit (the mail not yet moved out of
	// the inbox: it comes again and must change nothing), and with half
	// the mails delivered.
	kills := []func(lines <-chan string){
		func(lines <-chan string) { waitLine(t, lines, "ticketd started", 20*time.Second) },
		func(lines <-chan string) { lineWithin(lines, "message applied", 20*time.Second) },
		func(<-chan string) { e.smtp.WaitFor(want/2, 60*time.Second) },
	}
	for i, wait := range kills {
		cmd, lines, _ := startDaemon(t, "run", "--config", e.config)
		wait(lines)
		if err := syscall.Kill(cmd.Process.Pid, syscall.SIGKILL); err != nil {
			t.Fatal(err)
		}
		cmd.Wait()
		resolved := 0
		e.withStore(func(s *tickets.Store) {
			for id := uint64(2); id <= n+1; id++ {
				if tk, _ := s.Ticket(id); tk.Status == tickets.StatusResolved {
					resolved++
				}
			}
		})
		t.Logf("SIGKILL %d (pid %d): %d of %d incidents resolved, %d of %d mails received", i+1, cmd.Process.Pid, resolved, n,
			len(e.smtp.Messages()), want)
		if resolved != 0 && resolved != n {
			t.Fatalf("a kill left %d of %d incidents resolved: the resolution is not one transaction", resolved, n)
		}
	}
	cmd, lines, _ := startDaemon(t, "run", "--config", e.config)
	waitLine(t, lines, "ticketd started", 20*time.Second)
	for deadline := time.Now().Add(60 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if len(messageIDs(t, e.smtp.Messages())) >= want {
			break
		}
	}
	time.Sleep(time.Second) // nothing more may come
	stopDaemon(t, cmd.Process.Pid, cmd.Wait)
	t.Logf("resolved and delivered in %s with three SIGKILLs", time.Since(start).Round(time.Millisecond))

	answers, questions := map[string]map[string]int{}, map[string]map[string]int{}
	for _, m := range classify(t, e.smtp.Messages()) {
		for _, rcpt := range m.to {
			book := answers
			if strings.Contains(m.subject, csatSubject) {
				book = questions
			}
			if book[rcpt] == nil {
				book[rcpt] = map[string]int{}
			}
			book[rcpt][m.msgID]++
		}
	}
	again := 0
	for i := range n {
		rcpt := fmt.Sprintf("user%d@cliente.test", i)
		if len(answers[rcpt]) != 1 || len(questions[rcpt]) != 1 {
			t.Errorf("%s: %d different answers and %d rating questions, want 1 and 1", rcpt, len(answers[rcpt]), len(questions[rcpt]))
		}
		for _, book := range []map[string]map[string]int{answers, questions} {
			for _, times := range book[rcpt] {
				again += times - 1
			}
		}
	}
	t.Logf("same mail delivered again after a kill (accepted, not yet recorded): %d", again)
	e.withStore(func(s *tickets.Store) {
		for id := uint64(2); id <= n+1; id++ {
			tk, err := s.Ticket(id)
			if err != nil {
				t.Fatal(err)
			}
			events, _ := s.Events(id)
			resolved, answered := 0, 0
			for _, ev := range events {
				if ev.Kind == tickets.EventStatus && ev.To == tickets.StatusResolved {
					resolved++
				}
				if ev.Kind == tickets.EventAnswer {
					answered++
				}
			}
			if tk.Status != tickets.StatusResolved || resolved != 1 || answered != 1 {
				t.Errorf("#%d: %s, resolved %d times, answered %d times", id, tk.Status, resolved, answered)
			}
		}
		if out, _ := s.Outbox(); len(out) != 0 {
			t.Errorf("%d mails left in the outbox", len(out))
		}
	})
}

// lineWithin waits at most timeout for a log line containing want and
// reports whether it came (the daemon may have nothing left to log it for).
func lineWithin(lines <-chan string, want string, timeout time.Duration) bool {
	deadline := time.After(timeout)
	for {
		select {
		case l, ok := <-lines:
			if !ok {
				return false
			}
			if strings.Contains(l, want) {
				return true
			}
		case <-deadline:
			return false
		}
	}
}

func crlf(s string) string { return strings.ReplaceAll(s, "\n", "\r\n") }
