//go:build !linux

package tickets

// prefetch does nothing here: the page cache is left to the system.
func prefetch(path string) error { return nil }
