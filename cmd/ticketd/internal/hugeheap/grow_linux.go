//go:build linux

package hugeheap

import (
	"runtime"
	"syscall"
	"time"
	"unsafe"
)

const (
	// region is a transparent huge page on amd64 and arm64 (4 KB base
	// pages): the unit the kernel faults in, and the alignment it needs.
	region = 2 << 20
	// Bytes is the heap Grow puts on huge pages: more than the
	// 1,000,000-ticket digest allocates (9 MB, start-up included, and no
	// collection).
	Bytes = 16 << 20
)

// fill holds the heap between the start-up's last page and the next huge
// page boundary (see Grow). It is never written and never freed: it costs
// address space, no memory.
var fill [][]byte

// Grow advises MADV_HUGEPAGE for the Bytes of heap the process will use
// next. Memory the runtime has already touched stays on 4 KB pages (a
// huge page is faulted only where its whole 2 MB is untouched), so:
//
//  1. Every free page below the 2 MB boundary after the heap's last used
//     page is taken by fill (fillToBoundary, drainPageCache), never to be
//     written, so the allocator, which takes the lowest free pages,
//     starts at the boundary.
//  2. The heap already mapped above the boundary is advised at once,
//     before anything touches it.
//  3. The heap is grown by Bytes without allocating anything in it: a
//     goroutine calls a function whose frame needs 8 MB, and the runtime
//     moves its stack to a fresh 16 MB one taken from the heap's pages.
//     Only its top few KB, the frames actually written, are touched.
//  4. When the goroutine has ended, its stack is back among the heap's
//     free pages (a large stack is freed at once outside a collection),
//     still mapped; the part the runtime mapped for it is advised now
//     (a fresh mapping has none of the advice given before).
//
// The allocations after Grow fill those pages 2 MB at a time. No
// collection is needed to free anything, unlike growing the heap by an
// allocated block (3–8 ms here), and no page is copied, unlike collapsing
// the touched ones into huge pages (MADV_COLLAPSE, 0.4–9 ms). Where the
// kernel has no transparent huge pages, madvise fails and the heap is used
// as it would have been (fill only wastes address space).
func Grow() {
	boundary := fillToBoundary()
	if boundary == 0 {
		return
	}
	madvise(boundary, Bytes+region, syscall.MADV_HUGEPAGE)
	before := runtime.NumGoroutine()
	top := make(chan uintptr, 1)
	go growStack(top)
	// The stack is freed after the goroutine's last instruction, when the
	// scheduler reclaims it: wait for that, or the next allocations would
	// land above the stack, outside the advice. On another processor, whose
	// thread a loaded machine may not run for a while, it can take
	// milliseconds; the bound only keeps a surprise from hanging the start.
	stackTop := <-top
	for deadline := time.Now().Add(5 * time.Millisecond); runtime.NumGoroutine() > before && time.Now().Before(deadline); {
		runtime.Gosched()
	}
	// The stack is the lowest 16 MB of free heap above the boundary
	// (maybe above a page cache refilled there): advise up to the 2 MB
	// region of its top, which its frames touched.
	if stackTop <= boundary || stackTop > boundary+Bytes+region {
		return // the stack is not where the free heap began: advise no more
	}
	madvise(boundary, stackTop&^(region-1)-boundary, syscall.MADV_HUGEPAGE)
	// This goroutine may now run on another processor, with a cache of
	// its own.
	drainPageCache(boundary)
}

// fillToBoundary takes every free page of the heap below the 2 MB boundary
// after the start-up's heap, and returns that boundary (0 if the heap is not
// laid out as expected).
func fillToBoundary() uintptr {
	// An object of 16 pages or more is placed at the lowest run of free
	// pages, where the start-up's heap ends.
	const probe = 128 << 10
	p := make([]byte, probe)
	end := addr(p) + probe
	boundary := (end + region - 1) &^ (region - 1)
	if boundary-end < probe {
		boundary += region // too little room for the rest as a large object
	}
	rest := make([]byte, boundary-end)
	fill = append(fill, p, rest)
	if addr(rest) != end {
		return 0
	}
	drainPageCache(boundary)
	return boundary
}

// drainPageCache takes the pages left below boundary in the current
// processor's cache of free pages, where the next spans of small objects
// would come from first: a page at a time (an 8 KB object is one span of
// one page), until a page comes from above the boundary (the cache, empty,
// was refilled there).
func drainPageCache(boundary uintptr) {
	for range 65 { // the cache holds 64 pages
		page := make([]byte, 8<<10)
		fill = append(fill, page)
		if addr(page) >= boundary {
			return
		}
	}
}

func addr(b []byte) uintptr { return uintptr(unsafe.Pointer(unsafe.SliceData(b))) }

// stackBlock is a frame too big for a goroutine's stack: calling a
// function that returns one moves the caller's stack to heap pages. The
// runtime doubles a stack's size until the frame fits: half of Bytes, and
// a little more, takes a stack of Bytes.
type stackBlock [Bytes / 2]byte

// never is false; the compiler cannot know it, so bigFrame's frame keeps
// room for block's result.
var never = runtime.NumCPU() < 0

// growStack runs on a goroutine of its own: bigFrame moves its stack to 16
// MB of heap, and it sends the address of its own frame, near the stack's
// top.
func growStack(top chan<- uintptr) {
	top <- bigFrame()
}

// bigFrame's frame is 8 MB, for a call that never happens. It calls
// nothing: a callee's frame would be below bigFrame's, in the middle of
// the new stack, and the 2 MB around it would stay on 4 KB pages.
//
//go:noinline
func bigFrame() uintptr {
	var b byte
	if never {
		_ = block()
	}
	return uintptr(unsafe.Pointer(&b))
}

//go:noinline
func block() (b stackBlock) { return }

// madvise gives the kernel advice on a range of our own address space;
// its errors are deliberately ignored: advice is optional.
func madvise(addr, n uintptr, advice int) {
	_, _, _ = syscall.Syscall(syscall.SYS_MADVISE, addr, n, uintptr(advice))
}
