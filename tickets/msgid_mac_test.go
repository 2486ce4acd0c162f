package tickets

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"sync"
	"testing"
)

// msgIDMACReference is the signature as it was computed with a new HMAC
// per call: appendMsgIDMAC is held equal to it.
func msgIDMACReference(secret []byte, body, domain string) string {
	m := hmac.New(sha256.New, secret)
	m.Write([]byte(strings.ToLower(domain)))
	m.Write([]byte{0})
	m.Write([]byte(body))
	return hex.EncodeToString(m.Sum(nil))[:macLen]
}

// TestMsgIDMAC: the pooled HMAC signs as a new one does, whatever secret
// the state last taken from the pool had, and a signed id verifies.
func TestMsgIDMAC(t *testing.T) {
	secrets := [][]byte{[]byte("one secret"), []byte("another, longer secret than the first one, past a block of sha256 .........")}
	bodies := []string{"", "ticketd.1.2.0123456789ab", strings.Repeat("x", 300)}
	domains := []string{"example.com", "Example.COM", "ÉXAMPLE.es", ""}
	var wg sync.WaitGroup
	for range 4 { // concurrently: each state is one caller's at a time
		wg.Go(func() {
			for _, secret := range secrets {
				for _, body := range bodies {
					for _, domain := range domains {
						if got, want := string(appendMsgIDMAC(nil, secret, []byte(body), domain)), msgIDMACReference(secret, body, domain); got != want {
							t.Errorf("%q %q %q: %s, want %s", secret, body, domain, got, want)
						}
					}
				}
			}
		})
	}
	wg.Wait()
	for _, secret := range secrets {
		id, err := signedMessageID(secret, 42, 7, "example.com")
		if err != nil {
			t.Fatal(err)
		}
		local, _, _ := strings.Cut(id, "@")
		i := strings.LastIndexByte(local, '.')
		if want := msgIDMACReference(secret, local[:i], "example.com"); local[i+1:] != want {
			t.Errorf("%s: signature %s, want %s", id, local[i+1:], want)
		}
		if ticket, ok := verifyMessageID(secret, id, "example.com"); !ok || ticket != 42 {
			t.Errorf("%s: verified as %d, %v", id, ticket, ok)
		}
		if _, ok := verifyMessageID(secrets[0], strings.Replace(id, ".42.", ".43.", 1), "example.com"); ok {
			t.Errorf("%s with another ticket verified", id)
		}
	}
}
