package mailin

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"io"
	"log"
	"math/big"
	"net"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2/imapserver"
	"github.com/emersion/go-imap/v2/imapserver/imapmemserver"
)

// testCert returns a server certificate for 127.0.0.1 and a pool that
// trusts it.
func testCert(t *testing.T) (tls.Certificate, *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "ticketd test"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(time.Hour),
		IPAddresses:           []net.IP{net.IPv4(127, 0, 0, 1)},
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}, pool
}

// startTLSServer starts imapmemserver with implicit TLS or STARTTLS and
// without InsecureAuth: logging in requires TLS.
func startTLSServer(t *testing.T, implicit bool) (*testServer, *x509.CertPool) {
	t.Helper()
	cert, pool := testCert(t)
	serverTLS := &tls.Config{Certificates: []tls.Certificate{cert}}
	mem := imapmemserver.New()
	user := imapmemserver.NewUser(testUser, testPassword)
	if err := user.Create("INBOX", nil); err != nil {
		t.Fatal(err)
	}
	mem.AddUser(user)
	opts := &imapserver.Options{
		NewSession: func(*imapserver.Conn) (imapserver.Session, *imapserver.GreetingData, error) {
			return mem.NewSession(), nil, nil
		},
		Caps:   withMove(),
		Logger: log.New(io.Discard, "", 0),
	}
	if !implicit {
		opts.TLSConfig = serverTLS
	}
	srv := imapserver.New(opts)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	if implicit {
		ln = tls.NewListener(ln, serverTLS)
	}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	return &testServer{addr: addr, user: user}, pool
}

func TestPollTLS(t *testing.T) {
	for _, tt := range []struct {
		security string
		implicit bool
	}{{SecurityTLS, true}, {SecuritySTARTTLS, false}} {
		t.Run(tt.security, func(t *testing.T) {
			srv, pool := startTLSServer(t, tt.implicit)
			srv.deliver(t, testMail(1))
			opts := testOptions(srv.addr)
			opts.Security = tt.security
			// No ServerName: it must come from Address (an IP SAN here).
			opts.TLSConfig = &tls.Config{RootCAs: pool}
			app := &fakeApplier{}
			st, err := NewPoller(opts, app, testLogger(t)).Poll(testContext(t))
			if err != nil {
				t.Fatal(err)
			}
			if st.Applied != 1 || srv.count(t, testProcessed) != 1 {
				t.Errorf("stats %+v, processed %d", st, srv.count(t, testProcessed))
			}

			// An untrusted certificate is refused.
			opts.TLSConfig = nil
			if _, err := NewPoller(opts, app, testLogger(t)).Poll(testContext(t)); err == nil {
				t.Error("untrusted certificate accepted")
			}
		})
	}
}
