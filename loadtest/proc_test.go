package loadtest

import (
	"context"
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"
)

// procPeak is what /proc says of a process's memory (KiB) and faults.
type procPeak struct {
	anon, hwm, majflt int64
}

// procStatus reads pid's RssAnon and VmHWM, and its major faults.
func procStatus(pid int) procPeak {
	var p procPeak
	if data, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid)); err == nil {
		for _, line := range strings.Split(string(data), "\n") {
			key, v, ok := strings.Cut(line, ":")
			if !ok {
				continue
			}
			kb, err := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			if err != nil {
				continue
			}
			switch key {
			case "RssAnon":
				p.anon = kb
			case "VmHWM":
				p.hwm = kb
			}
		}
	}
	// statFields: state ppid pgrp session tty_nr tpgid flags minflt
	// cminflt majflt.
	if fields, err := statFields(pid); err == nil && len(fields) > 9 {
		p.majflt, _ = strconv.ParseInt(fields[9], 10, 64)
	}
	return p
}

// samplePeaks reads pid's memory every 5 ms until ctx is
// done and returns the highest RssAnon and VmHWM seen.
func samplePeaks(ctx context.Context, pid int) procPeak {
	var top procPeak
	tick := time.NewTicker(5 * time.Millisecond)
	defer tick.Stop()
	for {
		p := procStatus(pid)
		top.anon, top.hwm = max(top.anon, p.anon), max(top.hwm, p.hwm)
		select {
		case <-ctx.Done():
			return top
		case <-tick.C:
		}
	}
}

// treeCPU is the user + system CPU time used so far by the process root,
// its live descendants and the children it has reaped (cutime, cstime):
// a server that forks a process per connection, as Dovecot does, is
// accounted whole. members are the processes of the tree, in /proc's
// order: a process that ends while the tree is read can be missed or
// counted twice (read alive, then in the reaper's cutime), so serverCPU
// reads the tree until two readings find the same processes.
func treeCPU(root int) (cpu time.Duration, members []int, err error) {
	entries, err := os.ReadDir("/proc")
	if err != nil {
		return 0, nil, err
	}
	type proc struct {
		ppid  int
		ticks int64
	}
	procs := make(map[int]proc)
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		f, err := statFields(pid)
		if err != nil || len(f) < 15 {
			continue // gone meanwhile
		}
		ppid, _ := strconv.Atoi(f[1])
		var ticks int64
		n := 2 // utime, stime
		if pid == root {
			n = 4 // and the reaped children's
		}
		for _, v := range f[11 : 11+n] {
			t, _ := strconv.ParseInt(v, 10, 64)
			ticks += t
		}
		procs[pid] = proc{ppid, ticks}
	}
	if _, ok := procs[root]; !ok {
		return 0, nil, fmt.Errorf("process %d is gone", root)
	}
	var ticks int64
	for pid, p := range procs {
		for q := pid; q > 1; q = procs[q].ppid {
			if q == root {
				ticks += p.ticks
				members = append(members, pid)
				break
			}
		}
	}
	slices.Sort(members)
	return time.Duration(ticks) * time.Second / userHZ, members, nil
}

// statFields are the fields of /proc/PID/stat after the command name:
// [0] is the state, [1] the parent's pid, [11:15] utime stime cutime
// cstime.
func statFields(pid int) ([]string, error) {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return nil, err
	}
	i := strings.LastIndexByte(string(data), ')')
	if i < 0 {
		return nil, fmt.Errorf("/proc/%d/stat: no ')'", pid)
	}
	return strings.Fields(string(data[i+1:])), nil
}

// machineTicks is /proc/stat's first line: the time all CPUs were busy
// and the total, in USER_HZ ticks.
type machineTicks struct{ busy, total int64 }

func readMachine() machineTicks {
	data, err := os.ReadFile("/proc/stat")
	if err != nil {
		return machineTicks{}
	}
	line, _, _ := strings.Cut(string(data), "\n")
	fields := strings.Fields(line)
	var m machineTicks
	// user nice system idle iowait irq softirq steal; guest time is
	// counted in user already. Idle, waiting for I/O and stolen by the
	// hypervisor are not busy.
	for i, f := range fields[1:min(len(fields), 9)] {
		v, _ := strconv.ParseInt(f, 10, 64)
		m.total += v
		if i != 3 && i != 4 && i != 7 {
			m.busy += v
		}
	}
	return m
}

// busyShare is the share of the machine's CPU time (all cores) that was
// busy between a and b, in percent.
func busyShare(a, b machineTicks) float64 {
	if b.total <= a.total {
		return 0
	}
	return 100 * float64(b.busy-a.busy) / float64(b.total-a.total)
}
