// Package hugeheap puts the heap of a short ticketd command on
// transparent huge pages from the start of the process, before the
// packages' initialisation fills its first megabyte.
//
// Why: a page fault costs 12–16 µs on the VMs ticketd is measured on, and
// a fresh Go heap is faulted in 4 KB at a time. The standalone digest at
// 1,000,000 tickets faulted ~1,200 times, a third of them in the heap
// (package initialisation alone, ~320: gonum/plot's fonts, x/net/html's
// entity table, …). Where transparent huge pages are "madvise" (the
// common default), memory advised MADV_HUGEPAGE is faulted 2 MB at a time.
//
// The runtime maps its heap itself, in 4 MB steps as it grows, and a
// fresh mapping drops any advice given before it, so the heap must exist
// before it is advised and be free again after (Grow says how without a
// garbage collection).
//
// main imports this package for its init alone: it acts only when the
// command (os.Args[1]) is one of Commands.
package hugeheap
