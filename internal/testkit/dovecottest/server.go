package dovecottest

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/ticketd/ticketd/internal/testkit/testcert"
)

const (
	// readyTimeout bounds how long Start waits for the IMAP greeting.
	readyTimeout = 15 * time.Second
	// termTimeout bounds the wait after SIGTERM before SIGKILL.
	termTimeout = 10 * time.Second
	// portAttempts is how often Start retries when another process takes the
	// chosen port between choosing and binding it.
	portAttempts = 5
)

// errPortClash reports that Dovecot could not bind the chosen port.
var errPortClash = errors.New("port already in use")

// User is an IMAP account on the test server. Names are case-insensitive
// (Dovecot lowercases them) and may be full addresses such as
// "soporte@example.com".
type User struct{ Name, Password string }

// Options configure a server started with StartWith. The zero value is
// what Start uses: plain text only (ssl = no).
type Options struct {
	// TLS turns on ssl = yes: the IMAP port (Addr) offers STARTTLS and a
	// second port (TLSAddr) speaks implicit TLS, both with Cert's
	// certificate for 127.0.0.1.
	//
	// Dovecot counts a connection from 127.0.0.1 to 127.0.0.1 as secured,
	// so it accepts LOGIN without STARTTLS even with ssl = required; to
	// prove a client used TLS, see LoginsOverTLS.
	TLS bool
	// Cert is the CA and server certificate to use; nil with TLS makes a
	// fresh one (see Server.Cert).
	Cert *testcert.Cert
}

// Server is a running Dovecot instance. Its methods are safe for concurrent
// use, but the helpers that take a testing.TB must run on that test's
// goroutine, like any t.Fatal.
type Server struct {
	dir     string // temporary root holding every file
	addr    string // 127.0.0.1:port, plain text or STARTTLS
	tlsAddr string // 127.0.0.1:port with implicit TLS; "" without TLS
	opts    Options
	users   map[string]string // lowercased name → password

	mu   sync.Mutex
	cmd  *exec.Cmd     // the master, in the foreground
	done chan struct{} // closed once cmd has exited and been reaped
	pid  int           // from base_dir/master.pid

	stopOnce sync.Once
}

// Start starts Dovecot with the given users and registers its stop with
// t.Cleanup. Where Dovecot is not installed it installs dovecot-imapd if
// running as root with apt-get, and otherwise fails the test saying what to
// install; it never skips. A start failure includes the end of Dovecot's log.
func Start(t testing.TB, users ...User) *Server {
	t.Helper()
	return StartWith(t, Options{}, users...)
}

// StartWith is Start configured by opts, e.g. with TLS.
func StartWith(t testing.TB, opts Options, users ...User) *Server {
	t.Helper()
	if opts.TLS && opts.Cert == nil {
		opts.Cert = testcert.New(t)
	}
	bin := ensureInstalled(t)

	// A short root: Dovecot's unix sockets live in base_dir and their paths
	// are limited to about 108 bytes, which t.TempDir can exceed.
	dir, err := os.MkdirTemp("/tmp", "dvt")
	if err != nil {
		t.Fatalf("dovecottest: %v", err)
	}
	s := &Server{dir: dir, opts: opts, users: make(map[string]string, len(users))}
	t.Cleanup(func() {
		s.Stop()
		if t.Failed() {
			t.Logf("dovecottest: kept %s for inspection (log: %s)", dir, s.LogPath())
			return
		}
		_ = os.RemoveAll(dir)
	})
	for _, u := range users {
		s.users[strings.ToLower(u.Name)] = u.Password
	}
	if err := s.prepare(users); err != nil {
		t.Fatalf("dovecottest: prepare %s: %v", dir, err)
	}

	for attempt := 1; ; attempt++ {
		port, err := freePort()
		if err != nil {
			t.Fatalf("dovecottest: %v", err)
		}
		tlsPort := 0
		if opts.TLS {
			if tlsPort, err = freePort(); err != nil {
				t.Fatalf("dovecottest: %v", err)
			}
		}
		if tlsPort == port && attempt < portAttempts { // the same port twice: pick anew
			continue
		}
		err = s.launch(bin, port, tlsPort)
		if err == nil {
			return s
		}
		if errors.Is(err, errPortClash) && attempt < portAttempts {
			continue
		}
		t.Fatalf("dovecottest: start dovecot (%s -F -c %s): %v\n--- last lines of %s ---\n%s",
			bin, s.confPath(), err, s.LogPath(), s.logTail(30))
	}
}

// Addr returns the IMAP listener's address, "127.0.0.1:port". With TLS it
// offers STARTTLS.
func (s *Server) Addr() string { return s.addr }

// TLSAddr returns the implicit-TLS (imaps) listener's address,
// "127.0.0.1:port", or "" when the server was started without TLS.
func (s *Server) TLSAddr() string { return s.tlsAddr }

// Cert returns the certificate the server presents, nil without TLS.
func (s *Server) Cert() *testcert.Cert { return s.opts.Cert }

// CAFile returns the PEM file of the CA that signed the server's
// certificate — what a client's ca_file names — or "" without TLS.
func (s *Server) CAFile() string {
	if s.opts.Cert == nil {
		return ""
	}
	return s.opts.Cert.CAFile
}

// PID returns the Dovecot master's process ID, as written to
// base_dir/master.pid.
func (s *Server) PID() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.pid
}

// LogPath returns Dovecot's log file (log_path).
func (s *Server) LogPath() string { return filepath.Join(s.dir, "dovecot.log") }

// Stop stops Dovecot: SIGTERM to the master's PID, a bounded wait until the
// process is gone, then SIGKILL. It is idempotent and also runs at cleanup.
func (s *Server) Stop() {
	s.stopOnce.Do(s.terminate)
}

func (s *Server) confPath() string { return filepath.Join(s.dir, "dovecot.conf") }

// certPaths returns where prepare copies the certificate chain and key.
func (s *Server) certPaths() (certFile, keyFile string) {
	return filepath.Join(s.dir, "ssl-cert.pem"), filepath.Join(s.dir, "ssl-key.pem")
}

// prepare lays out the temporary root: traversable directories (Dovecot's
// unprivileged processes need +x on every parent), the users file, and a mail
// directory owned by the mail user when running as root.
func (s *Server) prepare(users []User) error {
	if err := os.Chmod(s.dir, 0o755); err != nil {
		return err
	}
	if err := writeUsers(filepath.Join(s.dir, "users"), users); err != nil {
		return err
	}
	if s.opts.TLS {
		// Copies inside the temporary root, so Dovecot reads no file
		// outside it; the key stays readable by its owner only.
		certFile, keyFile := s.certPaths()
		for _, f := range []struct {
			from, to string
			mode     os.FileMode
		}{{s.opts.Cert.CertFile, certFile, 0o644}, {s.opts.Cert.KeyFile, keyFile, 0o600}} {
			data, err := os.ReadFile(f.from)
			if err != nil {
				return err
			}
			if err := os.WriteFile(f.to, data, f.mode); err != nil {
				return err
			}
		}
	}
	mail := filepath.Join(s.dir, "mail")
	if err := os.Mkdir(mail, 0o755); err != nil {
		return err
	}
	if os.Geteuid() == 0 {
		uid, gid, err := mailOwner()
		if err != nil {
			return err
		}
		if err := os.Chown(mail, uid, gid); err != nil {
			return err
		}
	}
	return nil
}

// launch writes the configuration for port, starts the master in the
// foreground and waits until it greets on the port.
func (s *Server) launch(bin string, port, tlsPort int) error {
	greeting := "dovecottest-" + randomHex(8) + " ready"
	d := confData{Dir: s.dir, Port: port, Greeting: greeting}
	if s.opts.TLS {
		d.TLS, d.TLSPort = true, tlsPort
		d.CertFile, d.KeyFile = s.certPaths()
	}
	if err := writeConfig(s.confPath(), d); err != nil {
		return err
	}
	// A fresh log per attempt, so errors are this attempt's.
	if err := os.WriteFile(s.LogPath(), nil, 0o644); err != nil {
		return err
	}
	stderr, err := os.Create(filepath.Join(s.dir, "stderr.log"))
	if err != nil {
		return err
	}
	defer stderr.Close()

	// -F keeps the master in the foreground as our child, so it is reaped
	// rather than left a zombie where PID 1 does not reap; Pdeathsig stops it
	// if the test binary dies without running its cleanups (e.g. -timeout).
	cmd := exec.Command(bin, "-F", "-c", s.confPath())
	cmd.Dir = s.dir
	cmd.Stdout, cmd.Stderr = stderr, stderr
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGTERM}
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("exec: %w", err)
	}
	done := make(chan struct{})
	go func() {
		_ = cmd.Wait()
		close(done)
	}()
	s.mu.Lock()
	s.cmd, s.done, s.pid = cmd, done, 0
	s.mu.Unlock()

	addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
	deadline := time.Now().Add(readyTimeout)
	for {
		select {
		case <-done:
			if strings.Contains(s.logTail(50), "Address already in use") {
				return errPortClash
			}
			return fmt.Errorf("dovecot exited during start: %v", cmd.ProcessState)
		default:
		}
		if greeted(addr, greeting) {
			break
		}
		if time.Now().After(deadline) {
			s.killLaunch(cmd, done)
			return fmt.Errorf("no IMAP greeting on %s within %v", addr, readyTimeout)
		}
		time.Sleep(20 * time.Millisecond)
	}

	pid, err := readPID(filepath.Join(s.dir, "run", "master.pid"))
	if err != nil {
		s.killLaunch(cmd, done)
		return err
	}
	if tlsPort != 0 {
		// A verified handshake and our greeting on imaps prove that the
		// certificate loaded and the second listener is ours.
		tlsAddr := net.JoinHostPort("127.0.0.1", strconv.Itoa(tlsPort))
		if err := tlsGreeted(tlsAddr, greeting, s.clientTLS()); err != nil {
			s.killLaunch(cmd, done)
			return fmt.Errorf("imaps on %s: %w", tlsAddr, err)
		}
		s.tlsAddr = tlsAddr
	}
	s.mu.Lock()
	s.pid = pid
	s.mu.Unlock()
	s.addr = addr
	return nil
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
