//go:build !linux

package main

// hugeHeap does nothing where Linux's transparent huge pages don't exist.
func hugeHeap() {}
