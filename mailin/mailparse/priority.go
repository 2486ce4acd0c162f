package mailparse

import (
	"strings"

	gomail "github.com/emersion/go-message/mail"

	"github.com/ticketd/ticketd/tiers"
)

// declaredPriority reads the priority the sender's client declared: Outlook
// and Exchange write Importance (RFC 2156 §5.3), most others X-Priority
// ("1 (Highest)" … "5 (Lowest)"), some Priority (RFC 2156: urgent, normal,
// non-urgent). "" when none says anything.
func declaredPriority(h gomail.Header) tiers.Priority {
	if v := strings.ToLower(strings.TrimSpace(h.Get("Priority"))); v == "urgent" {
		return tiers.PriorityUrgent
	}
	switch strings.ToLower(strings.TrimSpace(h.Get("Importance"))) {
	case "high":
		return tiers.PriorityHigh
	case "low":
		return tiers.PriorityLow
	}
	if v := strings.TrimSpace(h.Get("X-Priority")); v != "" {
		switch v[0] {
		case '1', '2':
			return tiers.PriorityHigh
		case '4', '5':
			return tiers.PriorityLow
		}
	}
	if strings.EqualFold(strings.TrimSpace(h.Get("Priority")), "non-urgent") {
		return tiers.PriorityLow
	}
	return ""
}
