// The SLA due index read for the agents' morning mail (agentdigest.go).

package tickets

import (
	"encoding/binary"
	"fmt"

	bolt "go.etcd.io/bbolt"
)

// dueTicketIDs returns the tickets filed in the SLA due index, each once,
// in the index's order (next attention first). The index holds the open
// tickets with a running countdown or timer: the desk's backlog, not
// every ticket ever opened.
func dueTicketIDs(tx *bolt.Tx) ([]uint64, error) {
	var ids []uint64
	seen := map[uint64]bool{}
	err := tx.Bucket(bucketSLADue).ForEach(func(k, _ []byte) error {
		if len(k) != 16 {
			return fmt.Errorf("sla due index: bad key %x", k)
		}
		id := binary.BigEndian.Uint64(k[8:])
		if !seen[id] {
			seen[id] = true
			ids = append(ids, id)
		}
		return nil
	})
	return ids, err
}
