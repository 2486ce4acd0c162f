package tickets

import bolt "go.etcd.io/bbolt"

// bbolt splits a page that outgrew its size at the bucket's FillPercent
// (default 0.5) and never refills the left half: in a bucket whose keys
// grow — new tickets, new mails, their events — every page but the last
// stays half empty for good. That doubled the pages such buckets take in
// the file and in memory (the database is mmapped: every page a commit
// touches becomes resident), and the pages a commit writes.
//
// FillPercent is not stored in the file; it belongs to the *Bucket handle
// of one transaction, and bbolt caches the handle per transaction, so
// setting it once at the start of each write transaction (Store.update)
// covers every Put in it. Keys and values are unchanged.
//
// 1.0 where records are appended and rarely rewritten in place (mails
// are deleted once delivered); 0.9 for tickets, rewritten as they change,
// so a page has some room before it splits again (10,000-message load
// test: tickets' pages 2,539 → 1,693, 54% → 81% used). Measured and left
// at bbolt's default: events (keyed ticket | seq, so a follow-up's or a
// delivery's event lands below the last key: 0.9 took 3% more pages) and
// agg_facts (rewritten and growing with each change: 0.9 took 27% more).
// Buckets keyed by addresses or Message-IDs get keys in random order and
// keep the default too.
var fillPercents = []struct {
	bucket []byte
	fill   float64
}{
	{bucketTickets, 0.9},
	{bucketAgentOpen, 0.9},
	{bucketOutbox, 1.0},
	{bucketOutboxDue, 1.0},
	{bucketFailed, 1.0},
	{bucketAggBacklog, 1.0},
}

// update runs f in a write transaction whose append-mostly buckets fill
// their pages (see fillPercents).
func (s *Store) update(f func(tx *bolt.Tx) error) error {
	return updateFilled(s.db, f)
}

// updateFilled is update for code that holds the *bolt.DB before a Store
// exists (the aggregates' rebuild at open).
func updateFilled(db *bolt.DB, f func(tx *bolt.Tx) error) error {
	return db.Update(func(tx *bolt.Tx) error {
		for _, p := range fillPercents {
			if b := tx.Bucket(p.bucket); b != nil { // agent_open is made by its first write
				b.FillPercent = p.fill
			}
		}
		return f(tx)
	})
}
