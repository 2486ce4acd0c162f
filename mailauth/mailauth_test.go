package mailauth

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"
)

func TestXOAuth2InitialResponse(t *testing.T) {
	c, err := NewClient("XOAUTH2", "soporte@example.com", "ya29.tok")
	if err != nil {
		t.Fatal(err)
	}
	mech, ir, err := c.Start()
	if err != nil || mech != "XOAUTH2" || string(ir) != "user=soporte@example.com\x01auth=Bearer ya29.tok\x01\x01" {
		t.Fatalf("Start: %q %q %v", mech, ir, err)
	}
	if resp, err := c.Next([]byte(`{"status":"401"}`)); err != nil || len(resp) != 0 {
		t.Fatalf("Next on the error challenge: %q %v, want an empty response", resp, err)
	}
	b, _ := NewClient("oauthbearer", "soporte@example.com", "tok")
	if mech, ir, _ := b.Start(); mech != "OAUTHBEARER" || !strings.Contains(string(ir), "auth=Bearer tok") {
		t.Fatalf("OAUTHBEARER: %q %q", mech, ir)
	}
	if _, err := NewClient("password", "u", "p"); err == nil {
		t.Fatal("NewClient accepted a password method")
	}
}

func TestTokenCommand(t *testing.T) {
	ctx := context.Background()
	tok, err := TokenCommand([]string{"sh", "-c", "printf '  ya29.a0AfH6  \\n'"}, time.Second)(ctx)
	if err != nil || tok != "ya29.a0AfH6" {
		t.Fatalf("token %q, %v", tok, err)
	}
	_, err = TokenCommand([]string{"sh", "-c", "echo refresh token revoked >&2; exit 3"}, time.Second)(ctx)
	if err == nil || !strings.Contains(err.Error(), "refresh token revoked") {
		t.Fatalf("failing command: %v", err)
	}
	if _, err := TokenCommand([]string{"sh", "-c", "true"}, time.Second)(ctx); err == nil {
		t.Fatal("empty output accepted")
	}
	start := time.Now()
	if _, err := TokenCommand([]string{"sleep", "10"}, 200*time.Millisecond)(ctx); err == nil || time.Since(start) > 5*time.Second {
		t.Fatalf("slow command: %v after %s", err, time.Since(start))
	}
	wrapped := fmt.Errorf("imap login: %w", &Error{Err: errors.New("NO [AUTHENTICATIONFAILED]")})
	if !IsFailure(wrapped) || IsFailure(errors.New("connection reset")) {
		t.Fatal("IsFailure")
	}
}

// TestOAuthClientTokenFailure: a token that cannot be obtained is a
// refused login (an admin must act), not a network error to retry quietly.
func TestOAuthClientTokenFailure(t *testing.T) {
	ctx := context.Background()
	if _, err := OAuthClient(ctx, XOAuth2, "soporte@example.com", nil); !IsFailure(err) {
		t.Errorf("no token source: err = %v, want an *Error", err)
	}
	boom := errors.New("token command failed")
	_, err := OAuthClient(ctx, OAuthBearer, "soporte@example.com", func(context.Context) (string, error) { return "", boom })
	if !IsFailure(err) || !errors.Is(err, boom) {
		t.Errorf("token error: err = %v, want an *Error wrapping %v", err, boom)
	}
	c, err := OAuthClient(ctx, XOAuth2, "soporte@example.com", func(context.Context) (string, error) { return "ya29.tok", nil })
	if err != nil {
		t.Fatal(err)
	}
	if mech, _, _ := c.Start(); mech != "XOAUTH2" {
		t.Errorf("mechanism = %q, want XOAUTH2", mech)
	}
}
