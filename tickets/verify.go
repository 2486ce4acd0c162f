package tickets

import (
	"slices"
	"strings"

	bolt "go.etcd.io/bbolt"
)

// Who wrote a mail. mailin reports what the organisation's MX proved
// (Inbound.SenderVerified: the From domain; Inbound.AuthLogin: the SMTP
// AUTH login); this file decides what that proves for whom.
//
//   - An agent or vendor address is verified by a login that is the
//     address itself or one of Options.AgentLogins for it, or by a domain
//     pass when its domain is single-sender: only the owner of an address
//     can send as it there. A domain is single-sender when listed in
//     Options.SingleSenderDomains; with that list nil, when no requester
//     has verifiably written from it (bucket requester_domains): a desk whose requesters
//     share the agents' domain (an internal desk) needs logins.
//   - A requester is verified by a domain pass or a login equal to their
//     address: the requester side only needs "not forged from outside".

// deskMemberVerified reports whether m proves it was written by addr, an
// agent's or a vendor's address.
func (a *applier) deskMemberVerified(m *Inbound, addr string) bool {
	if login := m.AuthLogin; login != "" && (login == addr || slices.Contains(a.s.opts.AgentLogins[addr], login)) {
		return true
	}
	return m.SenderVerified && a.singleSender(domainOf(addr))
}

// requesterVerified reports whether m proves it came from addr's domain.
func requesterVerified(m *Inbound, addr string) bool {
	return m.SenderVerified || (m.AuthLogin != "" && m.AuthLogin == addr)
}

// singleSender reports whether a domain pass for domain names its person.
func (a *applier) singleSender(domain string) bool {
	if domain == "" {
		return false
	}
	if list := a.s.opts.SingleSenderDomains; list != nil {
		return slices.Contains(list, domain)
	}
	return !a.isRequesterDomain(domain)
}

// isDeskMember reports whether addr is an agent's or a vendor's.
func (a *applier) isDeskMember(addr string) bool {
	_, _, vendor := a.s.vendorAnywhere(addr)
	return vendor || a.s.isAgentAnywhere(addr)
}

// learnRequesterDomain notes that a requester wrote from m's domain, once
// the MX proved it (forged mail must not turn the agents' domain into a
// shared one). Agents and vendors writing as requesters do not count.
func (a *applier) learnRequesterDomain(m *Inbound, addr string) error {
	d := domainOf(addr)
	if !m.SenderVerified || d == "" || a.isDeskMember(addr) {
		return nil
	}
	return addRequesterDomain(a.tx, d)
}

func domainOf(addr string) string {
	at := strings.LastIndexByte(addr, '@')
	if at < 0 {
		return ""
	}
	return strings.ToLower(addr[at+1:])
}

func (a *applier) isRequesterDomain(domain string) bool {
	return isRequesterDomain(a.tx, domain)
}

// backfillRequesterDomains creates requester_domains from the requester
// index of an older store: their mail was not checked, so this errs on the
// side of asking agents for more proof.
func (s *Service) backfillRequesterDomains() error {
	there := false
	if err := s.store.view(func(tx *bolt.Tx) error {
		there = hasRequesterDomains(tx)
		return nil
	}); err != nil || there {
		return err // no write (a commit, an fsync) at every start
	}
	return s.store.update(func(tx *bolt.Tx) error {
		if hasRequesterDomains(tx) {
			return nil
		}
		if err := createRequesterDomains(tx); err != nil {
			return err
		}
		return forRequesterAddresses(tx, func(addr string) error {
			_, _, vendor := s.vendorAnywhere(addr)
			if d := domainOf(addr); d == "" || vendor || s.isAgentAnywhere(addr) {
				return nil
			}
			return addRequesterDomain(tx, domainOf(addr))
		})
	})
}

// normalizeLogins lower-cases the addresses and logins of AgentLogins.
func normalizeLogins(m map[string][]string) map[string][]string {
	out := make(map[string][]string, len(m))
	for addr, logins := range m {
		for _, l := range logins {
			out[NormalizeEmail(addr)] = append(out[NormalizeEmail(addr)], NormalizeEmail(l))
		}
	}
	return out
}

// normalizeDomains lower-cases domains, keeping nil apart from empty.
func normalizeDomains(ds []string) []string {
	if ds == nil {
		return nil
	}
	out := make([]string, 0, len(ds))
	for _, d := range ds {
		out = append(out, strings.TrimSuffix(NormalizeEmail(d), "."))
	}
	return out
}
