// agent_open: the open tickets that have an assignee, for the agents'
// morning mail (agentdigest.go).

package tickets

import (
	"bytes"
	"encoding/binary"
	"fmt"

	bolt "go.etcd.io/bbolt"
)

var bucketAgentOpen = []byte("agent_open")

// assignedOpen reports whether t belongs in agent_open: open (new, open,
// pending), with an assignee, not merged away.
func assignedOpen(t *Ticket) bool {
	switch t.Status {
	case StatusNew, StatusOpen, StatusPending:
		return t.Assignee != "" && t.MergedInto == 0
	}
	return false
}

// fileAgentOpen keeps t's entry in agent_open up to date; putTicket calls
// it on every write. Until the index is built (the first morning mail
// builds it: buildAgentOpen) there is nothing to keep.
func fileAgentOpen(tx *bolt.Tx, t *Ticket) error {
	b := tx.Bucket(bucketAgentOpen)
	if b == nil {
		return nil
	}
	k := u64(t.ID)
	old := b.Get(k)
	if !assignedOpen(t) {
		if old == nil {
			return nil
		}
		return b.Delete(k)
	}
	if bytes.Equal(old, []byte(t.Assignee)) {
		return nil
	}
	return b.Put(k, []byte(t.Assignee))
}

// agentOpenIDs returns the tickets in agent_open, by number; false when
// the index is not built yet.
func agentOpenIDs(tx *bolt.Tx) ([]uint64, bool, error) {
	b := tx.Bucket(bucketAgentOpen)
	if b == nil {
		return nil, false, nil
	}
	var ids []uint64
	err := b.ForEach(func(k, _ []byte) error {
		if len(k) != 8 {
			return fmt.Errorf("agent_open: bad key %x", k)
		}
		ids = append(ids, binary.BigEndian.Uint64(k))
		return nil
	})
	return ids, true, err
}

// assignedOpenByScan reads every ticket for the open, assigned ones: how
// agent_open is built, and what a dry run reads before it is.
func assignedOpenByScan(tx *bolt.Tx) ([]uint64, error) {
	var ids []uint64
	err := forTickets(tx, func(t Ticket) error {
		if assignedOpen(&t) {
			ids = append(ids, t.ID)
		}
		return nil
	})
	return ids, err
}

// buildAgentOpen creates agent_open from every ticket, once per database:
// from then on putTicket keeps it.
func buildAgentOpen(tx *bolt.Tx) error {
	b, err := tx.CreateBucket(bucketAgentOpen)
	if err != nil {
		return fmt.Errorf("agent_open: %w", err)
	}
	return forTickets(tx, func(t Ticket) error {
		if !assignedOpen(&t) {
			return nil
		}
		return b.Put(u64(t.ID), []byte(t.Assignee))
	})
}
