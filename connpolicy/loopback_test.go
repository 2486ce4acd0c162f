package connpolicy

import "testing"

func TestIsLoopback(t *testing.T) {
	tests := []struct {
		host string
		want bool
	}{
		// This machine, by rule.
		{"127.0.0.1", true},
		{"127.1.2.3", true},
		{"127.255.255.255", true},
		{"::1", true},
		{"[::1]", true},
		{"0:0:0:0:0:0:0:1", true},
		{"localhost", true},
		{"LocalHost", true},
		{"localhost.", true},
		{"LOCALHOST.", true},

		// Elsewhere, or not sure.
		{"", false},
		{"192.0.2.10", false},
		{"10.0.0.1", false},
		{"0.0.0.0", false},
		{"::", false},
		{"2001:db8::1", false},
		{"[2001:db8::1]", false},
		{"128.0.0.1", false},
		{"imap.example.com", false},
		{"foo.localhost", false},       // RFC 6761, but the resolver may ask DNS
		{"imap.localhost.", false},     // the same, fully qualified
		{"localhost.evil.test", false}, // a name that starts like localhost
		{"localhost.example.com", false},
		{"127.0.0.1.evil.test", false}, // a name that starts like 127.0.0.1
		{"127.0.0.1.", false},
		{"evil.test", false},
		{"localhostx", false},
		{"xlocalhost", false},
		{"[::1]:25", false}, // host:port, not a host
		{"127.0.0.1:25", false},
		{"[127.0.0.1]", false}, // brackets are for IPv6
		{"[localhost]", false},
		{"[::1", false},
		{"::1]", false},
		{"127.1", false},  // inet_aton shorthand
		{"0x7f.1", false}, // inet_aton hexadecimal
		{"0x7f000001", false},
		{"2130706433", false}, // 127.0.0.1 as one number
		{"0177.0.0.1", false}, // octal
		{"127.000.000.001", false},
		{"::ffff:127.0.0.1", false}, // IPv4-mapped
		{"[::ffff:127.0.0.1]", false},
		{"::ffff:7f00:1", false},
		{"::1%lo", false}, // zone
		{"[::1%25lo]", false},
		{"127.0.0.1%lo", false},
		{" 127.0.0.1", false},
		{"127.0.0.1 ", false},
		{"localhost ", false},
		{"127.0.0.1\x00", false},
		{"localhost\x00.evil.test", false},
	}
	for _, tt := range tests {
		if got := IsLoopback(tt.host); got != tt.want {
			t.Errorf("IsLoopback(%q) = %v, want %v", tt.host, got, tt.want)
		}
	}
}
