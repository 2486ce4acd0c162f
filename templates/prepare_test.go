package templates

import (
	"errors"
	"sync"
	"testing"
)

// TestPrepareThenRender: a template prepared beside its first Render
// (a digest parses its templates while it reads its figures) renders as
// one never prepared; an unknown language or name is an error.
func TestPrepareThenRender(t *testing.T) {
	fresh, err := New("")
	if err != nil {
		t.Fatal(err)
	}
	want, err := fresh.Render("es", ManagerDigest, sampleData)
	if err != nil {
		t.Fatal(err)
	}
	s, err := New("")
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	wg.Go(func() {
		if err := s.Prepare("es", ManagerDigest); err != nil {
			t.Error(err)
		}
	})
	got, err := s.Render("es", ManagerDigest, sampleData)
	wg.Wait()
	if err != nil || got != want {
		t.Errorf("rendered beside Prepare: %v\n%+v\nwant\n%+v", err, got, want)
	}
	if err := s.Prepare("xx", ManagerDigest); !errors.Is(err, ErrUnknownTemplate) {
		t.Errorf("Prepare of an unknown language: %v", err)
	}
	if err := s.Prepare("es", "nope"); !errors.Is(err, ErrUnknownTemplate) {
		t.Errorf("Prepare of an unknown name: %v", err)
	}
}
