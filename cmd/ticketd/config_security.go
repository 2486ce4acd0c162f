package main

import (
	"strings"

	"github.com/ticketd/ticketd/tickets"
)

// securityKeys is the [security] section: what proves mail is from whom
// it says.
type securityKeys struct {
	TrustedAuthservID     string              `toml:"trusted_authserv_id"`
	RequireVerifiedAgents *bool               `toml:"require_verified_agents"`
	AgentLogins           map[string][]string `toml:"agent_logins"`
	SingleSenderDomains   *[]string           `toml:"single_sender_domains"`
}

// trustedAuthservID is the authserv-id of the MX's Authentication-Results
// ("" : none is trusted); the poller and the workflow both read it.
func (k securityKeys) trustedAuthservID() string {
	return strings.TrimSpace(k.TrustedAuthservID)
}

// loadSecurity validates [security] into o; o.Policy, when valid, names
// the agents and vendors the identities may belong to.
func loadSecurity(bad badFunc, k securityKeys, o *tickets.Options) {
	trusted := k.trustedAuthservID()
	o.TrustedAuthResults = trusted != ""
	o.RequireVerifiedAgents = trusted != ""
	if k.RequireVerifiedAgents != nil {
		o.RequireVerifiedAgents = *k.RequireVerifiedAgents
	}
	if o.RequireVerifiedAgents && trusted == "" {
		bad("security.require_verified_agents", "needs security.trusted_authserv_id: the authserv-id your mail server writes in Authentication-Results")
	}
	checkSecurityIdentities(o, k.AgentLogins, k.SingleSenderDomains, trusted, bad)
}

// checkSecurityIdentities validates [security] agent_logins and
// single_sender_domains: what proves an agent's or a vendor's mail is
// theirs besides a login equal to their address.
func checkSecurityIdentities(o *tickets.Options, logins map[string][]string, domains *[]string, trusted string, bad badFunc) {
	if len(logins) > 0 {
		o.AgentLogins = map[string][]string{}
	}
	for addr, ls := range logins {
		a := strings.ToLower(strings.TrimSpace(addr))
		if o.Policy != nil {
			if _, vendor := o.Policy.VendorTier(a); !vendor && !o.Policy.IsAgent(a) {
				bad("security.agent_logins", "%q is not an agent's or a vendor's address", addr)
				continue
			}
		}
		for _, l := range ls {
			if strings.TrimSpace(l) == "" {
				bad("security.agent_logins", "%q has an empty login", addr)
				continue
			}
			o.AgentLogins[a] = append(o.AgentLogins[a], strings.ToLower(strings.TrimSpace(l)))
		}
	}
	if domains == nil {
		return // learned: see tickets.Options.SingleSenderDomains
	}
	o.SingleSenderDomains = []string{}
	for _, d := range *domains {
		d = strings.TrimSuffix(strings.ToLower(strings.TrimSpace(d)), ".")
		if d == "" || strings.ContainsAny(d, "@ \t") {
			bad("security.single_sender_domains", "%q is not a domain name", d)
			continue
		}
		o.SingleSenderDomains = append(o.SingleSenderDomains, d)
	}
	if (len(logins) > 0 || len(o.SingleSenderDomains) > 0) && trusted == "" {
		bad("security", "agent_logins and single_sender_domains need trusted_authserv_id")
	}
}
