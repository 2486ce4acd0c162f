package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"
)

// TestAdminSocketIsNeverReachableByOthers: the daemon, started under
// umask 000 (so bind makes a 0777 socket), creates its admin socket inside
// a directory only its user can enter; the socket ends 0600 and the admin
// commands reach the daemon through it.
func TestAdminSocketIsNeverReachableByOthers(t *testing.T) {
	e := newE2E(t)
	// A data_dir an admin left group- and world-readable, and a stale
	// directory for the socket with a wide mode.
	if err := os.MkdirAll(filepath.Join(e.dataDir, "admin"), 0o777); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(filepath.Join(e.dataDir, "admin"), 0o777); err != nil {
		t.Fatal(err)
	}
	_, lines, _ := startCmd(t, exec.Command("sh", "-c", `umask 000 && exec "$0" run --config "$1"`, binary, e.config))
	waitLine(t, lines, "ticketd started", 20*time.Second)

	socket := filepath.Join(e.dataDir, "admin", "ticketd.sock")
	dir, err := os.Lstat(filepath.Dir(socket))
	if err != nil {
		t.Fatal(err)
	}
	if !dir.IsDir() || dir.Mode().Perm() != 0o700 || dir.Sys().(*syscall.Stat_t).Uid != uint32(os.Geteuid()) {
		t.Fatalf("the socket's directory is %v (uid %d), want a 0700 directory of ours", dir.Mode(), dir.Sys().(*syscall.Stat_t).Uid)
	}
	sock, err := os.Lstat(socket)
	if err != nil || sock.Mode()&os.ModeSocket == 0 || sock.Mode().Perm() != 0o600 {
		t.Fatalf("admin socket: %v, %v; want a 0600 socket", sock, err)
	}
	var st struct {
		Schema int `json:"schema"`
	}
	e.jsonOut(&st, "stats", "--json") // through the socket: the daemon holds the lock
	if st.Schema == 0 {
		t.Fatalf("stats through the socket: %+v", st)
	}
}
