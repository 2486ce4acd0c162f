// Package tiers is ticketd's support-level policy: the tiers (nivel 1 → 2 →
// 3 → vendor), who their agents are, their service-level targets (per
// priority), the business calendar those targets are counted on, and the
// Countdown that tracks one target of one ticket.
//
// It is pure policy: functions take the time they reason about, and the
// package does no I/O and starts no goroutines. A Policy is immutable after
// NewPolicy, so it is safe for concurrent use.
package tiers
