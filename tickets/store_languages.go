// The requester_languages bucket (language.go's memory), inside the
// caller's transaction.

package tickets

import (
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/ticketd/ticketd/templates"
)

// bucketRequesterLanguages remembers each requester's language (address →
// JSON RememberedLanguage). It was added without a schema change: it is
// created by its first write, and a store without it remembers nobody.
var bucketRequesterLanguages = []byte("requester_languages")

// RememberedLanguage is what the desk knows of a requester's language.
type RememberedLanguage struct {
	Language templates.Language `json:"language"`
	// SetBy is the agent who set it with #language; "" when it was
	// detected from the requester's mail. An agent's choice is kept:
	// detection never overrides it.
	SetBy string    `json:"set_by,omitempty"`
	At    time.Time `json:"at"`
}

// rememberedLanguage returns the language remembered for addr.
func rememberedLanguage(tx *bolt.Tx, addr string) (RememberedLanguage, bool) {
	b := tx.Bucket(bucketRequesterLanguages)
	if b == nil {
		return RememberedLanguage{}, false
	}
	v := b.Get([]byte(addr))
	if v == nil {
		return RememberedLanguage{}, false
	}
	var r RememberedLanguage
	if err := decodeValue(v, &r); err != nil || r.Language == "" {
		return RememberedLanguage{}, false // unreadable: as if unknown, rewritten by the next decision
	}
	return r, true
}

// rememberLanguage records r for addr, unless it is what is there already
// (a Put rewrites its page at the commit).
func rememberLanguage(tx *bolt.Tx, addr string, r RememberedLanguage) error {
	if old, ok := rememberedLanguage(tx, addr); ok && old.Language == r.Language && old.SetBy == r.SetBy {
		return nil
	}
	return putLanguage(tx, addr, r)
}

// putLanguage records r for addr, for callers that already know it
// differs from what is there.
func putLanguage(tx *bolt.Tx, addr string, r RememberedLanguage) error {
	b, err := tx.CreateBucketIfNotExists(bucketRequesterLanguages)
	if err != nil {
		return fmt.Errorf("requester languages: %w", err)
	}
	v, err := encodeValue(r)
	if err != nil {
		return err
	}
	return b.Put([]byte(addr), v)
}

// RequesterLanguage returns the language remembered for a requester's
// address (admin views, tests).
func (s *Store) RequesterLanguage(addr string) (RememberedLanguage, bool, error) {
	var r RememberedLanguage
	var ok bool
	err := s.view(func(tx *bolt.Tx) error {
		r, ok = rememberedLanguage(tx, NormalizeEmail(addr))
		return nil
	})
	return r, ok, err
}
