package connpolicy

import (
	"net"
	"strings"
	"testing"
)

func TestParseSecurity(t *testing.T) {
	for in, want := range map[string]Security{"tls": TLS, "TLS": TLS, "starttls": STARTTLS, "StartTLS": STARTTLS, "none": None} {
		if got, err := ParseSecurity(in); err != nil || got != want {
			t.Errorf("ParseSecurity(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, in := range []string{"", "ssl", "plain", "tls ", "starttls\x00"} {
		if got, err := ParseSecurity(in); err == nil || !strings.Contains(err.Error(), "not one of tls, starttls, none") {
			t.Errorf("ParseSecurity(%q) = %q, %v; want an error naming the modes", in, got, err)
		}
	}
}

func TestSecurityCheck(t *testing.T) {
	tests := []struct {
		sec  Security
		host string
		ok   bool
	}{
		{TLS, "imap.example.com", true},
		{STARTTLS, "smtp.example.com", true},
		{None, "127.0.0.1", true},
		{None, "::1", true},
		{None, "localhost", true},
		{None, "smtp.example.com", false},
		{None, "192.0.2.1", false},
		{None, "foo.localhost", false},
		{None, "127.0.0.1.evil.test", false},
		{None, "", false},
		{"ssl", "127.0.0.1", false},
		{"", "127.0.0.1", false},
		{"TLS", "imap.example.com", false}, // ParseSecurity normalises; Check takes the constants
	}
	for _, tt := range tests {
		err := tt.sec.Check(tt.host)
		if (err == nil) != tt.ok {
			t.Errorf("Security(%q).Check(%q) = %v, want ok=%v", tt.sec, tt.host, err, tt.ok)
		}
		if err != nil && tt.sec == None && !strings.Contains(err.Error(), "loopback") {
			t.Errorf("Security none to %q: error %q does not say loopback", tt.host, err)
		}
	}
}

func TestCheckPeer(t *testing.T) {
	tests := []struct {
		sec    Security
		remote net.Addr
		ok     bool
	}{
		{None, &net.TCPAddr{IP: net.ParseIP("127.0.0.1"), Port: 25}, true},
		{None, &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1).To4(), Port: 25}, true},
		{None, &net.TCPAddr{IP: net.ParseIP("::1"), Port: 25}, true},
		// What a dual-stack socket reports for an IPv4 peer.
		{None, &net.TCPAddr{IP: net.ParseIP("::ffff:127.0.0.1"), Port: 25}, true},
		// "localhost" that a resolver sent elsewhere.
		{None, &net.TCPAddr{IP: net.ParseIP("192.0.2.7"), Port: 25}, false},
		{None, &net.TCPAddr{IP: net.ParseIP("::ffff:192.0.2.7"), Port: 25}, false},
		{None, &net.TCPAddr{}, false},
		{None, (*net.TCPAddr)(nil), false},
		{None, &net.UnixAddr{Name: "/tmp/x", Net: "unix"}, false},
		{None, nil, false},
		// Encrypted modes do not care where the server is.
		{TLS, &net.TCPAddr{IP: net.ParseIP("192.0.2.7"), Port: 465}, true},
		{STARTTLS, &net.TCPAddr{IP: net.ParseIP("192.0.2.7"), Port: 587}, true},
	}
	for _, tt := range tests {
		if err := tt.sec.CheckPeer(tt.remote); (err == nil) != tt.ok {
			t.Errorf("Security(%q).CheckPeer(%v) = %v, want ok=%v", tt.sec, tt.remote, err, tt.ok)
		}
	}
}

// TestCheckPeerOnARealConnection checks the address a real loopback
// connection reports, as mailin and mailout pass it.
func TestCheckPeerOnARealConnection(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		if c, err := ln.Accept(); err == nil {
			c.Close()
		}
	}()
	c, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := None.CheckPeer(c.RemoteAddr()); err != nil {
		t.Errorf("CheckPeer(%v) = %v", c.RemoteAddr(), err)
	}
}
