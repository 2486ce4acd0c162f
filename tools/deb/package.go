package main

import (
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/goreleaser/nfpm/v2"
	"github.com/goreleaser/nfpm/v2/deb"
	"github.com/goreleaser/nfpm/v2/files"
)

// pkgSpec is one package to write.
type pkgSpec struct {
	repo, out string
	arch      string
	binary    string
	version   string
	mtime     time.Time
	docs      docs
}

// Where the package puts things; the unit, the scripts and the README
// name the same paths.
const (
	configPath     = "/etc/ticketd/ticketd.toml"
	unitPath       = "/usr/lib/systemd/system/ticketd.service"
	manPath        = "/usr/share/man/man8/ticketd.8.gz"
	bashCompletion = "/usr/share/bash-completion/completions/ticketd"
	zshCompletion  = "/usr/share/zsh/vendor-completions/_ticketd"
	fishCompletion = "/usr/share/fish/vendor_completions.d/ticketd.fish"
)

// packageInfo is the nfpm description of ticketd's package for one
// architecture.
func packageInfo(s pkgSpec) (*nfpm.Info, error) {
	dist := func(p string) string { return filepath.Join(s.repo, "dist", p) }
	script := func(name string) (string, error) {
		p := dist(filepath.Join("debian", name))
		_, err := os.Stat(p)
		return p, err
	}
	file := func(src, dst string, mode os.FileMode) *files.Content {
		return &files.Content{Source: src, Destination: dst, FileInfo: &files.ContentFileInfo{Mode: mode, Owner: "root", Group: "root", MTime: s.mtime}}
	}
	contents := files.Contents{
		{Destination: "/etc/ticketd", Type: files.TypeDir, FileInfo: &files.ContentFileInfo{Mode: 0o755, Owner: "root", Group: "root", MTime: s.mtime}},
		file(s.binary, "/usr/bin/ticketd", 0o755),
		// The conffile: dpkg keeps the admin's version on upgrade and
		// asks when both changed. Group ticketd, so the service (and not
		// everyone) can read it; postinst sets the group on a first
		// install, before which the group does not exist.
		{Source: filepath.Join(s.repo, "config.example.toml"), Destination: configPath, Type: files.TypeConfig,
			FileInfo: &files.ContentFileInfo{Mode: 0o640, Owner: "root", Group: "ticketd", MTime: s.mtime}},
		file(dist("systemd/ticketd.service"), unitPath, 0o644),
		file(s.docs.manPage, manPath, 0o644),
		file(s.docs.bash, bashCompletion, 0o644),
		file(s.docs.zsh, zshCompletion, 0o644),
		file(s.docs.fish, fishCompletion, 0o644),
		file(dist("prometheus/ticketd-alerts.yml"), "/usr/share/ticketd/prometheus/ticketd-alerts.yml", 0o644),
		file(dist("grafana/ticketd-dashboard.json"), "/usr/share/ticketd/grafana/ticketd-dashboard.json", 0o644),
		file(filepath.Join(s.repo, "README.md"), "/usr/share/doc/ticketd/README.md", 0o644),
	}
	info := &nfpm.Info{
		Name:          "ticketd",
		Arch:          s.arch,
		Platform:      "linux",
		Version:       s.version,
		VersionSchema: "none", // debVersion already wrote a Debian version
		Section:       "mail",
		Priority:      "optional",
		Maintainer:    "ticketd maintainers <ticketd@example.com>",
		Description: "email-driven help desk daemon\n" +
			"ticketd turns a support mailbox into a help desk: every conversation\n" +
			"becomes a numbered ticket, routed through support tiers under\n" +
			"service-level targets; requesters and agents only use their mail client.",
		Homepage: "https://github.com/ticketd/ticketd",
		License:  "proprietary",
		MTime:    s.mtime,
		Overridables: nfpm.Overridables{
			Depends:  []string{"adduser"},
			Contents: contents,
		},
	}
	for name, dst := range map[string]*string{"postinst": &info.Scripts.PostInstall, "prerm": &info.Scripts.PreRemove, "postrm": &info.Scripts.PostRemove} {
		p, err := script(name)
		if err != nil {
			return nil, err
		}
		*dst = p
	}
	return info, nil
}

// writePackage writes the .deb for s and returns its path.
func writePackage(s pkgSpec) (string, error) {
	info, err := packageInfo(s)
	if err != nil {
		return "", err
	}
	info = nfpm.WithDefaults(info)
	path := filepath.Join(s.out, deb.Default.ConventionalFileName(info))
	f, err := os.Create(path + ".tmp")
	if err != nil {
		return "", err
	}
	defer os.Remove(f.Name())
	if err := deb.Default.Package(info, f); err != nil {
		f.Close()
		return "", err
	}
	if err := f.Close(); err != nil {
		return "", err
	}
	if err := os.Rename(f.Name(), path); err != nil {
		return "", fmt.Errorf("write %s: %w", path, err)
	}
	return path, nil
}
