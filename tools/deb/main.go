// Command deb builds ticketd's Debian packages with nfpm (pinned in
// tools/go.mod, a module of its own so that the daemon's go.mod does not
// carry nfpm's dependencies).
//
// From the repository's root:
//
//	go -C tools run ./deb
//
// writes ticketd_VERSION_amd64.deb and ticketd_VERSION_arm64.deb into the
// root. The version comes from the Go build information of the binary
// (the git tag, or a pseudo-version of the commit), so it must be run in a
// git clone: the go command does not stamp builds made in a git worktree.
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

func main() {
	arches := flag.String("arch", "amd64,arm64", "comma-separated `GOARCH` list to build and package")
	repo := flag.String("repo", "..", "the ticketd checkout to build (`directory`)")
	out := flag.String("o", "", "`directory` for the .deb files (default: the checkout)")
	flag.Parse()
	if *out == "" {
		*out = *repo
	}
	debs, err := Build(Options{Repo: *repo, Out: *out, Arches: strings.Split(*arches, ",")})
	if err != nil {
		fmt.Fprintln(os.Stderr, "deb:", err)
		os.Exit(1)
	}
	for _, d := range debs {
		rel, err := filepath.Rel(".", d)
		if err != nil {
			rel = d
		}
		fmt.Println(rel)
	}
}
