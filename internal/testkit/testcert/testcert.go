// Package testcert makes a throw-away certificate authority and a server
// certificate it signed, for TLS tests on loopback.
//
// The server certificate names 127.0.0.1, ::1 and localhost, so a client
// that dials "127.0.0.1:port" and trusts only the CA verifies it for real:
// no InsecureSkipVerify anywhere. Each call to [New] makes a new CA, so two
// certificates from two calls do not trust each other — what a test of an
// untrusted server needs.
//
// The files are written to the test's t.TempDir: CAFile for a client's
// ca_file setting, CertFile and KeyFile for a server that reads PEM files
// (Dovecot's ssl_cert and ssl_key). The tests of mailout and mailin and the
// other test kits (smtptest, dovecottest) all use it; it depends on the
// standard library only.
package testcert

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// Cert is a test CA and a server certificate it signed.
type Cert struct {
	CAPEM    []byte // the CA certificate, PEM
	CAFile   string // CAPEM as a file: what a client's ca_file names
	CertFile string // the server certificate followed by the CA, PEM
	KeyFile  string // the server's private key, PEM (PKCS #8), mode 0600

	// Pool trusts the CA and nothing else.
	Pool *x509.CertPool
	// Certificate is the server certificate (with the CA in its chain) and
	// its key, ready for tls.Config.Certificates.
	Certificate tls.Certificate
}

// New makes a fresh CA and server certificate, valid from an hour ago for
// a day, and writes them to files in t.TempDir. It fails the test on error.
func New(t testing.TB) *Cert {
	t.Helper()
	c, err := generate(t.TempDir())
	if err != nil {
		t.Fatalf("testcert: %v", err)
	}
	return c
}

// ServerConfig returns a new server configuration presenting the
// certificate.
func (c *Cert) ServerConfig() *tls.Config {
	return &tls.Config{Certificates: []tls.Certificate{c.Certificate}, MinVersion: tls.VersionTLS12}
}

// ClientConfig returns a new client configuration that trusts only the CA.
// ServerName is left empty: clients fill it in from the address they dial.
func (c *Cert) ClientConfig() *tls.Config {
	return &tls.Config{RootCAs: c.Pool, MinVersion: tls.VersionTLS12}
}

func generate(dir string) (*Cert, error) {
	now := time.Now()
	caKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	caSerial := serial()
	caTmpl := &x509.Certificate{
		SerialNumber: caSerial,
		// A name of its own: with two CAs in one test, an error about the
		// wrong one must not look like a bad signature by the right one.
		Subject:               pkix.Name{CommonName: fmt.Sprintf("ticketd test CA %.8s", caSerial.Text(16)), Organization: []string{"ticketd tests"}},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.Add(24 * time.Hour),
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
		BasicConstraintsValid: true,
		IsCA:                  true,
		MaxPathLenZero:        true,
	}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	if err != nil {
		return nil, err
	}
	ca, err := x509.ParseCertificate(caDER)
	if err != nil {
		return nil, err
	}

	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	tmpl := &x509.Certificate{
		SerialNumber: serial(),
		Subject:      pkix.Name{CommonName: "127.0.0.1"},
		NotBefore:    now.Add(-time.Hour),
		NotAfter:     now.Add(24 * time.Hour),
		IPAddresses:  []net.IP{net.IPv4(127, 0, 0, 1), net.IPv6loopback},
		DNSNames:     []string{"localhost"},
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca, &key.PublicKey, caKey)
	if err != nil {
		return nil, err
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return nil, err
	}

	c := &Cert{
		CAPEM:       pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: caDER}),
		CAFile:      filepath.Join(dir, "ca.pem"),
		CertFile:    filepath.Join(dir, "server.pem"),
		KeyFile:     filepath.Join(dir, "server.key"),
		Pool:        x509.NewCertPool(),
		Certificate: tls.Certificate{Certificate: [][]byte{der, caDER}, PrivateKey: key},
	}
	c.Pool.AddCert(ca)
	chain := append(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), c.CAPEM...)
	keyPEM := pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER})
	for _, f := range []struct {
		path string
		data []byte
		mode os.FileMode
	}{
		{c.CAFile, c.CAPEM, 0o644},
		{c.CertFile, chain, 0o644},
		{c.KeyFile, keyPEM, 0o600},
	} {
		if err := os.WriteFile(f.path, f.data, f.mode); err != nil {
			return nil, err
		}
	}
	return c, nil
}

// serial returns a random 128-bit serial number (RFC 5280 §4.1.2.2 allows
// up to 20 octets; random ones keep two CAs from ever looking alike).
func serial() *big.Int {
	n, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 128))
	if err != nil {
		return big.NewInt(time.Now().UnixNano())
	}
	return n
}
