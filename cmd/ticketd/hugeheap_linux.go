package main

import (
	"runtime"
	"runtime/debug"
	"unsafe"

	"golang.org/x/sys/unix"
)

// hugeHeapBytes is the fresh heap a hugeHeap command gets on huge pages:
// more than the 1,000,000-ticket digest allocates (~7 MB).
const hugeHeapBytes = 16 << 20

// startHeap is a heap object allocated while the package starts: the heap
// pages start-up touched begin near it.
var startHeap = new([16]byte)

// hugeHeap backs the heap a short command is about to fill with
// transparent huge pages: one page fault per 2 MB instead of one per 4 KB.
// The digest fills ~7 MB of fresh heap (canvases, PNG encoders, the
// reports' cells); on this VM its ~1,700 faults were a third of its CPU.
//
// The runtime maps and uses its heap itself, so this asks for the pages
// before they are used: it grows the heap by a block with the collector
// off (a fresh mapping, untouched), advises MADV_HUGEPAGE from the start
// of the heap to the block's end, collapses into huge pages the 2 MB
// regions start-up already touched (MADV_COLLAPSE, Linux 6.1; a region
// with 4 KB pages keeps faulting 4 KB at a time), and frees the block with
// one collection. The command's allocations then fill those pages: the
// allocator takes the lowest free ones. The collection and the collapse
// cost 3–14 ms of the preview's wall time here, the faults saved more.
// Where the kernel has no transparent huge pages, or not these advices,
// madvise fails and nothing changes but the collection.
func hugeHeap() {
	gc := debug.SetGCPercent(-1) // growing by the block must not start a collection
	block := make([]byte, hugeHeapBytes)
	const region = 2 << 20
	lo := uintptr(unsafe.Pointer(startHeap)) &^ (region - 1)
	at := uintptr(unsafe.Pointer(unsafe.SliceData(block)))
	end := at + uintptr(len(block))
	if lo > at || at-lo > hugeHeapBytes {
		lo = at &^ (region - 1) // start-up's heap is elsewhere: leave it
	}
	madvise(lo, end-lo, unix.MADV_HUGEPAGE)
	for r := lo; r < at; r += region {
		madvise(r, region, unix.MADV_COLLAPSE)
	}
	runtime.KeepAlive(block)
	block = nil
	debug.SetGCPercent(gc)
	runtime.GC()
}

// madvise gives the kernel advice on a range of our own address space;
// its errors are deliberately ignored: advice is optional.
func madvise(addr, n uintptr, advice int) {
	_, _, _ = unix.Syscall(unix.SYS_MADVISE, addr, n, uintptr(advice))
}
