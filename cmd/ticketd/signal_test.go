package main

import (
	"errors"
	"io"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestReadOnlyCommandEndsOnSIGTERM: a command that writes nothing ends
// at once on SIGTERM (and SIGINT), as any program does, instead of
// catching the signal for a context it ignores and running on (Ctrl-C
// used to wait for the end of "list --limit 0"). inspect prints a large
// message's JSON to a pipe nobody reads: once its first bytes are out it
// is blocked writing the rest, past start-up, when the signal comes.
func TestReadOnlyCommandEndsOnSIGTERM(t *testing.T) {
	cmd := exec.Command(binary, "inspect", "-")
	cmd.Stdin = strings.NewReader("From: pedro@cliente.test\r\nTo: soporte@ticketd.test\r\nSubject: big\r\n\r\n" +
		strings.Repeat("a line of text that fills the pipe\r\n", 8000))
	_, _, stdout := startCmd(t, cmd)
	if _, err := io.ReadFull(stdout, make([]byte, 16)); err != nil {
		t.Fatalf("first bytes of inspect's output: %v", err)
	}
	if err := syscall.Kill(cmd.Process.Pid, syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		var exit *exec.ExitError
		if !errors.As(err, &exit) || exit.Sys().(syscall.WaitStatus).Signal() != syscall.SIGTERM {
			t.Fatalf("inspect after SIGTERM: %v, want ended by the signal", err)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("inspect still blocked 20 s after SIGTERM: the signal was caught")
	}
}

// TestWritersCatchSignals: the commands that write or serve keep catching
// SIGINT and SIGTERM (to finish what they write), the readers do not.
func TestWritersCatchSignals(t *testing.T) {
	readers := map[string]bool{"list": true, "show": true, "stats": true, "report": true, "kb": true,
		"inspect": true, "completion": true, "man": true, "version": true, "help": true}
	for _, cmd := range commands {
		if cmd.readOnly != readers[cmd.name] {
			t.Errorf("%s: readOnly %v", cmd.name, cmd.readOnly)
		}
	}
}
