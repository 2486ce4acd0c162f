package main

import (
	"strings"
)

// checkSecurityIdentities validates [security] agent_logins and
// single_sender_domains: what proves an agent's or a vendor's mail is
// theirs besides a login equal to their address.
func checkSecurityIdentities(cfg *Config, logins map[string][]string, domains *[]string, bad badFunc) {
	if len(logins) > 0 {
		cfg.AgentLogins = map[string][]string{}
	}
	for addr, ls := range logins {
		a := strings.ToLower(strings.TrimSpace(addr))
		if cfg.Policy != nil {
			if _, vendor := cfg.Policy.VendorTier(a); !vendor && !cfg.Policy.IsAgent(a) {
				bad("security.agent_logins", "%q is not an agent's or a vendor's address", addr)
				continue
			}
		}
		for _, l := range ls {
			if strings.TrimSpace(l) == "" {
				bad("security.agent_logins", "%q has an empty login", addr)
				continue
			}
			cfg.AgentLogins[a] = append(cfg.AgentLogins[a], strings.ToLower(strings.TrimSpace(l)))
		}
	}
	if domains == nil {
		return // learned: see tickets.Options.SingleSenderDomains
	}
	cfg.SingleSenderDomains = []string{}
	for _, d := range *domains {
		d = strings.TrimSuffix(strings.ToLower(strings.TrimSpace(d)), ".")
		if d == "" || strings.ContainsAny(d, "@ \t") {
			bad("security.single_sender_domains", "%q is not a domain name", d)
			continue
		}
		cfg.SingleSenderDomains = append(cfg.SingleSenderDomains, d)
	}
	if (len(logins) > 0 || len(cfg.SingleSenderDomains) > 0) && cfg.IMAP.TrustedAuthservID == "" {
		bad("security", "agent_logins and single_sender_domains need trusted_authserv_id")
	}
}
