package metrics

import (
	"bytes"
	"errors"
	"os"
	"strconv"
	"strings"
)

// userHZ is the unit of the CPU times in /proc/self/stat: USER_HZ, 100
// on every Linux architecture (proc(5)).
const userHZ = 100

// processFamilies are the process_* series of the Go client's process
// collector (the dashboard and the alert rules use process_start_time_seconds,
// process_resident_memory_bytes and process_open_fds), read from /proc
// as its procfs library did. A file that cannot be read leaves its
// series out, as the collector did: elsewhere than Linux there are none.
func processFamilies() []family {
	var fams []family
	if st, err := procStat(); err == nil {
		fams = append(fams,
			family{name: "process_cpu_seconds_total", help: "Total user and system CPU time spent in seconds.", kind: "counter",
				metrics: []metric{{value: float64(st.utime+st.stime) / userHZ}}},
			gauge("process_virtual_memory_bytes", "Virtual memory size in bytes.", float64(st.vsize)),
			gauge("process_resident_memory_bytes", "Resident memory size in bytes.", float64(st.rss*uint64(os.Getpagesize()))))
		if boot, err := bootTime(); err == nil {
			fams = append(fams, gauge("process_start_time_seconds", "Start time of the process since unix epoch in seconds.", float64(boot)+float64(st.start)/userHZ))
		}
	}
	if d, err := os.Open("/proc/self/fd"); err == nil {
		names, err := d.Readdirnames(-1)
		d.Close()
		if err == nil {
			fams = append(fams, gauge("process_open_fds", "Number of open file descriptors.", float64(len(names))))
		}
	}
	if files, space, err := limits(); err == nil {
		fams = append(fams,
			gauge("process_max_fds", "Maximum number of open file descriptors.", float64(files)),
			gauge("process_virtual_memory_max_bytes", "Maximum amount of virtual memory available in bytes.", float64(space)))
	}
	if in, out, err := netOctets(); err == nil {
		fams = append(fams,
			family{name: "process_network_receive_bytes_total", help: "Number of bytes received by the process over the network.", kind: "counter", metrics: []metric{{value: in}}},
			family{name: "process_network_transmit_bytes_total", help: "Number of bytes sent by the process over the network.", kind: "counter", metrics: []metric{{value: out}}})
	}
	return fams
}

// errShort: a /proc file lacks what the metrics read in it.
var errShort = errors.New("unexpected /proc file contents")

// stat is what the process metrics take from /proc/self/stat.
type stat struct {
	utime, stime, start, vsize, rss uint64
}

// procStat reads /proc/self/stat (proc(5)): the fields after the command
// name, which is in parentheses and may hold spaces.
func procStat() (stat, error) {
	data, err := os.ReadFile("/proc/self/stat")
	if err != nil {
		return stat{}, err
	}
	f := strings.Fields(string(data[bytes.LastIndexByte(data, ')')+1:]))
	if len(f) < 22 {
		return stat{}, errShort
	}
	// f[0] is field 3 (state): field n is f[n-3].
	var st stat
	for _, x := range []struct {
		dst *uint64
		n   int
	}{{&st.utime, 14}, {&st.stime, 15}, {&st.start, 22}, {&st.vsize, 23}, {&st.rss, 24}} {
		if *x.dst, err = strconv.ParseUint(f[x.n-3], 10, 64); err != nil {
			return stat{}, err
		}
	}
	return st, nil
}

// bootTime is the btime line of /proc/stat: when the system booted, in
// seconds since the epoch.
func bootTime() (uint64, error) {
	data, err := os.ReadFile("/proc/stat")
	if err != nil {
		return 0, err
	}
	for line := range strings.Lines(string(data)) {
		if v, ok := strings.CutPrefix(line, "btime "); ok {
			return strconv.ParseUint(strings.TrimSpace(v), 10, 64)
		}
	}
	return 0, errShort
}

// limits are the soft limits on open files and address space from
// /proc/self/limits ("unlimited" is the largest uint64, as procfs had it).
func limits() (files, space uint64, err error) {
	data, err := os.ReadFile("/proc/self/limits")
	if err != nil {
		return 0, 0, err
	}
	soft := func(name string) (uint64, error) {
		for line := range strings.Lines(string(data)) {
			if v, ok := strings.CutPrefix(line, name); ok {
				f := strings.Fields(v)
				if len(f) == 0 {
					break
				}
				if f[0] == "unlimited" {
					return 1<<64 - 1, nil
				}
				return strconv.ParseUint(f[0], 10, 64)
			}
		}
		return 0, errShort
	}
	if files, err = soft("Max open files "); err != nil {
		return 0, 0, err
	}
	space, err = soft("Max address space ")
	return files, space, err
}

// netOctets are the InOctets and OutOctets of the IpExt lines of
// /proc/self/net/netstat: the bytes the process's network namespace
// received and sent.
func netOctets() (in, out float64, err error) {
	data, err := os.ReadFile("/proc/self/net/netstat")
	if err != nil {
		return 0, 0, err
	}
	var names []string
	for line := range strings.Lines(string(data)) {
		v, ok := strings.CutPrefix(line, "IpExt:")
		if !ok {
			continue
		}
		if names == nil { // the first IpExt line names the columns of the second
			names = strings.Fields(v)
			continue
		}
		for i, x := range strings.Fields(v) {
			if i >= len(names) {
				break
			}
			switch names[i] {
			case "InOctets":
				in, err = strconv.ParseFloat(x, 64)
			case "OutOctets":
				out, err = strconv.ParseFloat(x, 64)
			}
			if err != nil {
				return 0, 0, err
			}
		}
		return in, out, nil
	}
	return 0, 0, errShort
}
