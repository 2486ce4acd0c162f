package testcert

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"net"
	"os"
	"testing"
	"time"
)

func TestCertVerifiesForLoopback(t *testing.T) {
	c := New(t)
	for _, f := range []string{c.CAFile, c.CertFile, c.KeyFile} {
		if _, err := os.Stat(f); err != nil {
			t.Fatal(err)
		}
	}
	// The files are what a server loads.
	pair, err := tls.LoadX509KeyPair(c.CertFile, c.KeyFile)
	if err != nil {
		t.Fatal(err)
	}
	leaf, err := x509.ParseCertificate(pair.Certificate[0])
	if err != nil {
		t.Fatal(err)
	}
	fromFile := x509.NewCertPool()
	caPEM, _ := os.ReadFile(c.CAFile)
	if !fromFile.AppendCertsFromPEM(caPEM) {
		t.Fatal("CAFile holds no certificate")
	}
	for _, name := range []string{"127.0.0.1", "::1", "localhost"} {
		if _, err := leaf.Verify(x509.VerifyOptions{DNSName: name, Roots: fromFile}); err != nil {
			t.Errorf("verify for %s: %v", name, err)
		}
	}
	// A second CA does not trust the first one's certificate.
	other := New(t)
	var unknown x509.UnknownAuthorityError
	if _, err := leaf.Verify(x509.VerifyOptions{DNSName: "127.0.0.1", Roots: other.Pool}); !errors.As(err, &unknown) {
		t.Errorf("verify with another CA: %v, want UnknownAuthorityError", err)
	}
}

func TestHandshake(t *testing.T) {
	c := New(t)
	ln, err := tls.Listen("tcp", "127.0.0.1:0", c.ServerConfig())
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		conn, err := ln.Accept()
		if err != nil {
			return
		}
		defer conn.Close()
		_ = conn.SetDeadline(time.Now().Add(5 * time.Second))
		_ = conn.(*tls.Conn).Handshake()
	}()
	d := &tls.Dialer{NetDialer: &net.Dialer{Timeout: 5 * time.Second}, Config: c.ClientConfig()}
	conn, err := d.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatalf("handshake: %v", err)
	}
	conn.Close()
}
