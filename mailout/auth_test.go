package mailout

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ticketd/ticketd/internal/testkit/smtptest"
	"github.com/ticketd/ticketd/mailauth"
)

// TestOAuthSubmission sends through a server that takes XOAUTH2 and
// OAUTHBEARER; when the token stops working, the mail waits (retry) and
// the admin is alerted once for the streak.
func TestOAuthSubmission(t *testing.T) {
	for _, mech := range []string{mailauth.XOAuth2, mailauth.OAuthBearer} {
		t.Run(mech, func(t *testing.T) {
			var valid atomic.Value
			valid.Store("tok-1")
			srv := smtptest.StartWith(t, smtptest.Options{RequireAuth: true, Username: "soporte@example.com",
				OAuthToken: func() string { return valid.Load().(string) }})
			var (
				mu     sync.Mutex
				alerts int
			)
			q := newQueue()
			s, err := NewSender(Options{
				Address: srv.Addr(), Security: "none", Username: "soporte@example.com", Auth: mech,
				Token:         func(context.Context) (string, error) { return "tok-1", nil },
				OnAuthFailure: func(error) { mu.Lock(); alerts++; mu.Unlock() },
				Now:           func() time.Time { return queued },
			}, q, nil)
			if err != nil {
				t.Fatal(err)
			}
			q.add(queued)
			if st, err := s.Drain(context.Background()); err != nil || st.Sent != 1 {
				t.Fatalf("drain with a valid token: %+v %v", st, err)
			}
			if m := srv.Messages(); len(m) != 1 || m[0].Username != "soporte@example.com" {
				t.Fatalf("server got %+v", m)
			}
			valid.Store("tok-2")
			for range 2 {
				q.add(queued)
				if st, err := s.Drain(context.Background()); err != nil || st.Retried != 1 || st.Sent != 0 {
					t.Fatalf("drain with an expired token: %+v %v, want the mail kept for a retry", st, err)
				}
			}
			mu.Lock()
			defer mu.Unlock()
			if alerts != 1 {
				t.Fatalf("%d alerts, want 1 per failure streak", alerts)
			}
		})
	}
}
