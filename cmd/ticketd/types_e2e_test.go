package main

// End to end (issue 13, points 2 and 3): ticket types and categories by
// mail alone, on the real binary with Dovecot and the SMTP sink.

import (
	"fmt"
	"strings"
	"testing"
)

// typedTiers are the e2e tiers with requests on their own, longer targets,
// the request rules and two categories.
func typedTiers() string {
	return fmt.Sprintf(`[[tiers]]
level = 1
name = "Nivel 1"
agents = [%q, %q]
first_response = "30m"
resolution = "8h"
[tiers.request]
first_response = "4h"
resolution = "40h"
[[tiers]]
level = 2
name = "Nivel 2"
agents = [%q]
first_response = "2h"
resolution = "24h"

[types]
default = "incidente"
[[types.rules]]
type = "solicitud"
addresses = ["solicitudes@ticketd.test"]
[[types.rules]]
type = "request"
keywords = ["solicitud", "alta", "acceso", "please install"]

[[categories]]
name = "Impresoras"
keywords = ["impresora"]
agents = [%q]
[[categories]]
name = "Servidores"
keywords = ["servidor"]
tier = 2
`, agentAna, agentLuis, agentMarta, agentLuis)
}

// TestIncidentAndRequestByMail: an incident and a request get different
// targets (in the agents' notice and in show) and different
// acknowledgements; an agent's #tipo moves the deadlines; a requester's
// "#tipo" changes nothing; categories route new tickets; list, stats and
// check-config know types and categories.
func TestIncidentAndRequestByMail(t *testing.T) {
	e := newE2E(t)
	e.setTiers(typedTiers())
	if out := e.ticketd("check-config"); !strings.Contains(out, "types:       default incident; request when to solicitudes@ticketd.test; request when words solicitud, alta, acceso, please install") ||
		!strings.Contains(out, "category:    Servidores — words servidor → tier 2") {
		t.Errorf("check-config:\n%s", out)
	}

	mails := e.step("From: Pedro <pedro@cliente.test>\nTo: soporte@ticketd.test\nSubject: No funciona el correo\nMessage-ID: <ty1@cliente.test>\n\nDesde esta mañana no llega nada.\n")
	incAck, incNotice := count(mails, requester, "Recibimos su solicitud"), count(mails, agentAna, "Nuevo:")
	if len(incAck) != 1 || len(incNotice) != 1 {
		t.Fatalf("incident: %d acks, %d notices to ana (all %d)", len(incAck), len(incNotice), len(mails))
	}
	if text := decodedText(t, incAck[0].raw); !strings.Contains(text, "Hemos registrado su incidencia con el número 1") {
		t.Errorf("incident ack:\n%s", text)
	}
	if text := decodedText(t, incNotice[0].raw); !strings.Contains(text, "Tipo:   incidencia") || !strings.Contains(text, "Objetivos: primera respuesta 30 min, resolución 8 h") {
		t.Errorf("incident notice:\n%s", text)
	}

	mails = e.step("From: Eva <eva@cliente.test>\nTo: soporte@ticketd.test\nSubject: Alta de usuario\nMessage-ID: <ty2@cliente.test>\n\nEntra una persona nueva el lunes: necesita acceso al correo.\n")
	reqAck, reqNotice := count(mails, "eva@cliente.test", "Recibimos su solicitud"), count(mails, agentAna, "Nuevo:")
	if len(reqAck) != 1 || len(reqNotice) != 1 {
		t.Fatalf("request: %d acks, %d notices (all %d)", len(reqAck), len(reqNotice), len(mails))
	}
	if text := decodedText(t, reqAck[0].raw); !strings.Contains(text, "Hemos registrado su solicitud con el número 2") || strings.Contains(text, "incidencia") {
		t.Errorf("request ack:\n%s", text)
	}
	if text := decodedText(t, reqNotice[0].raw); !strings.Contains(text, "Tipo:   solicitud") || !strings.Contains(text, "Objetivos: primera respuesta 4 h, resolución 1 d 16 h") {
		t.Errorf("request notice:\n%s", text)
	}
	// Sent to the requests alias (in Cc): a request, whatever it says.
	e.step("From: Rosa <rosa@cliente.test>\nTo: soporte@ticketd.test\nCc: solicitudes@ticketd.test\nSubject: Portátil\nMessage-ID: <ty3@cliente.test>\n\nNo enciende.\n")

	show := func(n int) string { return e.ticketd("show", fmt.Sprint(n)) }
	if s := show(1); !strings.Contains(s, "type incident, category -") || !strings.Contains(s, "(target 30m0s)") || !strings.Contains(s, "(target 8h0m0s)") {
		t.Errorf("show 1:\n%s", s)
	}
	if s := show(2); !strings.Contains(s, "type request, category -") || !strings.Contains(s, "(target 4h0m0s)") || !strings.Contains(s, "(target 40h0m0s)") {
		t.Errorf("show 2:\n%s", s)
	}
	if s := show(3); !strings.Contains(s, "type request") || !strings.Contains(s, "sent to solicitudes@ticketd.test") {
		t.Errorf("show 3:\n%s", s)
	}

	// The requester tries to command: nothing changes (the text reaches
	// the agents as any follow-up).
	e.step("From: Pedro <pedro@cliente.test>\nTo: soporte@ticketd.test\nSubject: Re: [Soporte #1] No funciona el correo\nMessage-ID: <ty4@cliente.test>\n\n#tipo solicitud\n#categoria Impresoras\n")
	if tk := e.ticket(1); tk.Type != "incident" || tk.Category != "" || tk.SLA.Resolution.Target.String() != "8h0m0s" {
		t.Fatalf("a requester's #tipo changed ticket 1: %s %q %s", tk.Type, tk.Category, tk.SLA.Resolution.Target)
	}
	// An agent's does: the longer targets apply to the time used.
	mails = e.step(agentOn(1, agentAna, "ty5@ticketd.test", "#tipo solicitud\n#categoria impresoras"))
	if tk := e.ticket(1); tk.Type != "request" || tk.Category != "Impresoras" || tk.SLA.Resolution.Target.String() != "40h0m0s" || tk.SLA.FirstResponse.Target.String() != "4h0m0s" {
		t.Fatalf("after #tipo solicitud: %s %q %s", tk.Type, tk.Category, tk.SLA.Resolution.Target)
	}
	if len(mails) != 0 {
		t.Errorf("a command-only mail sent %d mail(s)", len(mails))
	}
	// A bad value: nothing applied, the agent told in the desk's language.
	mails = e.step(agentOn(1, agentAna, "ty6@ticketd.test", "#tipo incidente\n#categoria Cafetera"))
	if errs := count(mails, agentAna, ""); len(errs) != 1 || !strings.Contains(decodedText(t, errs[0].raw), "#categoria Cafetera: necesita una categoría: Impresoras, Servidores, o «ninguna»") {
		t.Fatalf("bad #categoria: %v", mails)
	}
	if tk := e.ticket(1); tk.Type != "request" {
		t.Fatalf("a mail with a bad command changed the type to %s", tk.Type)
	}

	// Categories route new tickets: printers to luis alone, servers to tier 2.
	mails = e.step("From: Pedro <pedro@cliente.test>\nTo: soporte@ticketd.test\nSubject: La impresora atasca\nMessage-ID: <ty7@cliente.test>\n\nPapel atascado.\n")
	if len(count(mails, agentLuis, "Nuevo:")) != 1 || len(count(mails, agentAna, "")) != 0 {
		t.Errorf("printer ticket: %d notices to luis, %d mails to ana", len(count(mails, agentLuis, "Nuevo:")), len(count(mails, agentAna, "")))
	}
	mails = e.step("From: Pedro <pedro@cliente.test>\nTo: soporte@ticketd.test\nSubject: Servidor caído\nMessage-ID: <ty8@cliente.test>\n\nNo responde.\n")
	if len(count(mails, agentMarta, "Nuevo:")) != 1 || len(count(mails, agentAna, "")) != 0 || e.ticket(5).Tier != 2 {
		t.Errorf("server ticket: %d notices to marta, tier %d", len(count(mails, agentMarta, "Nuevo:")), e.ticket(5).Tier)
	}

	var rows []listRow
	e.jsonOut(&rows, "list", "--type", "solicitud", "--json")
	if len(rows) != 3 || rows[0].ID != 1 || rows[1].ID != 2 || rows[2].ID != 3 {
		t.Errorf("list --type solicitud: %+v", rows)
	}
	e.jsonOut(&rows, "list", "--category", "impresoras", "--json")
	if len(rows) != 2 || rows[0].ID != 1 || rows[1].ID != 4 || rows[1].Type != "incident" {
		t.Errorf("list --category impresoras: %+v", rows)
	}
	if out := e.ticketd("list"); !strings.Contains(out, "TYPE") || !strings.Contains(out, "Servidores") {
		t.Errorf("list:\n%s", out)
	}
	out := e.ticketd("stats")
	for _, want := range []string{"  incident", "  request", "category Impresoras", "category Servidores", "category (none)"} {
		if !strings.Contains(out, want) {
			t.Errorf("stats lacks %q:\n%s", want, out)
		}
	}
}
