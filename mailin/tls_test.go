package mailin

import (
	"crypto/tls"
	"crypto/x509"
	"io"
	"log"
	"net"
	"testing"

	"github.com/emersion/go-imap/v2/imapserver"
	"github.com/emersion/go-imap/v2/imapserver/imapmemserver"

	"github.com/ticketd/ticketd/connpolicy"
	"github.com/ticketd/ticketd/internal/testkit/testcert"
)

// startTLSServer starts imapmemserver with implicit TLS or STARTTLS and
// without InsecureAuth: logging in requires TLS.
func startTLSServer(t *testing.T, implicit bool) (*testServer, *x509.CertPool) {
	t.Helper()
	cert := testcert.New(t)
	pool, serverTLS := cert.Pool, cert.ServerConfig()
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
		security connpolicy.Security
		implicit bool
	}{{connpolicy.TLS, true}, {connpolicy.STARTTLS, false}} {
		t.Run(string(tt.security), func(t *testing.T) {
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
