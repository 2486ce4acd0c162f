// The blocked_senders bucket (spam.go's block list), inside the caller's
// transaction.

package tickets

import (
	"encoding/json"
	"time"

	bolt "go.etcd.io/bbolt"
)

// bucketBlockedSenders holds the addresses #spam blocked (address → JSON
// BlockedSender). It was added without a schema change: it is created at
// the first block, and a store without it blocks nobody.
var bucketBlockedSenders = []byte("blocked_senders")

// BlockedSender records who blocked an address, and on which ticket.
type BlockedSender struct {
	Ticket uint64    `json:"ticket"`
	By     string    `json:"by"`
	At     time.Time `json:"at"`
}

// blockSender adds addr to blocked_senders; an address there already
// keeps its first entry.
func blockSender(tx *bolt.Tx, addr string, b BlockedSender) error {
	if isBlockedSender(tx, addr) {
		return nil
	}
	bk, err := tx.CreateBucketIfNotExists(bucketBlockedSenders)
	if err != nil {
		return err
	}
	v, err := json.Marshal(b)
	if err != nil {
		return err
	}
	return bk.Put([]byte(addr), v)
}

// unblockSender removes addr from blocked_senders (#notspam).
func unblockSender(tx *bolt.Tx, addr string) error {
	if b := tx.Bucket(bucketBlockedSenders); b != nil {
		return b.Delete([]byte(addr))
	}
	return nil
}

func isBlockedSender(tx *bolt.Tx, addr string) bool {
	b := tx.Bucket(bucketBlockedSenders)
	return b != nil && b.Get([]byte(addr)) != nil
}

// BlockedSenders returns the addresses #spam blocked.
func (s *Store) BlockedSenders() (map[string]BlockedSender, error) {
	out := map[string]BlockedSender{}
	err := s.view(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketBlockedSenders)
		if b == nil {
			return nil
		}
		return b.ForEach(func(k, v []byte) error {
			var e BlockedSender
			if err := json.Unmarshal(v, &e); err != nil {
				return err
			}
			out[string(k)] = e
			return nil
		})
	})
	return out, err
}
