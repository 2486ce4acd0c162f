package tickets

import (
	"bytes"
	"errors"
	"fmt"

	bolt "go.etcd.io/bbolt"
)

// eachChunk is how many tickets EachSummary reads per read transaction:
// enough that a transaction's cost is small beside the decoding, few
// enough that the memory held is a few hundred kilobytes.
const eachChunk = 1024

// eachFirstChunk is the size of EachSummary's first chunk: small, so the
// caller's first line goes out after a few dozen tickets are decoded, not
// a thousand. Each later chunk doubles up to eachChunk, so a long listing
// pays only a handful of extra transactions.
const eachFirstChunk = 32

// ErrStop, returned by an EachSummary callback, ends the listing early
// without an error.
var ErrStop = errors.New("stop")

// EachSummary calls fn with the summary of every ticket matching f, in
// number order, without holding the whole listing: it reads up to
// eachChunk tickets per read transaction (fewer at first, see
// eachFirstChunk) and calls fn after each transaction ends,
// so memory stays flat whatever the database's size and a slow reader
// never keeps a transaction open (which would hold bbolt's pages from
// being reused). f.Limit is not used: every match is visited.
//
// The listing is not one snapshot: a ticket changed while it runs shows
// as its chunk read it, and tickets created meanwhile appear at the end.
// fn returning ErrStop ends it with a nil error; any other error ends it
// with that error.
func (s *Store) EachSummary(f Filter, fn func(Summary) error) error {
	var after []byte // the last key read; nil before the first chunk
	chunk := make([]Summary, 0, eachChunk)
	size := eachFirstChunk
	for {
		chunk = chunk[:0]
		more := false
		err := s.view(func(tx *bolt.Tx) error {
			c := tx.Bucket(bucketTickets).Cursor()
			k, v := c.First()
			if after != nil {
				k, v = c.Seek(after)
				if k != nil && bytes.Equal(k, after) {
					k, v = c.Next()
				}
			}
			read := 0
			for ; k != nil; k, v = c.Next() {
				if read == size {
					more = true
					break
				}
				read++
				after = append(after[:0], k...)
				var t Summary
				if err := decodeSummary(v, &t); err != nil {
					return fmt.Errorf("ticket %x: %w", k, err)
				}
				if f.match(listKey{t.Status, t.Tier, t.Queue, t.Type, t.Category}) {
					chunk = append(chunk, t)
				}
			}
			return nil
		})
		if err != nil {
			return fmt.Errorf("list tickets: %w", err)
		}
		for _, t := range chunk {
			if err := fn(t); err != nil {
				if errors.Is(err, ErrStop) {
					return nil
				}
				return err
			}
		}
		if !more {
			return nil
		}
		size = min(2*size, eachChunk)
	}
}
