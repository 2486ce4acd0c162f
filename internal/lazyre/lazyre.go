// Package lazyre compiles regular expressions on first use instead of at
// package initialisation.
//
// Every ticketd command links the mail parser and the ticket workflow, whose
// patterns (about fifty, some with long alternations of phrases in several
// languages) cost some 20 ms of CPU and 2 MB of heap to compile at start-up:
// a price `ticketd version`, `list` or `show` paid without ever matching a
// mail. A pattern declared here is compiled once, by the first caller, and
// shared by every later one; the hot mail path pays the compile once per
// process, as before.
package lazyre

import (
	"regexp"
	"sync"
)

// New returns a function that yields expr compiled, compiling it on the first
// call. Like regexp.MustCompile it panics if expr is invalid — on first use
// rather than at start-up, so each package's tests must reach its patterns.
func New(expr string) func() *regexp.Regexp {
	return sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(expr) })
}

// Build is New for a pattern assembled by code (from phrase tables, template
// prefixes, ...): build runs on the first call too, so neither the assembly
// nor the compile happens at start-up.
func Build(build func() string) func() *regexp.Regexp {
	return sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(build()) })
}
