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
// rather than at start-up; CompileAll lets a package's tests find out first.
func New(expr string) func() *regexp.Regexp {
	return register(sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(expr) }))
}

// Build is New for a pattern assembled by code (from phrase tables, template
// prefixes, ...): build runs on the first call too, so neither the assembly
// nor the compile happens at start-up.
func Build(build func() string) func() *regexp.Regexp {
	return register(sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(build()) }))
}

// all are the patterns declared so far, for CompileAll.
var (
	mu  sync.Mutex
	all []func() *regexp.Regexp
)

func register(re func() *regexp.Regexp) func() *regexp.Regexp {
	mu.Lock()
	defer mu.Unlock()
	all = append(all, re)
	return re
}

// CompileAll compiles every pattern declared so far (in a test binary: by
// every package linked in), panicking on an invalid one as the package
// initialisation did when they were compiled there. For tests.
func CompileAll() {
	mu.Lock()
	res := append([]func() *regexp.Regexp(nil), all...)
	mu.Unlock()
	for _, re := range res {
		re()
	}
}
