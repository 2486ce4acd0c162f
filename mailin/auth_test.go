package mailin

import (
	"context"
	"errors"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapserver"
	"github.com/emersion/go-imap/v2/imapserver/imapmemserver"
	"github.com/emersion/go-sasl"

	"github.com/ticketd/ticketd/mailauth"
)

// oauthSession is an in-memory IMAP session that logs in with XOAUTH2 or
// OAUTHBEARER when the bearer token is the server's current one.
type oauthSession struct {
	hookSession
	valid *atomic.Value // string: the token the server accepts
}

func (s *oauthSession) AuthenticateMechanisms() []string { return []string{"XOAUTH2", "OAUTHBEARER"} }

func (s *oauthSession) Authenticate(mech string) (sasl.Server, error) {
	check := func(user, token string) error {
		if !strings.EqualFold(user, testUser) || token != s.valid.Load().(string) {
			return errors.New("invalid credentials")
		}
		s.UserSession = imapmemserver.NewUserSession(s.user)
		return nil
	}
	switch mech {
	case "XOAUTH2":
		return &xoauth2Server{check: check}, nil
	case "OAUTHBEARER":
		return sasl.NewOAuthBearerServer(func(o sasl.OAuthBearerOptions) *sasl.OAuthBearerError {
			if check(o.Username, o.Token) != nil {
				return &sasl.OAuthBearerError{Status: "invalid_token"}
			}
			return nil
		}), nil
	}
	return nil, errors.New("unsupported mechanism")
}

// xoauth2Server is the server side of XOAUTH2, as Gmail plays it: an
// error challenge, then failure after the client's empty response.
type xoauth2Server struct {
	check  func(user, token string) error
	failed bool
}

func (x *xoauth2Server) Next(resp []byte) ([]byte, bool, error) {
	if x.failed {
		return nil, true, errors.New("authentication failed")
	}
	if resp == nil {
		return []byte{}, false, nil
	}
	user, token := mailauth.ParseXOAUTH2(resp)
	if err := x.check(user, token); err != nil {
		x.failed = true
		return []byte(`{"status":"401","schemes":"bearer"}`), false, nil
	}
	return nil, true, nil
}

func startOAuthServer(t *testing.T, valid *atomic.Value) *testServer {
	t.Helper()
	caps := imap.CapSet{imap.CapIMAP4rev1: {}, imap.CapMove: {}, imap.CapUIDPlus: {}, imap.CapSASLIR: {}}
	return serveMem(t, caps, func(user *imapmemserver.User) imapserver.Session {
		return &oauthSession{hookSession: hookSession{user: user}, valid: valid}
	})
}

// TestOAuthLoginAndAlertOncePerStreak logs in with each OAuth mechanism;
// then the token expires: every pass fails as an auth failure, but the
// admin is alerted once per streak.
func TestOAuthLoginAndAlertOncePerStreak(t *testing.T) {
	for _, mech := range []string{mailauth.XOAuth2, mailauth.OAuthBearer} {
		t.Run(mech, func(t *testing.T) {
			var valid atomic.Value
			valid.Store("tok-1")
			srv := startOAuthServer(t, &valid)
			var (
				mu     sync.Mutex
				token  = "tok-1"
				alerts []error
			)
			opts := testOptions(srv.addr)
			opts.Password = ""
			opts.Auth = mech
			opts.Token = func(context.Context) (string, error) {
				mu.Lock()
				defer mu.Unlock()
				return token, nil
			}
			opts.OnAuthFailure = func(err error) {
				mu.Lock()
				defer mu.Unlock()
				alerts = append(alerts, err)
			}
			recovered := 0
			opts.OnAuthRecovered = func() {
				mu.Lock()
				defer mu.Unlock()
				recovered++
			}
			app := &fakeApplier{}
			p := NewPoller(opts, app, nil)
			srv.deliver(t, testMail(1))
			if st, err := p.Poll(context.Background()); err != nil || st.Applied != 1 {
				t.Fatalf("poll with a valid token: %+v %v", st, err)
			}
			valid.Store("tok-2") // the provider expired tok-1
			for range 3 {
				_, err := p.Poll(context.Background())
				if !mailauth.IsFailure(err) {
					t.Fatalf("poll with an expired token: %v, want an auth failure", err)
				}
			}
			mu.Lock()
			if len(alerts) != 1 {
				t.Fatalf("%d alerts for one failure streak, want 1", len(alerts))
			}
			token = "tok-2" // the token command gets a fresh one
			mu.Unlock()
			if _, err := p.Poll(context.Background()); err != nil {
				t.Fatalf("poll with the new token: %v", err)
			}
			valid.Store("tok-3")
			p.Poll(context.Background())
			mu.Lock()
			defer mu.Unlock()
			if len(alerts) != 2 || recovered != 1 {
				t.Fatalf("%d alerts and %d recoveries after two streaks, want 2 and 1", len(alerts), recovered)
			}
			if strings.Contains(alerts[0].Error(), "tok-") {
				t.Errorf("the alert shows the token: %v", alerts[0])
			}
		})
	}
}

func TestPasswordRefusalIsAnAuthFailure(t *testing.T) {
	srv := startServer(t, withMove())
	opts := testOptions(srv.addr)
	opts.Password = "wrong"
	calls := 0
	opts.OnAuthFailure = func(error) { calls++ }
	p := NewPoller(opts, &fakeApplier{}, nil)
	for range 2 {
		if _, err := p.Poll(context.Background()); !mailauth.IsFailure(err) {
			t.Fatalf("wrong password: %v, want an auth failure", err)
		}
	}
	if calls != 1 {
		t.Fatalf("%d alerts, want 1", calls)
	}
	// A server that is down is not an auth failure.
	opts.Address = "127.0.0.1:1"
	if _, err := NewPoller(opts, &fakeApplier{}, nil).Poll(context.Background()); err == nil || mailauth.IsFailure(err) {
		t.Fatalf("unreachable server: %v", err)
	}
}
