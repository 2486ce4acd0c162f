package tickets

import "time"

// DefaultOptions are the workflow's defaults, what a configuration file
// that sets nothing gets. The desk's address, its policy, its templates
// and its clock have no default: the caller supplies them.
func DefaultOptions() Options {
	return Options{
		Language:                    "es",
		DetectLanguage:              true,
		Tag:                         "Soporte",
		CollisionCheck:              true,
		CSAT:                        true,
		LowRating:                   2,
		ReopenWindow:                7 * 24 * time.Hour,
		AutoClose:                   72 * time.Hour,
		PendingReminder:             72 * time.Hour,
		PendingResolve:              72 * time.Hour,
		KBSuggestions:               3,
		KBMinScore:                  2,
		NotifyRequesterOnEscalation: true,
		AckLimit:                    DefaultAckLimit,
		Limits:                      DefaultLimits,
	}
}
