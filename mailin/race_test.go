//go:build race

package mailin

// raceEnabled: the race detector drops sync.Pool items, so allocation
// counts are meaningless under it.
const raceEnabled = true
