// The requester_domains bucket (verify.go's rules), inside the caller's
// transaction.

package tickets

import (
	"bytes"

	bolt "go.etcd.io/bbolt"
)

// bucketRequesterDomains holds the domains requesters verifiably wrote
// from (domain → empty value). It was added without a schema change: a store
// without it gets it at start, filled from the requester index.
var bucketRequesterDomains = []byte("requester_domains")

// addRequesterDomain records that a requester verifiably wrote from d.
// A domain already there is left alone: it is learnt from every verified
// requester mail, and a Put, even of the same key, rewrites its page at
// the commit.
func addRequesterDomain(tx *bolt.Tx, d string) error {
	if isRequesterDomain(tx, d) {
		return nil
	}
	b, err := tx.CreateBucketIfNotExists(bucketRequesterDomains)
	if err != nil {
		return err
	}
	// An empty value, not nil: bbolt's Get returns nil for a nil value put
	// in the same transaction, and a later mail of the same Apply batch
	// must see the domain.
	return b.Put([]byte(d), []byte{})
}

func isRequesterDomain(tx *bolt.Tx, domain string) bool {
	b := tx.Bucket(bucketRequesterDomains)
	return b != nil && b.Get([]byte(domain)) != nil
}

// hasRequesterDomains reports whether the store has requester_domains
// (an older one does not until backfillRequesterDomains ran).
func hasRequesterDomains(tx *bolt.Tx) bool {
	return tx.Bucket(bucketRequesterDomains) != nil
}

// createRequesterDomains creates the empty requester_domains bucket.
func createRequesterDomains(tx *bolt.Tx) error {
	_, err := tx.CreateBucket(bucketRequesterDomains)
	return err
}

// forRequesterAddresses calls f with the address of every entry of the
// requester index (once per ticket), in index order, until f fails.
func forRequesterAddresses(tx *bolt.Tx, f func(addr string) error) error {
	return tx.Bucket(bucketRequesters).ForEach(func(k, _ []byte) error {
		i := bytes.IndexByte(k, 0)
		if i <= 0 {
			return nil
		}
		return f(string(k[:i]))
	})
}
