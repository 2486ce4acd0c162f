// The requester_domains bucket (verify.go's rules), inside the caller's
// transaction.

package tickets

import (
	"bytes"

	bolt "go.etcd.io/bbolt"
)

// bucketRequesterDomains holds the domains requesters verifiably wrote
// from (domain → ""). It was added without a schema change: a store
// without it gets it at start, filled from the requester index.
var bucketRequesterDomains = []byte("requester_domains")

// addRequesterDomain records that a requester verifiably wrote from d.
func addRequesterDomain(tx *bolt.Tx, d string) error {
	b, err := tx.CreateBucketIfNotExists(bucketRequesterDomains)
	if err != nil {
		return err
	}
	return b.Put([]byte(d), nil)
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
