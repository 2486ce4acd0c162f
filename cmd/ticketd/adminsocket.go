package main

import (
	"errors"
	"fmt"
	"io/fs"
	"net"
	"os"
	"path/filepath"
	"syscall"
)

// adminSocketDir is the directory in data_dir that holds the admin socket.
const adminSocketDir = "admin"

// listenPrivate listens on the unix socket at path, inside a directory of
// mode 0700 made (or tightened) first. bind creates the socket with the
// process umask and only the chmod after it makes it 0600; in between
// nobody else may reach it, and a private directory, unlike umask, is not
// state shared by the whole process.
func listenPrivate(path string) (net.Listener, error) {
	dir := filepath.Dir(path)
	if err := os.Mkdir(dir, 0o700); err != nil && !errors.Is(err, fs.ErrExist) {
		return nil, err
	}
	info, err := os.Lstat(dir)
	if err != nil {
		return nil, err
	}
	if !info.IsDir() {
		return nil, fmt.Errorf("%s is not a directory", dir)
	}
	if st, ok := info.Sys().(*syscall.Stat_t); ok && int(st.Uid) != os.Geteuid() {
		return nil, fmt.Errorf("%s belongs to uid %d, not to ticketd's user", dir, st.Uid)
	}
	if info.Mode().Perm() != 0o700 {
		if err := os.Chmod(dir, 0o700); err != nil {
			return nil, err
		}
	}
	// A socket left by a daemon that crashed: we hold the database lock,
	// so no other daemon of this data_dir is using it.
	_ = os.Remove(path)
	ln, err := net.Listen("unix", path)
	if err != nil {
		return nil, err
	}
	if err := os.Chmod(path, 0o600); err != nil {
		ln.Close()
		return nil, err
	}
	return ln, nil
}
