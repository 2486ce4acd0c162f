package tickets

import (
	"bytes"

	bolt "go.etcd.io/bbolt"
)

// bucketProblemIncidents indexes the incidents linked to each problem:
// u64be(problem) | u64be(incident) → "". The incident's side is
// Ticket.Problem; both change in the same transaction (problems.go).
var bucketProblemIncidents = []byte("problem_incidents")

func problemKey(problem, incident uint64) []byte {
	return append(u64(problem), u64(incident)...)
}

// putIncident files incident under problem.
func putIncident(tx *bolt.Tx, problem, incident uint64) error {
	return tx.Bucket(bucketProblemIncidents).Put(problemKey(problem, incident), nil)
}

// dropIncident removes incident from problem's index.
func dropIncident(tx *bolt.Tx, problem, incident uint64) error {
	return tx.Bucket(bucketProblemIncidents).Delete(problemKey(problem, incident))
}

// incidentsOf returns the incidents linked to problem, in ticket order.
func incidentsOf(tx *bolt.Tx, problem uint64) []uint64 {
	b := tx.Bucket(bucketProblemIncidents)
	if b == nil { // an older file opened read-only: no links yet
		return nil
	}
	prefix := u64(problem)
	var out []uint64
	c := b.Cursor()
	for k, _ := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, _ = c.Next() {
		out = append(out, u64From(k[8:]))
	}
	return out
}

// Incidents returns the tickets linked to problem as its incidents.
func (s *Store) Incidents(problem uint64) ([]uint64, error) {
	var out []uint64
	err := s.view(func(tx *bolt.Tx) error {
		out = incidentsOf(tx, problem)
		return nil
	})
	return out, err
}

// putEventCopy writes e, an event copied from a merged ticket, on
// e.Ticket's timeline under its own sequence number (merge.go): the
// timeline stays in the order things happened.
func putEventCopy(tx *bolt.Tx, e Event) error {
	if err := countStored(tx, keyAggEvents, 1, e.Ticket); err != nil { // Stats' count
		return err
	}
	return putEvent(tx.Bucket(bucketEvents), &e)
}
