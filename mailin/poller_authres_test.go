package mailin

import (
	"os"
	"path/filepath"
	"testing"
)

// trustedID is the authserv-id mailparse/testdata/authres-verified.eml was
// stamped with by the trusted MX.
const trustedID = "mx.corp.example"

// readEML reads a message from the parser's testdata.
func readEML(t testing.TB, name string) []byte {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("mailparse", "testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

func TestPollPassesTrustedAuthservID(t *testing.T) {
	srv := startServer(t, withMove())
	srv.deliver(t, string(readEML(t, "authres-verified.eml")))
	app := &fakeApplier{}
	opts := testOptions(srv.addr)
	opts.TrustedAuthservID = trustedID
	if _, err := NewPoller(opts, app, testLogger(t)).Poll(testContext(t)); err != nil {
		t.Fatal(err)
	}
	app.mu.Lock()
	defer app.mu.Unlock()
	if len(app.calls) != 1 || len(app.calls[0]) != 1 || !app.calls[0][0].SenderVerified {
		t.Errorf("applied %+v, want one SenderVerified message", app.calls)
	}
}
