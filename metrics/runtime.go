package metrics

import (
	"os"
	"runtime"
	"runtime/debug"
	"strconv"
	"time"
)

// goFamilies are the go_* series of the Go client's Go collector (as
// client_golang v1.25 exposed them, with their help texts: the dashboard
// plots go_goroutines and go_memstats_heap_inuse_bytes), read from
// runtime.ReadMemStats and debug.ReadGCStats.
func goFamilies() []family {
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	gc := debug.GCStats{PauseQuantiles: make([]time.Duration, 5)}
	debug.ReadGCStats(&gc)
	pauses := make([]quantile, len(gc.PauseQuantiles)) // min, quartiles, max
	for i, p := range gc.PauseQuantiles {
		pauses[i] = quantile{float64(i) / 4, p.Seconds()}
	}
	threads, _ := runtime.ThreadCreateProfile(nil)

	fams := []family{
		{name: "go_gc_duration_seconds", help: "A summary of the wall-time pause (stop-the-world) duration in garbage collection cycles.", kind: "summary",
			metrics: []metric{{count: uint64(gc.NumGC), sum: gc.PauseTotal.Seconds(), quantiles: pauses}}},
		gauge("go_gc_gogc_percent", "Heap size target percentage configured by the user, otherwise 100. This value is set by the GOGC environment variable, and the runtime/debug.SetGCPercent function. Sourced from /gc/gogc:percent.", gogc()),
		gauge("go_gc_gomemlimit_bytes", "Go runtime memory limit configured by the user, otherwise math.MaxInt64. This value is set by the GOMEMLIMIT environment variable, and the runtime/debug.SetMemoryLimit function. Sourced from /gc/gomemlimit:bytes.", float64(debug.SetMemoryLimit(-1))),
		gauge("go_goroutines", "Number of goroutines that currently exist.", float64(runtime.NumGoroutine())),
		{name: "go_info", help: "Information about the Go environment.", kind: "gauge", labels: []string{"version"},
			metrics: []metric{{values: []string{runtime.Version()}, value: 1}}},
		gauge("go_memstats_last_gc_time_seconds", "Number of seconds since 1970 of last garbage collection.", float64(ms.LastGC)/1e9),
		gauge("go_sched_gomaxprocs_threads", "The current runtime.GOMAXPROCS setting, or the number of operating system threads that can execute user-level Go code simultaneously. Sourced from /sched/gomaxprocs:threads.", float64(runtime.GOMAXPROCS(0))),
		gauge("go_threads", "Number of OS threads created.", float64(threads)),
	}
	for _, s := range []struct {
		name, help string
		v          uint64
	}{
		{"alloc_bytes", "Number of bytes allocated in heap and currently in use. Equals to /memory/classes/heap/objects:bytes.", ms.Alloc},
		{"alloc_bytes_total", "Total number of bytes allocated in heap until now, even if released already. Equals to /gc/heap/allocs:bytes.", ms.TotalAlloc},
		{"buck_hash_sys_bytes", "Number of bytes used by the profiling bucket hash table. Equals to /memory/classes/profiling/buckets:bytes.", ms.BuckHashSys},
		{"frees_total", "Total number of heap objects frees. Equals to /gc/heap/frees:objects + /gc/heap/tiny/allocs:objects.", ms.Frees},
		{"gc_sys_bytes", "Number of bytes used for garbage collection system metadata. Equals to /memory/classes/metadata/other:bytes.", ms.GCSys},
		{"heap_alloc_bytes", "Number of heap bytes allocated and currently in use, same as go_memstats_alloc_bytes. Equals to /memory/classes/heap/objects:bytes.", ms.HeapAlloc},
		{"heap_idle_bytes", "Number of heap bytes waiting to be used. Equals to /memory/classes/heap/released:bytes + /memory/classes/heap/free:bytes.", ms.HeapIdle},
		{"heap_inuse_bytes", "Number of heap bytes that are in use. Equals to /memory/classes/heap/objects:bytes + /memory/classes/heap/unused:bytes", ms.HeapInuse},
		{"heap_objects", "Number of currently allocated objects. Equals to /gc/heap/objects:objects.", ms.HeapObjects},
		{"heap_released_bytes", "Number of heap bytes released to OS. Equals to /memory/classes/heap/released:bytes.", ms.HeapReleased},
		{"heap_sys_bytes", "Number of heap bytes obtained from system. Equals to /memory/classes/heap/objects:bytes + /memory/classes/heap/unused:bytes + /memory/classes/heap/released:bytes + /memory/classes/heap/free:bytes.", ms.HeapSys},
		{"mallocs_total", "Total number of heap objects allocated, both live and gc-ed. Semantically a counter version for go_memstats_heap_objects gauge. Equals to /gc/heap/allocs:objects + /gc/heap/tiny/allocs:objects.", ms.Mallocs},
		{"mcache_inuse_bytes", "Number of bytes in use by mcache structures. Equals to /memory/classes/metadata/mcache/inuse:bytes.", ms.MCacheInuse},
		{"mcache_sys_bytes", "Number of bytes used for mcache structures obtained from system. Equals to /memory/classes/metadata/mcache/inuse:bytes + /memory/classes/metadata/mcache/free:bytes.", ms.MCacheSys},
		{"mspan_inuse_bytes", "Number of bytes in use by mspan structures. Equals to /memory/classes/metadata/mspan/inuse:bytes.", ms.MSpanInuse},
		{"mspan_sys_bytes", "Number of bytes used for mspan structures obtained from system. Equals to /memory/classes/metadata/mspan/inuse:bytes + /memory/classes/metadata/mspan/free:bytes.", ms.MSpanSys},
		{"next_gc_bytes", "Number of heap bytes when next garbage collection will take place. Equals to /gc/heap/goal:bytes.", ms.NextGC},
		{"other_sys_bytes", "Number of bytes used for other system allocations. Equals to /memory/classes/other:bytes.", ms.OtherSys},
		{"stack_inuse_bytes", "Number of bytes obtained from system for stack allocator in non-CGO environments. Equals to /memory/classes/heap/stacks:bytes.", ms.StackInuse},
		{"stack_sys_bytes", "Number of bytes obtained from system for stack allocator. Equals to /memory/classes/heap/stacks:bytes + /memory/classes/os-stacks:bytes.", ms.StackSys},
		{"sys_bytes", "Number of bytes obtained from system. Equals to /memory/classes/total:byte.", ms.Sys},
	} {
		f := gauge("go_memstats_"+s.name, s.help, float64(s.v))
		if s.name == "alloc_bytes_total" || s.name == "frees_total" || s.name == "mallocs_total" {
			f.kind = "counter"
		}
		fams = append(fams, f)
	}
	return fams
}

// gogc is the GOGC setting as the runtime reads it at start ("off" is
// -1, unset or unreadable 100). The daemon never changes it (only the
// one-shot commands call debug.SetGCPercent, and they serve no metrics),
// and reading it from runtime/metrics would link that package, whose
// init costs every command ~0.4 ms.
func gogc() float64 {
	p := os.Getenv("GOGC")
	if p == "off" {
		return -1
	}
	if n, err := strconv.ParseInt(p, 10, 32); err == nil {
		return float64(n)
	}
	return 100
}
