package main

import (
	"fmt"
	"io"
	"os"
	"runtime"
	"runtime/pprof"
	"runtime/trace"
)

// startProfile writes a CPU profile of the whole command to the file
// named by $TICKETD_CPUPROFILE, an execution trace to $TICKETD_TRACE
// ("go tool trace": where a pass waits — for the disk, the servers, a
// lock — which a CPU profile does not show) and the allocations of the
// whole command to $TICKETD_MEMPROFILE, each when set: how the load test
// (loadtest) and whoever measures the real binary look inside it. The
// returned stop ends them.
func startProfile() (stop func()) {
	stop = startMemProfile()
	stop = startRecording("TICKETD_TRACE", "trace", trace.Start, trace.Stop, stop)
	return startRecording("TICKETD_CPUPROFILE", "cpu profile", pprof.StartCPUProfile, pprof.StopCPUProfile, stop)
}

// startRecording starts a recorder (start) into the file named by $env,
// when set, and returns a stop that ends it (end), closes the file, then
// calls next. A file that cannot be written is said on stderr: the
// command runs without it.
func startRecording(env, what string, start func(io.Writer) error, end func(), next func()) func() {
	path := os.Getenv(env)
	if path == "" {
		return next
	}
	f, err := os.Create(path)
	if err != nil {
		fmt.Fprintf(os.Stderr, "ticketd: %s: %v\n", what, err)
		return next
	}
	if err := start(f); err != nil {
		fmt.Fprintf(os.Stderr, "ticketd: %s: %v\n", what, err)
		f.Close()
		return next
	}
	return func() {
		end()
		f.Close()
		next()
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
