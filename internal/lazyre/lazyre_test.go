package lazyre

import (
	"sync"
	"testing"
)

// TestOnce: a pattern is compiled by its first user and the same one
// shared by every caller, concurrent ones included; Build's code runs once.
func TestOnce(t *testing.T) {
	builds := 0
	re := Build(func() string { builds++; return `^a+$` })
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			if !re().MatchString("aaa") {
				t.Error("no match")
			}
		})
	}
	wg.Wait()
	if builds != 1 || re() != re() {
		t.Errorf("built %d times", builds)
	}
	if New(`b`)().String() != "b" {
		t.Error("New")
	}
}

// TestCompileAllPanicsOnABadPattern: an invalid pattern declared anywhere
// is found by CompileAll, as package initialisation found it before.
func TestCompileAllPanicsOnABadPattern(t *testing.T) {
	bad := New(`(`)
	defer func() {
		mu.Lock()
		all = all[:len(all)-1] // the other tests' CompileAll must not see it
		mu.Unlock()
		if recover() == nil {
			t.Error("CompileAll accepted an invalid pattern")
		}
	}()
	_ = bad
	CompileAll()
}
