package loadtest

import (
	"context"
	"fmt"
	"os"
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
	if data, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid)); err == nil {
		s := string(data)
		if i := strings.LastIndexByte(s, ')'); i >= 0 {
			// Fields after the command: state ppid pgrp session tty_nr
			// tpgid flags minflt cminflt majflt (field 12 of stat).
			if fields := strings.Fields(s[i+1:]); len(fields) > 9 {
				p.majflt, _ = strconv.ParseInt(fields[9], 10, 64)
			}
		}
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
