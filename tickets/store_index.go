// The small indexes of the store, read and written inside the caller's
// transaction: undeliverable addresses, vendors' ticket numbers, tickets
// by requester, the tickets and outbox sequences, the last digest, the
// Message-ID secret, and the rate-limit times (acks). Their bucket names
// stay here and in store.go.

package tickets

import (
	"bytes"
	"crypto/rand"
	"encoding/binary"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"
)

func markUndeliverable(tx *bolt.Tx, email string, u Undeliverable) error {
	u.Email = NormalizeEmail(email)
	if u.Email == "" {
		return nil
	}
	return putJSON(tx.Bucket(bucketUndeliverable), []byte(u.Email), u)
}

func isUndeliverable(tx *bolt.Tx, email string) bool {
	return tx.Bucket(bucketUndeliverable).Get([]byte(NormalizeEmail(email))) != nil
}

// clearUndeliverable makes email deliverable again: it wrote to the desk.
func clearUndeliverable(tx *bolt.Tx, email string) error {
	return tx.Bucket(bucketUndeliverable).Delete([]byte(NormalizeEmail(email)))
}

// Undeliverables returns the addresses the desk does not write to, in
// address order.
func (s *Store) Undeliverables() ([]Undeliverable, error) {
	return all(s.db, bucketUndeliverable, fromJSON[Undeliverable])
}

// lookupVendorRef returns the ticket the vendor's number belongs to.
func lookupVendorRef(tx *bolt.Tx, level int, ref string) (uint64, bool) {
	v := tx.Bucket(bucketVendorRef).Get(vendorRefKey(level, ref))
	if len(v) != 8 {
		return 0, false
	}
	return u64From(v), true
}

func vendorRefKey(level int, ref string) []byte {
	return append(u64(uint64(level)), msgIDKey(ref)...)
}

// requesterKey indexes a requester's tickets: address, NUL, ticket.
func requesterKey(email string, ticket uint64) []byte {
	return append(append([]byte(email), 0), u64(ticket)...)
}

// forRequester calls f with every ticket of the requester email, in number order.
func forRequester(tx *bolt.Tx, email string, f func(Ticket)) error {
	prefix := append([]byte(email), 0)
	c := tx.Bucket(bucketRequesters).Cursor()
	for k, _ := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix) && len(k) == len(prefix)+8; k, _ = c.Next() {
		t, err := getTicket(tx, u64From(k[len(prefix):]))
		if err != nil {
			return err
		}
		f(t)
	}
	return nil
}

// putVendorRef records that the vendor of tier level calls ticket ref.
func putVendorRef(tx *bolt.Tx, level int, ref string, ticket uint64) error {
	return tx.Bucket(bucketVendorRef).Put(vendorRefKey(level, ref), u64(ticket))
}

// nextTicketID returns a new ticket number from the tickets bucket's
// sequence (never reused, doc.go).
func nextTicketID(tx *bolt.Tx) (uint64, error) {
	return tx.Bucket(bucketTickets).NextSequence()
}

// indexRequester files ticket under its requester's address.
func indexRequester(tx *bolt.Tx, email string, ticket uint64) error {
	return tx.Bucket(bucketRequesters).Put(requesterKey(email, ticket), nil)
}

// unindexRequester removes ticket from under a former requester's address
// (#requester): their status replies no longer list it.
func unindexRequester(tx *bolt.Tx, email string, ticket uint64) error {
	return tx.Bucket(bucketRequesters).Delete(requesterKey(email, ticket))
}

// nextOutboxID returns a new outbox mail id from the outbox's sequence.
func nextOutboxID(tx *bolt.Tx) (uint64, error) {
	return tx.Bucket(bucketOutbox).NextSequence()
}

// forTickets calls f with every ticket, in number order, until f fails.
func forTickets(tx *bolt.Tx, f func(Ticket) error) error {
	return tx.Bucket(bucketTickets).ForEach(func(k, v []byte) error {
		var t Ticket
		if err := decodeTicket(v, &t); err != nil {
			return fmt.Errorf("ticket %x: %w", k, err)
		}
		return f(t)
	})
}

// lastDigest returns when the last digest was queued; false before the first.
func lastDigest(tx *bolt.Tx) (time.Time, bool) {
	v := tx.Bucket(bucketMeta).Get(keyLastDigest)
	if len(v) != 8 {
		return time.Time{}, false
	}
	return time.Unix(0, int64(binary.BigEndian.Uint64(v))), true
}

// setLastDigest records that a digest was queued at t.
func setLastDigest(tx *bolt.Tx, t time.Time) error {
	return tx.Bucket(bucketMeta).Put(keyLastDigest, u64(uint64(t.UnixNano())))
}

// loadSecret returns the Message-ID secret, creating it on first use.
func loadSecret(s *Store) ([]byte, error) {
	var secret []byte
	// Read first: a write transaction is a commit with two fsyncs, at
	// every start, for a secret written once in the database's life.
	err := s.view(func(tx *bolt.Tx) error {
		if v := tx.Bucket(bucketMeta).Get(keyMsgIDSecret); len(v) >= 32 {
			secret = bytes.Clone(v)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("message-id secret: %w", err)
	}
	if secret != nil {
		return secret, nil
	}
	err = s.update(func(tx *bolt.Tx) error {
		meta := tx.Bucket(bucketMeta)
		if v := meta.Get(keyMsgIDSecret); len(v) >= 32 {
			secret = bytes.Clone(v)
			return nil
		}
		secret = make([]byte, 32)
		if _, err := rand.Read(secret); err != nil {
			return err
		}
		return meta.Put(keyMsgIDSecret, secret)
	})
	if err != nil {
		return nil, fmt.Errorf("message-id secret: %w", err)
	}
	return secret, nil
}

// rateKey is where rate name keeps key's event times in the acks bucket:
// the acknowledgements (name "") under the bare address, as before the
// other caps joined the bucket.
func rateKey(name, key string) []byte {
	if name != "" {
		return []byte(name + "\x00" + key)
	}
	return []byte(key)
}

// getRate returns the event times rate name keeps for key (none yet: nil).
func getRate(tx *bolt.Tx, name, key string) ([]time.Time, error) {
	var times []time.Time
	if v := tx.Bucket(bucketAcks).Get(rateKey(name, key)); v != nil {
		if err := decodeValue(v, &times); err != nil {
			return nil, fmt.Errorf("rate %q %s: %w", name, key, err)
		}
	}
	return times, nil
}

// putRate stores the event times rate name keeps for key.
func putRate(tx *bolt.Tx, name, key string, times []time.Time) error {
	return putJSON(tx.Bucket(bucketAcks), rateKey(name, key), times)
}
