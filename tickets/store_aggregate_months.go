package tickets

import (
	"encoding/binary"
	"fmt"

	bolt "go.etcd.io/bbolt"
)

// Month rollups: agg_months keeps, per civil month and tuple, the sum of
// that month's agg_days records, in their encoding, under the key of the
// month's first day. They are kept in the same transaction as the days
// (aggDelta.apply), so a report over whole months reads one record per
// month and tuple instead of one per day (reportAgg). Like the days they
// are whole when aggReady says so: the rebuild writes both through the
// same apply, and the migration to schema 4 sums the days there are.

// monthsOf sums day deltas (agg_days keys) into their months' (agg_months
// keys): a month record is always the sum of its days.
func monthsOf(days map[string]*acc) map[string]*acc {
	months := make(map[string]*acc, len(days))
	var lastDay, lastMonth uint32
	for k, a := range days {
		if a.unchanged() {
			continue
		}
		day := binary.BigEndian.Uint32([]byte(k))
		if day != lastDay {
			lastDay, lastMonth = day, monthOf(day)
		}
		mk := string(binary.BigEndian.AppendUint32(make([]byte, 0, len(k)), lastMonth)) + k[4:]
		m := months[mk]
		if m == nil {
			m = &acc{}
			months[mk] = m
		}
		m.merge(a)
	}
	return months
}

// sumMonths fills the empty agg_months with the sums of agg_days: the
// migration to schema 4. Whatever the days hold — whole aggregates, or
// the chunks a rebuild in progress has committed — the months are then
// their sum, and every later write and rebuild chunk keeps them so.
// Days are read in key order, a month at a time, so memory holds one
// month's tuples.
func sumMonths(tx *bolt.Tx) error {
	months := tx.Bucket(bucketAggMonths)
	months.FillPercent = 1 // written in key order into an empty bucket
	sums := map[string]*acc{}
	var cur uint32
	c := tx.Bucket(bucketAggDays).Cursor()
	for k, v := c.First(); ; k, v = c.Next() {
		if k == nil || monthOf(binary.BigEndian.Uint32(k)) != cur {
			if err := addAccs(months, sums); err != nil {
				return fmt.Errorf("month aggregates: %w", err)
			}
			if k == nil {
				return nil
			}
			clear(sums)
			cur = monthOf(binary.BigEndian.Uint32(k))
		}
		mk := string(binary.BigEndian.AppendUint32(nil, cur)) + string(k[4:])
		a := sums[mk]
		if a == nil {
			a = &acc{}
			sums[mk] = a
		}
		r := reader{b: v}
		r.acc(a)
		if r.err != nil {
			return fmt.Errorf("month aggregates: aggregate %x: %w", k, r.err)
		}
	}
}
