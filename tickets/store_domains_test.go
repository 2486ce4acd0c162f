package tickets

import (
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
)

// A requester domain learnt is known at once, in the same transaction (a
// later mail of the same Apply batch), and learning it again writes nothing.
func TestRequesterDomainSameTx(t *testing.T) {
	s, err := Open(t.TempDir(), time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	err = s.db.Update(func(tx *bolt.Tx) error {
		if err := addRequesterDomain(tx, "client.test"); err != nil {
			return err
		}
		if !isRequesterDomain(tx, "client.test") {
			t.Error("domain not seen in the transaction that learnt it")
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	s.view(func(tx *bolt.Tx) error {
		if !isRequesterDomain(tx, "client.test") || isRequesterDomain(tx, "other.test") {
			t.Error("requester domains wrong after commit")
		}
		return nil
	})
}
