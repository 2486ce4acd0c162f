package main

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

// TestReportOfRealMail: mail applied by the real binary (Dovecot, SMTP
// sink) shows in "ticketd report": three tickets opened, one answered,
// resolved and rated 5 by ana, one escalated by luis; the figures by tier
// and by agent, read from the database, are the same — byte for byte, in
// every format — when the running daemon answers over its socket.
func TestReportOfRealMail(t *testing.T) {
	e := newE2E(t)
	e.newTicket(1, "Impresora", "No imprime.")
	e.newTicket(2, "Correo", "No llega.")
	e.newTicket(3, "VPN", "No conecta.")
	e.step(agentOn(3, agentLuis, "rp1@ticketd.test", "#escalar necesita redes"))
	mails := e.step(agentOn(1, agentAna, "rp2@ticketd.test", "#resolver\nHola Pedro, ya imprime: cambiamos el tóner."))
	csat := count(mails, requester, "¿Cómo lo hicimos?")
	if len(csat) != 1 {
		t.Fatalf("no rating question after #resolver: %d mails", len(mails))
	}
	e.step(fmt.Sprintf("From: pedro@cliente.test\nTo: soporte@ticketd.test\nSubject: Re: %s\nMessage-ID: <rp3@cliente.test>\nIn-Reply-To: <%s>\n\n5\n",
		csat[0].subject, csat[0].msgID))
	if tk := e.ticket(1); tk.Rating != 5 {
		t.Fatalf("rating %d", tk.Rating)
	}

	cfg, err := LoadConfig(e.config)
	if err != nil {
		t.Fatal(err)
	}
	today := time.Now().In(cfg.Location).Format(dateLayout)
	period := []string{"report", "--from", today, "--to", today}
	var rep struct {
		Rows []struct {
			Group   map[string]string
			Figures reportFiguresJSON
		}
		Total reportFiguresJSON
	}
	e.jsonOut(&rep, append(period, "--by", "tier", "--format", "json")...)
	tot := rep.Total
	if tot.Opened != 3 || tot.Resolved != 1 || tot.Escalated != 1 || tot.OpenAtEnd != 2 || tot.CSAT.Responses != 1 || tot.CSAT.Mean != 5 ||
		tot.FirstResponse.N != 1 || tot.Resolution.N != 1 {
		t.Fatalf("total: %+v", tot)
	}
	if len(rep.Rows) == 0 || rep.Rows[0].Group["tier"] != "1" || rep.Rows[0].Figures.Opened != 3 || rep.Rows[0].Figures.Escalated != 1 {
		t.Fatalf("tier rows: %+v", rep.Rows)
	}
	e.jsonOut(&rep, append(period, "--by", "agent", "--format", "json")...)
	var ana *reportFiguresJSON
	for i, r := range rep.Rows {
		if r.Group["agent"] == agentAna {
			ana = &rep.Rows[i].Figures
		}
	}
	if ana == nil || ana.Resolved != 1 || ana.Answers != 1 || ana.CSAT.Responses != 1 {
		t.Fatalf("ana's row: %+v in %+v", ana, rep.Rows)
	}

	// The same reports, asked of the running daemon.
	variants := [][]string{
		append(period, "--by", "tier"),
		append(period, "--by", "agent,day", "--format", "csv", "--sep", ";", "--bom"),
		append(period, "--by", "type", "--by", "week", "--format", "json"),
	}
	var local []string
	for _, v := range variants {
		out, stderr, err := e.run(v...)
		if err != nil {
			t.Fatalf("%v: %v\n%s", v, err, stderr)
		}
		local = append(local, out)
	}
	if !strings.Contains(local[0], "TOTAL") || !strings.HasPrefix(local[1], "\uFEFFagent;day;opened") {
		t.Fatalf("local reports:\n%s\n%s", local[0], local[1])
	}
	_, lines, _ := startDaemon(t, "run", "--config", e.config)
	waitLine(t, lines, "ticketd started", 20*time.Second)
	for i, v := range variants {
		out, stderr, err := e.run(v...)
		if err != nil {
			t.Fatalf("%v while the daemon runs: %v\n%s", v, err, stderr)
		}
		if out != local[i] {
			t.Errorf("%v over the socket differs:\n%s\n--- read from the database:\n%s", v, out, local[i])
		}
	}
}

// reportFiguresJSON is the part of the report's JSON figures the tests read.
type reportFiguresJSON struct {
	Opened        int `json:"opened"`
	Resolved      int `json:"resolved"`
	Escalated     int `json:"escalated"`
	OpenAtEnd     int `json:"open_at_end"`
	Answers       int `json:"answers"`
	FirstResponse struct {
		N int `json:"n"`
	} `json:"first_response"`
	Resolution struct {
		N int `json:"n"`
	} `json:"resolution"`
	CSAT struct {
		Responses int     `json:"responses"`
		Mean      float64 `json:"mean"`
	} `json:"csat"`
}
