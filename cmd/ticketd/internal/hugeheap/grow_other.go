//go:build !linux

package hugeheap

// Grow does nothing where Linux's transparent huge pages don't exist.
func Grow() {}
