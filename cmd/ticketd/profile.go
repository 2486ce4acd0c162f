package main

import (
	"fmt"
	"os"
	"runtime"
	"runtime/pprof"
	"runtime/trace"
)

// startProfile writes a CPU profile of the whole command to the file
// named by $TICKETD_CPUPROFILE, and the allocations of the whole command
// to $TICKETD_MEMPROFILE, when set: how the load test (loadtest) and
// whoever measures the real binary profile it for "go tool pprof". The
// returned stop ends them.
func startProfile() (stop func()) {
	stopMem := startMemProfile()
	stopMem = startTrace(stopMem)
	path := os.Getenv("TICKETD_CPUPROFILE")
	if path == "" {
		return stopMem
	}
	f, err := os.Create(path)
	if err != nil {
		fmt.Fprintln(os.Stderr, "ticketd: cpu profile:", err)
		return stopMem
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		fmt.Fprintln(os.Stderr, "ticketd: cpu profile:", err)
		f.Close()
		return stopMem
	}
	return func() {
		pprof.StopCPUProfile()
		f.Close()
		stopMem()
	}
}

// startMemProfile samples every 64 KB allocated (the default is 512 KB:
// too coarse to split a pass's allocations by function) and writes the
// "allocs" profile to $TICKETD_MEMPROFILE when stop is called. Without
// it, nothing reads the allocations' profile (there is no pprof endpoint),
// so none is kept: at the default rate, recording a sample's stack cost the
// 1,000,000-ticket digest 2.4 % of its CPU (perf), ~15 samples of a deep
// stack, each unwound through cold pages of the binary.
func startMemProfile() (stop func()) {
	path := os.Getenv("TICKETD_MEMPROFILE")
	if path == "" {
		runtime.MemProfileRate = 0
		return func() {}
	}
	runtime.MemProfileRate = 64 << 10
	return func() {
		f, err := os.Create(path)
		if err != nil {
			fmt.Fprintln(os.Stderr, "ticketd: allocation profile:", err)
			return
		}
		defer f.Close()
		if err := pprof.Lookup("allocs").WriteTo(f, 0); err != nil {
			fmt.Fprintln(os.Stderr, "ticketd: allocation profile:", err)
		}
	}
}

// startTrace writes an execution trace of the whole command to
// $TICKETD_TRACE, when set ("go tool trace"): where a pass waits — for
// the disk, the servers, a lock — which a CPU profile does not show. It
// returns a stop that ends the trace, then calls next.
func startTrace(next func()) (stop func()) {
	path := os.Getenv("TICKETD_TRACE")
	if path == "" {
		return next
	}
	f, err := os.Create(path)
	if err != nil {
		fmt.Fprintln(os.Stderr, "ticketd: trace:", err)
		return next
	}
	if err := trace.Start(f); err != nil {
		fmt.Fprintln(os.Stderr, "ticketd: trace:", err)
		f.Close()
		return next
	}
	return func() {
		trace.Stop()
		f.Close()
		next()
	}
}
