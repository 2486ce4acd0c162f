//go:build race

package mailparse

// raceEnabled: the race detector drops sync.Pool items, so allocation
// counts are meaningless under it.
const raceEnabled = true
