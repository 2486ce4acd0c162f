package main

import (
	"bytes"
	"crypto/sha256"
	"debug/elf"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

func TestDebVersion(t *testing.T) {
	for in, want := range map[string]string{
		"v1.2.0":                             "1.2.0",
		"v1.2.0-rc.1":                        "1.2.0~rc.1",
		"v0.0.0-20261202092740-7d088dfc7490": "0.0.0~20261202092740.7d088dfc7490",
		"v1.2.1-0.20261202092740-7d088dfc7490+dirty": "1.2.1~0.20261202092740.7d088dfc7490+dirty",
	} {
		got, err := debVersion(in)
		if err != nil || got != want {
			t.Errorf("debVersion(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, bad := range []string{"(devel)", "", "v", "1.2.0", "v1.2.0-rc_1"} {
		if got, err := debVersion(bad); err == nil {
			t.Errorf("debVersion(%q) = %q, want an error", bad, got)
		}
	}
	// Versions must sort as Debian sorts them: a pseudo-version before
	// the release it precedes, a later commit after an earlier one.
	if _, err := exec.LookPath("dpkg"); err == nil {
		for _, c := range [][2]string{
			{"v0.0.0-20261201000000-aaaaaaaaaaaa", "v0.0.0-20261202000000-bbbbbbbbbbbb"},
			{"v1.2.1-0.20261202092740-7d088dfc7490", "v1.2.1"},
			{"v1.2.0-rc.1", "v1.2.0"},
		} {
			a, _ := debVersion(c[0])
			b, _ := debVersion(c[1])
			if err := exec.Command("dpkg", "--compare-versions", a, "lt", b).Run(); err != nil {
				t.Errorf("dpkg does not sort %s (%s) before %s (%s)", a, c[0], b, c[1])
			}
		}
	}
}

// checkout copies the working tree of the ticketd repository (tracked
// and new files, as git sees them) into a fresh git repository at dir
// with one commit, so the build has a VCS stamp and sees uncommitted
// work too.
func checkout(t *testing.T, dir string) {
	t.Helper()
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("git", "-C", root, "ls-files", "-z", "--cached", "--others", "--exclude-standard").Output()
	if err != nil {
		t.Fatalf("git ls-files: %v", err)
	}
	for _, f := range strings.Split(strings.TrimRight(string(out), "\x00"), "\x00") {
		src := filepath.Join(root, f)
		info, err := os.Lstat(src)
		if err != nil || !info.Mode().IsRegular() || strings.HasSuffix(f, ".deb") {
			continue // deleted in the working tree, or not a plain file
		}
		data, err := os.ReadFile(src)
		if err != nil {
			t.Fatal(err)
		}
		dst := filepath.Join(dir, f)
		if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(dst, data, info.Mode().Perm()); err != nil {
			t.Fatal(err)
		}
	}
	git := func(args ...string) {
		cmd := exec.Command("git", append([]string{"-C", dir}, args...)...)
		cmd.Env = append(os.Environ(), "GIT_AUTHOR_DATE=2026-12-02T10:00:00Z", "GIT_COMMITTER_DATE=2026-12-02T10:00:00Z",
			"GIT_AUTHOR_NAME=t", "GIT_AUTHOR_EMAIL=t@example.com", "GIT_COMMITTER_NAME=t", "GIT_COMMITTER_EMAIL=t@example.com")
		if msg, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, msg)
		}
	}
	git("init", "-q")
	git("add", "-A")
	git("commit", "-q", "-m", "test build")
}

func sha(t *testing.T, path string) [32]byte {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return sha256.Sum256(data)
}

// TestPackage builds the amd64 package twice, from two checkouts of the
// same commit in different directories, and inspects it with dpkg-deb:
// the same bytes both times (reproducible), the files and modes the
// README promises, the conffile, maintainer scripts that never start the
// service, and a static binary without build paths whose "ticketd
// version" names the commit.
func TestPackage(t *testing.T) {
	if testing.Short() {
		t.Skip("builds ticketd twice")
	}
	for _, tool := range []string{"git", "dpkg-deb"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Fatalf("%s is not installed", tool)
		}
	}
	base := t.TempDir()
	a, b := filepath.Join(base, "a", "ticketd"), filepath.Join(base, "checkout-b")
	checkout(t, a)
	if msg, err := exec.Command("git", "clone", "-q", a, b).CombinedOutput(); err != nil {
		t.Fatalf("git clone: %v\n%s", err, msg)
	}
	outA, outB := filepath.Join(base, "out-a"), filepath.Join(base, "out-b")
	var debs []string
	for _, o := range []Options{{Repo: a, Out: outA, Arches: []string{"amd64"}}, {Repo: b, Out: outB, Arches: []string{"amd64"}}} {
		os.MkdirAll(o.Out, 0o755)
		d, err := Build(o)
		if err != nil {
			t.Fatal(err)
		}
		if len(d) != 1 {
			t.Fatalf("built %v", d)
		}
		debs = append(debs, d[0])
	}
	deb := debs[0]
	if filepath.Base(debs[0]) != filepath.Base(debs[1]) || sha(t, debs[0]) != sha(t, debs[1]) {
		t.Errorf("two builds of one commit differ: %s and %s", debs[0], debs[1])
	}
	if !regexp.MustCompile(`^ticketd_0\.0\.0~20261202100000\.[0-9a-f]{12}_amd64\.deb$`).MatchString(filepath.Base(deb)) {
		t.Errorf("package file %s: want the pseudo-version of the commit", filepath.Base(deb))
	}

	dpkg := func(args ...string) string {
		out, err := exec.Command("dpkg-deb", args...).CombinedOutput()
		if err != nil {
			t.Fatalf("dpkg-deb %v: %v\n%s", args, err, out)
		}
		return string(out)
	}
	fields := dpkg("-f", deb, "Package", "Architecture", "Depends", "Version")
	for _, want := range []string{"Package: ticketd", "Architecture: amd64", "Depends: adduser", "Version: 0.0.0~20261202100000."} {
		if !strings.Contains(fields, want) {
			t.Errorf("control lacks %q:\n%s", want, fields)
		}
	}
	contents := dpkg("-c", deb)
	for _, want := range []*regexp.Regexp{
		regexp.MustCompile(`(?m)^-rwxr-xr-x root/root .* \./usr/bin/ticketd$`),
		regexp.MustCompile(`(?m)^drwxr-xr-x root/root .* \./etc/ticketd/$`),
		regexp.MustCompile(`(?m)^-rw-r----- root/ticketd .* \./etc/ticketd/ticketd\.toml$`),
		regexp.MustCompile(`(?m)^-rw-r--r-- root/root .* \./usr/lib/systemd/system/ticketd\.service$`),
		regexp.MustCompile(`(?m)^-rw-r--r-- root/root .* \./usr/share/man/man8/ticketd\.8\.gz$`),
		regexp.MustCompile(`(?m) \./usr/share/bash-completion/completions/ticketd$`),
		regexp.MustCompile(`(?m) \./usr/share/zsh/vendor-completions/_ticketd$`),
		regexp.MustCompile(`(?m) \./usr/share/fish/vendor_completions\.d/ticketd\.fish$`),
		regexp.MustCompile(`(?m) \./usr/share/ticketd/prometheus/ticketd-alerts\.yml$`),
		regexp.MustCompile(`(?m) \./usr/share/ticketd/grafana/ticketd-dashboard\.json$`),
		regexp.MustCompile(`(?m) 2026-12-02 10:00 \./usr/bin/ticketd$`), // files dated by the commit
	} {
		if !want.MatchString(contents) {
			t.Errorf("contents lack %s:\n%s", want, contents)
		}
	}

	ctrl := filepath.Join(base, "control")
	dpkg("-e", deb, ctrl)
	if data, _ := os.ReadFile(filepath.Join(ctrl, "conffiles")); strings.TrimSpace(string(data)) != "/etc/ticketd/ticketd.toml" {
		t.Errorf("conffiles: %q", data)
	}
	postinst, _ := os.ReadFile(filepath.Join(ctrl, "postinst"))
	if !bytes.Contains(postinst, []byte("adduser --system")) || !bytes.Contains(postinst, []byte("/var/lib/ticketd")) {
		t.Errorf("postinst creates no user or data directory:\n%s", postinst)
	}
	// The commands it runs, without the text it prints for the admin
	// (which tells them to enable the service themselves).
	commands := regexp.MustCompile(`(?s)<<'MSG'.*?\nMSG\n`).ReplaceAll(postinst, nil)
	if bytes.Equal(commands, postinst) {
		t.Error("postinst prints no instructions for the admin")
	}
	if m := regexp.MustCompile(`systemctl\s+(start|enable|restart|reload-or-restart)\b`).Find(commands); m != nil {
		t.Errorf("postinst starts the service (%s) before it is configured", m)
	}

	root := filepath.Join(base, "root")
	dpkg("-x", deb, root)
	bin := filepath.Join(root, "usr/bin/ticketd")
	f, err := elf.Open(bin)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range f.Progs {
		if p.Type == elf.PT_INTERP {
			t.Error("the binary has an ELF interpreter: it is not static")
		}
	}
	f.Close()
	data, _ := os.ReadFile(bin)
	for _, path := range []string{a, b, base} {
		if bytes.Contains(data, []byte(path)) {
			t.Errorf("the binary contains the build path %s", path)
		}
	}
	want, _ := os.ReadFile(filepath.Join(a, "config.example.toml"))
	if got, _ := os.ReadFile(filepath.Join(root, "etc/ticketd/ticketd.toml")); !bytes.Equal(got, want) {
		t.Error("the packaged ticketd.toml is not config.example.toml")
	}
	commit, _ := exec.Command("git", "-C", a, "rev-parse", "HEAD").Output()
	out, err := exec.Command(bin, "version").CombinedOutput()
	if err != nil || !strings.Contains(string(out), "commit: "+strings.TrimSpace(string(commit))+"\n") || !strings.Contains(string(out), "built:  2026-12-02T10:00:00Z") {
		t.Errorf("ticketd version: %v\n%s", err, out)
	}
}
