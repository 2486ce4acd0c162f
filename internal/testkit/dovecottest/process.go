package dovecottest

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// terminate stops the running master (see Stop).
func (s *Server) terminate() {
	{
		s.mu.Lock()
		pid, done := s.pid, s.done
		if s.cmd != nil && s.cmd.Process != nil {
			if pid == 0 {
				pid = s.cmd.Process.Pid // stopped before master.pid was read
			}
			if pid != s.cmd.Process.Pid {
				done = nil // not our child: watch the PID itself
			}
		}
		s.mu.Unlock()
		if pid == 0 || exited(done) {
			// Never signal a reaped PID: the number may belong to someone else now.
			return
		}
		_ = syscall.Kill(pid, syscall.SIGTERM)
		if waitGone(pid, done, termTimeout) {
			return
		}
		_ = syscall.Kill(pid, syscall.SIGKILL)
		waitGone(pid, done, 5*time.Second)
	}
}

// killLaunch stops a master that did not become ready.
func (s *Server) killLaunch(cmd *exec.Cmd, done chan struct{}) {
	_ = cmd.Process.Signal(syscall.SIGTERM)
	if !waitGone(cmd.Process.Pid, done, termTimeout) {
		_ = cmd.Process.Kill()
		<-done
	}
}

// exited reports whether done (nil: unknown) is closed.
func exited(done <-chan struct{}) bool {
	if done == nil {
		return false
	}
	select {
	case <-done:
		return true
	default:
		return false
	}
}

// waitGone waits up to d for pid to exit. done, when not nil, is closed once
// pid has exited and been reaped by this package; then only done counts, so
// that on return the PID no longer exists at all (not even as a zombie).
func waitGone(pid int, done <-chan struct{}, d time.Duration) bool {
	if done != nil {
		select {
		case <-done:
			return true
		case <-time.After(d):
			return false
		}
	}
	deadline := time.Now().Add(d)
	for !processGone(pid) {
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(20 * time.Millisecond)
	}
	return true
}

// processGone reports whether pid no longer runs: it does not exist, or it is
// a zombie waiting to be reaped by a parent that is not us.
func processGone(pid int) bool {
	if err := syscall.Kill(pid, 0); errors.Is(err, syscall.ESRCH) {
		return true
	}
	stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return os.IsNotExist(err)
	}
	// Format: pid (comm) state ...; comm may contain spaces and parentheses.
	if i := strings.LastIndexByte(string(stat), ')'); i >= 0 && i+2 < len(stat) {
		return stat[i+2] == 'Z'
	}
	return false
}

// readPID reads Dovecot's master.pid.
func readPID(path string) (int, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return 0, fmt.Errorf("read master pid: %w", err)
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil || pid <= 0 {
		return 0, fmt.Errorf("read master pid: bad content %q", b)
	}
	return pid, nil
}
