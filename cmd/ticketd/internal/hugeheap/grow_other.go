//go:build !linux

package hugeheap

// Bytes is the heap Grow would put on huge pages.
const Bytes = 16 << 20

// Grow does nothing where Linux's transparent huge pages don't exist.
func Grow() {}
