package mailauth

import (
	"errors"
	"testing"
)

func TestStreakReportsOncePerRun(t *testing.T) {
	var failures []error
	recovered := 0
	s := Streak{OnFailure: func(err error) { failures = append(failures, err) }, OnRecovered: func() { recovered++ }}

	if s.Succeeded() {
		t.Error("a login that works without a streak ended one")
	}
	if s.Failed(errors.New("connection refused")) {
		t.Error("a network error counted as a refused login")
	}
	first := &Error{Err: errors.New("NO wrong password")}
	if !s.Failed(first) || !s.Failed(&Error{Err: errors.New("again")}) || !s.Failed(fmtWrap(first)) {
		t.Error("refused logins not recognised")
	}
	if len(failures) != 1 || failures[0] != first {
		t.Fatalf("OnFailure got %v, want only the first refusal", failures)
	}
	if !s.Succeeded() || s.Succeeded() || recovered != 1 {
		t.Fatalf("recovery: OnRecovered called %d times, want 1", recovered)
	}
	s.Failed(first)
	if len(failures) != 2 {
		t.Errorf("a new streak after recovery not reported (%d reports)", len(failures))
	}

	var quiet Streak // no hooks: still tracks
	if !quiet.Failed(first) || !quiet.Succeeded() {
		t.Error("a Streak without hooks does not track")
	}
}

func fmtWrap(err error) error { return errors.Join(errors.New("imap login"), err) }
