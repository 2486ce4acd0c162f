package connpolicy

import "crypto/tls"

// ClientTLS returns the TLS configuration for connecting to host: a copy
// of base (nil: the defaults) with ServerName set to host when base has
// none, so the certificate is checked against the configured host, and
// TLS 1.2 at least.
func ClientTLS(base *tls.Config, host string) *tls.Config {
	c := base.Clone()
	if c == nil {
		c = &tls.Config{}
	}
	if c.ServerName == "" {
		c.ServerName = host
	}
	c.MinVersion = max(c.MinVersion, tls.VersionTLS12)
	return c
}
