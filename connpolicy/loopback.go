package connpolicy

import (
	"net"
	"net/netip"
	"strings"
)

// IsLoopback reports whether host, as net.SplitHostPort returns it (an
// IPv6 literal may keep its brackets), names this machine. It decides from
// the text alone, without a DNS lookup, and accepts only:
//
//   - an IPv4 address in 127.0.0.0/8 written as four decimal numbers
//     ("127.0.0.1", "127.1.2.3");
//   - the IPv6 loopback ::1, bare or in brackets ("[::1]");
//   - "localhost" (any case, with or without the root's trailing dot):
//     /etc/hosts maps it on every system ticketd supports, and RFC 6761
//     §6.3 reserves it. Should a resolver still send it elsewhere,
//     Security.CheckPeer refuses the connection before anything is sent.
//
// Everything else is refused, in particular:
//
//   - names under localhost ("foo.localhost"): RFC 6761 says they are
//     loopback, but glibc and Go's resolver pass them to the configured DNS
//     server, which may answer any address;
//   - names that merely start with a loopback spelling
//     ("127.0.0.1.evil.test", "localhost.evil.test");
//   - the short and hexadecimal IPv4 forms inet_aton accepts ("127.1",
//     "0x7f.1", "2130706433") and leading zeros: what they mean depends on
//     the library that reads them;
//   - IPv4-mapped IPv6 addresses ("::ffff:127.0.0.1"), which reach 127.0.0.1
//     only on dual-stack sockets, and addresses with a zone ("::1%lo");
//   - a host with a port ("[::1]:25", "127.0.0.1:25"): split it first.
func IsLoopback(host string) bool {
	h := strings.ToLower(host)
	if h == "localhost" || h == "localhost." {
		return true
	}
	bracketed := strings.HasPrefix(h, "[") && strings.HasSuffix(h, "]")
	if bracketed {
		h = h[1 : len(h)-1]
	}
	ip, err := netip.ParseAddr(h)
	if err != nil || ip.Zone() != "" || ip.Is4In6() || (bracketed && !ip.Is6()) {
		return false
	}
	return ip.IsLoopback()
}

// isLoopbackPeer reports whether a connected peer's address is a loopback
// address. Here an IPv4-mapped address is unmapped: it is what the kernel
// reports for an IPv4 peer on a dual-stack socket.
func isLoopbackPeer(a net.Addr) bool {
	tcp, ok := a.(*net.TCPAddr)
	if !ok || tcp == nil {
		return false
	}
	ip, ok := netip.AddrFromSlice(tcp.IP)
	return ok && ip.Unmap().IsLoopback()
}
