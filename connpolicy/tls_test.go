package connpolicy

import (
	"crypto/tls"
	"crypto/x509"
	"testing"
)

func TestClientTLS(t *testing.T) {
	c := ClientTLS(nil, "imap.example.com")
	if c.ServerName != "imap.example.com" || c.MinVersion != tls.VersionTLS12 || c.InsecureSkipVerify {
		t.Errorf("defaults: ServerName %q, MinVersion %x, InsecureSkipVerify %v", c.ServerName, c.MinVersion, c.InsecureSkipVerify)
	}

	pool := x509.NewCertPool()
	base := &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS10}
	c = ClientTLS(base, "127.0.0.1")
	if c == base || base.ServerName != "" || base.MinVersion != tls.VersionTLS10 {
		t.Error("the caller's configuration was modified")
	}
	if c.RootCAs != pool || c.ServerName != "127.0.0.1" || c.MinVersion != tls.VersionTLS12 {
		t.Errorf("from a base: RootCAs kept %v, ServerName %q, MinVersion %x", c.RootCAs == pool, c.ServerName, c.MinVersion)
	}

	named := &tls.Config{ServerName: "mail.example.com", MinVersion: tls.VersionTLS13}
	if c := ClientTLS(named, "192.0.2.1"); c.ServerName != "mail.example.com" || c.MinVersion != tls.VersionTLS13 {
		t.Errorf("an explicit ServerName or a higher minimum was overridden: %q %x", c.ServerName, c.MinVersion)
	}
}
