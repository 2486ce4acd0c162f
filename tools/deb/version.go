package main

import (
	"fmt"
	"strings"
)

// debVersion turns the Go module version stamped into the binary into a
// Debian version that sorts the same way (deb-version(7)): a Go
// pre-release or pseudo-version ("v1.2.0-rc.1",
// "v0.0.0-20261202092740-7d088dfc7490") sorts before its release, which
// Debian writes with "~"; build metadata ("+dirty") stays after "+".
// A hyphen is not allowed in a Debian version without a revision, so the
// pre-release's hyphens become dots.
func debVersion(goVersion string) (string, error) {
	v, ok := strings.CutPrefix(goVersion, "v")
	if !ok || v == "" || v[0] < '0' || v[0] > '9' {
		return "", fmt.Errorf("module version %q is not a release or pseudo-version: build in a git clone with its commit (go stamps no version into builds from a worktree or an unpacked tarball)", goVersion)
	}
	v, meta, hasMeta := strings.Cut(v, "+")
	base, pre, hasPre := strings.Cut(v, "-")
	out := base
	if hasPre {
		out += "~" + strings.ReplaceAll(pre, "-", ".")
	}
	if hasMeta {
		out += "+" + strings.ReplaceAll(meta, "-", ".")
	}
	for _, r := range out {
		if !(r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || strings.ContainsRune(".+~", r)) {
			return "", fmt.Errorf("module version %q gives %q, not a Debian version", goVersion, out)
		}
	}
	return out, nil
}
