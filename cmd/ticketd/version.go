package main

import (
	"fmt"
	"runtime/debug"
	"time"
)

// buildVersion is what this binary knows of its own build, all read from
// the Go build information (go build stamps the module version from the
// VCS tag or a pseudo-version, and the commit), so no constant has to be
// kept in step by hand.
type buildVersion struct {
	Module   string    // "v1.2.0", a pseudo-version, or "(devel)"
	Commit   string    // vcs.revision; "" when built outside a checkout
	Time     time.Time // vcs.time: the commit's time, used as the build date so builds stay reproducible
	Modified bool      // vcs.modified: built from a tree with uncommitted changes
	Go       string    // the Go toolchain
	Platform string    // GOOS/GOARCH
}

// readBuildVersion reads the running binary's build information.
func readBuildVersion() buildVersion {
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return buildVersion{Module: "(unknown)"}
	}
	return versionOf(info)
}

// versionOf extracts the version from build information.
func versionOf(info *debug.BuildInfo) buildVersion {
	v := buildVersion{Module: info.Main.Version, Go: info.GoVersion}
	if v.Module == "" {
		v.Module = "(devel)" // go run and tests leave it empty
	}
	var goos, goarch string
	for _, s := range info.Settings {
		switch s.Key {
		case "vcs.revision":
			v.Commit = s.Value
		case "vcs.time":
			v.Time, _ = time.Parse(time.RFC3339, s.Value)
		case "vcs.modified":
			v.Modified = s.Value == "true"
		case "GOOS":
			goos = s.Value
		case "GOARCH":
			goarch = s.Value
		}
	}
	if goos != "" {
		v.Platform = goos + "/" + goarch
	}
	return v
}

// String is what "ticketd version" prints, one line per fact.
func (v buildVersion) String() string {
	commit := v.Commit
	switch {
	case commit == "":
		commit = "unknown (built outside a git checkout)"
	case v.Modified:
		commit += " (with uncommitted changes)"
	}
	date := "unknown"
	if !v.Time.IsZero() {
		date = v.Time.UTC().Format(time.RFC3339)
	}
	return fmt.Sprintf("ticketd %s\ncommit: %s\nbuilt:  %s (commit time)\ngo:     %s %s\n", v.Module, commit, date, v.Go, v.Platform)
}
