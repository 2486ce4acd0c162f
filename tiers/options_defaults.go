package tiers

// DefaultWarnAt is Options.WarnAt when a configuration leaves it unset:
// people are warned when three quarters of a target are used.
const DefaultWarnAt = 0.75
