package hugeheap

import (
	"bufio"
	"os"
	"runtime"
	"strconv"
	"strings"
	"testing"
)

// TestGrow: after Grow, what the process allocates next is in memory
// advised for huge pages, above the boundary it filled to, but for what
// still fits in pages taken before: the processors' caches of free pages
// (64 pages of 8 KB each; Grow empties the cache of the one it runs on,
// not the others') and spans begun before.
func TestGrow(t *testing.T) {
	if _, err := os.Stat("/sys/kernel/mm/transparent_hugepage/enabled"); err != nil {
		t.Skip("no transparent huge pages:", err)
	}
	// Grow runs once per process, in its init, on a heap that is still
	// small; -count N runs this test again in the same process.
	if len(fill) > 0 {
		t.Skip("Grow has run in this process already")
	}
	Grow()
	if len(fill) < 2 {
		t.Fatal("Grow filled nothing")
	}
	rest := fill[1]
	boundary := addr(rest) + uintptr(len(rest))
	if boundary%region != 0 {
		t.Fatalf("the fill ends at %#x, not on a 2 MB boundary", boundary)
	}
	// 8 MB: objects of their own pages, then small ones (two to a page).
	var next [][]byte
	for range 64 {
		next = append(next, make([]byte, 64<<10))
	}
	for range 1024 {
		next = append(next, make([]byte, 4<<10))
	}
	outside := 0
	for _, b := range next {
		a := addr(b)
		if a < boundary || a >= boundary+Bytes || !advised(t, a) {
			outside += len(b)
		}
	}
	if limit := runtime.GOMAXPROCS(0) * 64 * 8 << 10; outside > limit {
		t.Errorf("%d KB of the next 8 MB allocated are outside the advised [%#x, %#x); at most %d KB expected",
			outside>>10, boundary, boundary+Bytes, limit>>10)
	}
	sink = next
}

// advised reports whether the mapping holding a has the "hg" flag
// (MADV_HUGEPAGE) in /proc/self/smaps.
func advised(t *testing.T, a uintptr) bool {
	t.Helper()
	f, err := os.Open("/proc/self/smaps")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	in := false
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if lo, hi, ok := strings.Cut(strings.Fields(line)[0], "-"); ok && !strings.HasSuffix(strings.Fields(line)[0], ":") {
			l, err1 := strconv.ParseUint(lo, 16, 64)
			h, err2 := strconv.ParseUint(hi, 16, 64)
			in = err1 == nil && err2 == nil && uintptr(l) <= a && a < uintptr(h)
			continue
		}
		if in && strings.HasPrefix(line, "VmFlags:") {
			return strings.Contains(line+" ", " hg ")
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return false
}

var sink any
