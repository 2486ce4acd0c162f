package mailauth

import "sync/atomic"

// Streak tracks a run of refused logins to one server, so that the admins
// hear once when logins start failing and once when they work again, not
// at every retry. The zero Streak is ready; it is safe for concurrent use.
type Streak struct {
	// OnFailure, when set, is called with the first refused login of a
	// streak.
	OnFailure func(error)
	// OnRecovered, when set, is called at the first login that works
	// after a streak.
	OnRecovered func()

	failing atomic.Bool
}

// Failed records a login that did not work. It reports whether err is a
// refused login (IsFailure); other errors (a network failure) neither
// start nor end a streak.
func (s *Streak) Failed(err error) bool {
	if !IsFailure(err) {
		return false
	}
	if !s.failing.Swap(true) && s.OnFailure != nil {
		s.OnFailure(err)
	}
	return true
}

// Succeeded records a login that worked. It reports whether that ended a
// streak.
func (s *Streak) Succeeded() bool {
	if !s.failing.Swap(false) {
		return false
	}
	if s.OnRecovered != nil {
		s.OnRecovered()
	}
	return true
}
