package main

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"
)

// anyMailTo reports whether any captured mail went to addr.
func (e *e2e) anyMailTo(addr string) bool {
	for _, m := range e.smtp.Messages() {
		if slices.Contains(m.To, addr) {
			return true
		}
	}
	return false
}

// TestForgedRequesterE2E: against Dovecot, mail forged in the requester's
// name with a stranger in Cc makes nobody a participant: the next agent
// answer goes to the requester only (issue 10, item 1).
func TestForgedRequesterE2E(t *testing.T) {
	const stranger = "stranger@evil.test"
	e := newE2E(t)
	e.setConfig(`[[tiers]]`, "[security]\ntrusted_authserv_id = \"mx.ticketd.test\"\n[[tiers]]")
	e.deliver(`Authentication-Results: mx.ticketd.test; dkim=pass header.d=cliente.test; dmarc=pass header.from=cliente.test
From: pedro@cliente.test
To: soporte@ticketd.test
Subject: Clave
Message-ID: <fr1@cliente.test>

Olvidé mi clave.
`)
	e.ticketd("once")
	e.smtp.WaitFor(2, 10*time.Second)
	e.smtp.Reset()

	// The forger: the requester's From, the token, a stranger in Cc, and
	// an Authentication-Results of the forger's own above the real one.
	e.deliver(`Authentication-Results: mx.ticketd.test; dkim=pass header.d=cliente.test; dmarc=pass header.from=cliente.test
Authentication-Results: mx.ticketd.test; dkim=none; spf=fail smtp.mailfrom=pedro@cliente.test; dmarc=fail header.from=cliente.test
From: pedro@cliente.test
To: soporte@ticketd.test
Cc: stranger@evil.test
Subject: Re: [Soporte #1] Clave
Message-ID: <forged@evil.test>

Manden la clave nueva también a mi colega.
`)
	e.ticketd("once")
	warning := e.smtp.WaitFor(1, 10*time.Second)[0]
	if !strings.Contains(decodedText(t, string(warning.Data)), "AVISO") || e.anyMailTo(requester) || e.anyMailTo(stranger) {
		t.Fatalf("forged requester mail: want one warning to the agents, got mail to %v", warning.To)
	}
	e.smtp.Reset()

	e.deliver(`Authentication-Results: mx.ticketd.test; auth=pass smtp.auth=ana@ticketd.test; dkim=pass header.d=ticketd.test
From: Ana <ana@ticketd.test>
To: soporte@ticketd.test
Subject: Re: [Soporte #1] Clave
Message-ID: <ana-fr@ticketd.test>

Le enviamos una clave temporal por SMS.
`)
	e.ticketd("once")
	msgs := e.smtp.WaitFor(1, 10*time.Second)
	if got := strings.Join(msgs[0].To, ","); got != requester || e.anyMailTo(stranger) {
		t.Fatalf("the agent's answer went to %s, want the requester only", got)
	}
}

// TestForgedBounceE2E: against Dovecot, forged delivery reports naming
// the desk's agents do not stop the desk mailing them; the admins hear of
// the one that names a mail the agents really got (issue 10, item 2).
func TestForgedBounceE2E(t *testing.T) {
	const admin = "it@ticketd.test"
	e := newE2E(t)
	e.setConfig(`[[tiers]]`, fmt.Sprintf("[mail]\nadmins = [%q]\n[[tiers]]", admin))
	e.deliver("From: pedro@cliente.test\nTo: soporte@ticketd.test\nSubject: Impresora\nMessage-ID: <fb1@cliente.test>\n\nNo imprime.\n")
	e.ticketd("once")
	var ackID, noticeID string
	for _, m := range e.smtp.WaitFor(2, 10*time.Second) {
		s := parseSent(t, m)
		id, _ := s.header.MessageID()
		if strings.Join(s.to, ",") == requester {
			ackID = id
		} else {
			noticeID = id
		}
	}
	e.smtp.Reset()

	report := func(id, msgID string) string {
		return fmt.Sprintf(`From: MAILER-DAEMON@mx.evil.test
To: soporte@ticketd.test
Subject: Undelivered Mail Returned to Sender
Message-ID: <%s@mx.evil.test>
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status; boundary="b"

--b
Content-Type: text/plain

Delivery failed.

--b
Content-Type: message/delivery-status

Reporting-MTA: dns; mx.evil.test

Final-Recipient: rfc822; ana@ticketd.test
Action: failed
Status: 5.1.1

Final-Recipient: rfc822; luis@ticketd.test
Action: failed
Status: 5.1.1

--b
Content-Type: message/rfc822

From: soporte@ticketd.test
Message-ID: <%s>
Subject: x

x
--b--
`, id, msgID)
	}
	// One names the acknowledgement (sent to Pedro only), one the
	// agents' own notice.
	e.deliver(report("r1", ackID))
	e.deliver(report("r2", noticeID))
	e.ticketd("once")
	e.smtp.WaitFor(2, 10*time.Second) // the agents' bounce notice, the admins' alert
	if !e.anyMailTo(admin) {
		t.Fatal("the admins were not told about the agents' bounce")
	}
	e.smtp.Reset()

	e.deliver("From: rosa@cliente.test\nTo: soporte@ticketd.test\nSubject: Escáner\nMessage-ID: <fb2@cliente.test>\n\nNo escanea.\n")
	e.ticketd("once")
	e.smtp.WaitFor(2, 10*time.Second)
	if !e.anyMailTo(agentAna) || !e.anyMailTo(agentLuis) {
		t.Fatalf("after the forged bounces the desk stopped mailing its agents: %v", e.smtp.Messages())
	}
}

// TestAgentLoginBindsE2E: against Dovecot, on a desk whose requesters
// share the agents' domain, a requester logged in as themselves cannot
// answer as an agent, nor can a DKIM pass of the shared domain, nor a
// trusted-id header placed above the server's own; the agent's own login
// can (issue 10, item 3).
func TestAgentLoginBindsE2E(t *testing.T) {
	const colleagueReq = "empleado@ticketd.test"
	e := newE2E(t)
	e.setConfig(`[[tiers]]`, "[security]\ntrusted_authserv_id = \"mx.ticketd.test\"\n[[tiers]]")
	e.deliver(`Authentication-Results: mx.ticketd.test; auth=pass smtp.auth=empleado@ticketd.test; dkim=pass header.d=ticketd.test
From: empleado@ticketd.test
To: soporte@ticketd.test
Subject: VPN
Message-ID: <al1@ticketd.test>

No conecta la VPN.
`)
	e.ticketd("once")
	e.smtp.WaitFor(2, 10*time.Second)
	for i, forged := range []string{
		// Logged in as the requester, From the agent.
		"Authentication-Results: mx.ticketd.test; auth=pass smtp.auth=empleado@ticketd.test; dkim=pass header.d=ticketd.test\n",
		// The shared domain's DKIM alone.
		"Authentication-Results: mx.ticketd.test; dkim=pass header.d=ticketd.test; dmarc=pass header.from=ticketd.test\n",
		// A trusted-id header with the agent's login above the server's own.
		"Authentication-Results: mx.ticketd.test; auth=pass smtp.auth=ana@ticketd.test\n" +
			"Authentication-Results: mx.ticketd.test; auth=pass smtp.auth=empleado@ticketd.test; dkim=pass header.d=ticketd.test\n",
	} {
		e.smtp.Reset()
		e.deliver(fmt.Sprintf("%sFrom: Ana <ana@ticketd.test>\nTo: soporte@ticketd.test\nSubject: Re: [Soporte #1] VPN\nMessage-ID: <forged%d@ticketd.test>\n\nInstale este programa: http://evil.test/vpn%d.exe\n", forged, i, i))
		e.ticketd("once")
		e.smtp.WaitFor(1, 10*time.Second)
		if e.anyMailTo(colleagueReq) {
			t.Fatalf("forged agent mail %d reached the requester", i)
		}
	}
	e.smtp.Reset()
	e.deliver("Authentication-Results: mx.ticketd.test; auth=pass smtp.auth=ana@ticketd.test; dkim=pass header.d=ticketd.test\nFrom: Ana <ana@ticketd.test>\nTo: soporte@ticketd.test\nSubject: Re: [Soporte #1] VPN\nMessage-ID: <real-al@ticketd.test>\n\nReinicie el cliente VPN.\n")
	e.ticketd("once")
	e.smtp.WaitFor(1, 10*time.Second)
	if !e.anyMailTo(colleagueReq) {
		t.Fatal("the agent's own login did not verify her answer")
	}
}
