package tickets

import (
	"regexp"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/ticketd/ticketd/tiers"
)

// sharedDomainFixture is an internal desk: requesters and agents write
// from example.com, with the MX's Authentication-Results read.
func sharedDomainFixture(t *testing.T, edit func(*Options)) *fixture {
	return newFixtureWith(t, []tiers.Tier{
		{Level: 1, Name: "Nivel 1", Agents: []string{"agent1@example.com"}, FirstResponse: time.Hour, Resolution: 8 * time.Hour},
	}, tiers.Options{}, func(o *Options) {
		o.RequireVerifiedAgents, o.TrustedAuthResults = true, true
		if edit != nil {
			edit(o)
		}
	})
}

// domainPass is mail whose From domain the MX authenticated (DKIM/DMARC).
func domainPass(m Inbound) Inbound { m.SenderVerified = true; return m }

// TestAgentVerificationBindsTheAddress: a login must be the agent's own
// (or one configured for them), and on a domain requesters share a domain
// pass proves nothing about which person wrote (issue 10, item 3).
func TestAgentVerificationBindsTheAddress(t *testing.T) {
	relayed := func(f *fixture, m Inbound) bool {
		f.apply(m)
		for _, mail := range f.drain() {
			if mail.Kind == "reply" {
				return true
			}
		}
		return false
	}
	open := func(f *fixture) {
		f.apply(domainPass(msg("c1@example.com", "customer1@example.com", "Clave", "No entro.")))
		f.drain()
	}
	answer := func(id string) Inbound {
		return msg(id, "agent1@example.com", "Re: [Soporte #1] Clave", "Su nueva clave es 1234.")
	}

	f := sharedDomainFixture(t, nil)
	open(f)
	other := answer("x1")
	other.SenderVerified, other.AuthLogin = true, "customer1@example.com" // logged in as someone else
	if relayed(f, other) {
		t.Fatal("smtp.auth=customer1 with From agent1 was relayed as agent1's answer")
	}
	if relayed(f, domainPass(answer("x2"))) {
		t.Fatal("a DKIM pass on a domain requesters share verified agent1")
	}
	if tk := f.ticket(1); tk.Status != StatusNew || tk.Assignee != "" {
		t.Fatalf("unverified agent mail changed the ticket: %+v", tk)
	}
	own := answer("x3")
	own.AuthLogin = "agent1@example.com"
	if !relayed(f, own) {
		t.Fatal("agent1's own login did not verify agent1")
	}

	// A configured login for the agent, and a domain declared single-sender.
	f = sharedDomainFixture(t, func(o *Options) {
		o.AgentLogins = map[string][]string{"Agent1@Example.com": {"LOGIN1"}}
		o.SingleSenderDomains = []string{"other.example"}
	})
	open(f)
	viaLogin := answer("y1")
	viaLogin.AuthLogin = "login1"
	if !relayed(f, viaLogin) {
		t.Fatal("a configured login did not verify agent1")
	}
	if relayed(f, domainPass(answer("y2"))) {
		t.Fatal("a domain pass verified agent1 though example.com is not single-sender")
	}
	f = sharedDomainFixture(t, func(o *Options) { o.SingleSenderDomains = []string{"example.com"} })
	open(f)
	if !relayed(f, domainPass(answer("z1"))) {
		t.Fatal("a domain pass did not verify agent1 on a declared single-sender domain")
	}
}

// TestSeparateDomainsKeepWorking: by default, a domain pass verifies an
// agent while no requester has (verifiably) written from the agents'
// domain; forged mail from that domain does not change that.
func TestSeparateDomainsKeepWorking(t *testing.T) {
	f := sharedDomainFixture(t, nil)
	f.apply(domainPass(msg("c1@client.test", "pedro@client.test", "Clave", "No entro.")))
	// A forger opens a ticket From the agents' domain: it proves nothing.
	f.apply(msg("forged@evil", "jefe@example.com", "Hola", "..."))
	f.drain()
	f.apply(domainPass(msg("a1", "agent1@example.com", "Re: [Soporte #1] Clave", "Le llamo ahora.")))
	if m := mailsTo(f.drain(), "reply", "pedro@client.test"); len(m) != 1 {
		t.Fatal("a DKIM-verified agent of a separate domain was not relayed")
	}
	// Once a requester verifiably writes from example.com, it is shared.
	f.apply(domainPass(msg("c2@example.com", "empleado@example.com", "VPN", "No conecta.")))
	f.drain()
	f.apply(domainPass(msg("a2", "agent1@example.com", "Re: [Soporte #1] Clave", "¿Pudo entrar?")))
	if m := mailsTo(f.drain(), "reply", "pedro@client.test"); len(m) != 0 {
		t.Fatal("a domain pass still verified agent1 after requesters wrote from its domain")
	}
}

// TestForgedVendor: with the vendor's mail unverified, mail From the
// vendor is not the vendor's: no vendor reference, no first response, the
// agents are warned (issue 10, item 4).
func TestForgedVendor(t *testing.T) {
	f := newFixtureWith(t, []tiers.Tier{
		{Level: 1, Name: "Nivel 1", Agents: []string{"ana@example.com"}, FirstResponse: time.Hour, Resolution: 8 * time.Hour},
		{Level: 2, Name: "ACME", Agents: []string{"soporte@acme.com"}, FirstResponse: 4 * time.Hour, Resolution: 48 * time.Hour,
			Vendor: true, VendorRef: regexp.MustCompile(`\[ACME #(\d+)\]`)},
	}, tiers.Options{}, func(o *Options) { o.RequireVerifiedAgents, o.TrustedAuthResults = true, true })
	f.apply(domainPass(msg("r1@client", "pedro@client.com", "Licencia", "Caducada.")))
	f.drain()
	forged := msg("forged@evil", "soporte@acme.com", "[ACME #666] Re: [Soporte #1] Licencia", "Pague aquí: http://evil.test")
	f.apply(forged)
	tk := f.ticket(1)
	if tk.VendorRef != "" {
		t.Fatalf("forged vendor mail set the vendor reference %q", tk.VendorRef)
	}
	mails := f.drain()
	if len(mails) != 1 || mails[0].Kind != "agent_update" || !strings.Contains(mails[0].Text, "AVISO") {
		t.Fatalf("forged vendor mail: %+v, want one warning to the agents", mails)
	}
	evs := f.events(1)
	for _, e := range evs {
		if e.Kind == EventInbound && e.MessageID == "forged@evil" && strings.Contains(e.Detail, "vendor") {
			t.Fatalf("forged mail recorded as the vendor's: %+v", e)
		}
	}
	// The same mail, verified, is the vendor's.
	real := domainPass(msg("real@acme", "soporte@acme.com", "[ACME #77] Re: [Soporte #1] Licencia", "Recibido."))
	f.apply(real)
	if tk := f.ticket(1); tk.VendorRef != "77" {
		t.Fatalf("verified vendor mail: vendor reference %q, want 77", tk.VendorRef)
	}
}

// TestRequesterDomainsBackfill: an older store (no requester_domains) gets
// the domains of its requesters at start, its own agents' excepted.
func TestRequesterDomainsBackfill(t *testing.T) {
	f := sharedDomainFixture(t, nil)
	f.apply(msg("old1", "empleado@example.com", "VPN", "No conecta.")) // unverified: not learned
	f.apply(msg("old2", "agent1@example.com", "Prueba", "Un agente como solicitante."))
	f.drain()
	if err := f.store.db.Update(func(tx *bolt.Tx) error { return tx.DeleteBucket(bucketRequesterDomains) }); err != nil {
		t.Fatal(err)
	}
	svc, err := NewService(f.store, f.svc.opts)
	if err != nil {
		t.Fatal(err)
	}
	f.svc = svc
	f.apply(domainPass(msg("a1", "agent1@example.com", "Re: [Soporte #1] VPN", "Reinicie.")))
	if m := mailsTo(f.drain(), "reply", "empleado@example.com"); len(m) != 0 {
		t.Fatal("after the backfill a domain pass still verified an agent of a requesters' domain")
	}
	f.store.db.View(func(tx *bolt.Tx) error {
		if n := tx.Bucket(bucketRequesterDomains).Stats().KeyN; n != 1 {
			t.Errorf("%d requester domains, want example.com only", n)
		}
		return nil
	})
}
