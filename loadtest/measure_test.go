package loadtest

// Issue 16's measurement: CPU time around each phase and the side-by-side
// table of phases against the plain IMAP fetch.

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// userHZ is the unit of utime and stime in /proc/PID/stat: USER_HZ, which
// Linux fixes at 100 for user space whatever the kernel's own HZ.
const userHZ = 100

// childCPU is the user + system CPU time the live process pid has used so
// far, from /proc/PID/stat (10 ms resolution).
func childCPU(pid int) (time.Duration, error) {
	fields, err := statFields(pid)
	if err != nil {
		return 0, err
	}
	if len(fields) < 13 {
		return 0, fmt.Errorf("/proc/%d/stat: %d fields", pid, len(fields))
	}
	var ticks int64
	for _, f := range fields[11:13] {
		v, err := strconv.ParseInt(f, 10, 64)
		if err != nil {
			return 0, fmt.Errorf("/proc/%d/stat: %w", pid, err)
		}
		ticks += v
	}
	return time.Duration(ticks) * time.Second / userHZ, nil
}

// selfCPU is the user + system CPU time of this test process so far.
func selfCPU(t *testing.T) time.Duration {
	t.Helper()
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		t.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// passWatch reads a child's log as it comes and, the moment the "mail
// pass" line (logged once the last batch is committed and moved) appears,
// takes the child's CPU time and how many mails the SMTP sink holds: the
// split between ingest (with delivery running beside it) and the
// delivery that is left after it.
type passWatch struct {
	log      bytes.Buffer // read only after read has returned
	seen     bool
	cpu      time.Duration
	cpuErr   error
	mailsNow int
	machine  machineTicks // the machine's CPU ticks then
}

func (w *passWatch) read(r io.Reader, pid int, mails func() int) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64*1024), 1024*1024)
	for sc.Scan() {
		line := sc.Text()
		if !w.seen && strings.Contains(line, `msg="mail pass"`) {
			cpu, err := childCPU(pid)
			w.seen, w.cpu, w.cpuErr, w.mailsNow, w.machine = true, cpu, err, mails(), readMachine()
		}
		w.log.WriteString(line)
		w.log.WriteByte('\n')
	}
	_, _ = io.Copy(&w.log, r)
}

// row is one line of the side-by-side table: a rate and its CPU per
// message, with both as multiples of the plain fetch.
type row struct {
	name    string
	perSec  float64
	cpuUsec float64 // CPU µs per message; 0 when not measured
}

// comparison renders the table of phases against the plain fetch (the
// first row): time ratio = fetch rate / phase rate.
func comparison(rows []row) []string {
	base := rows[0]
	out := []string{fmt.Sprintf("  %-44s %9s %9s %11s %9s", "phase", "msg/s", "time ×fetch", "CPU µs/msg", "CPU ×fetch")}
	for _, r := range rows {
		cpu, cpuX := "-", "-"
		if r.cpuUsec > 0 {
			cpu = fmt.Sprintf("%.0f", r.cpuUsec)
			if base.cpuUsec > 0 {
				cpuX = fmt.Sprintf("%.1f", r.cpuUsec/base.cpuUsec)
			}
		}
		out = append(out, fmt.Sprintf("  %-44s %9.0f %9.1f   %11s %9s", r.name, r.perSec, base.perSec/r.perSec, cpu, cpuX))
	}
	return out
}
