package main

import (
	"fmt"
	"regexp"
	"time"

	"github.com/ticketd/ticketd/tiers"
)

// loadPolicy validates [[tiers]], [calendar], [priority] and
// [escalation] warn_at into the SLA policy, in the desk's time zone; nil
// when it is invalid.
func loadPolicy(bad badFunc, fc *fileConfig, loc *time.Location) *tiers.Policy {
	return loadTiers(bad, "tiers", fc.Tiers, fc.Calendar != nil, loadPolicyOptions(bad, fc, loc))
}

// loadPolicyOptions validates what every queue's ladder shares:
// [calendar], [priority] and [escalation] warn_at.
func loadPolicyOptions(bad badFunc, fc *fileConfig, loc *time.Location) tiers.Options {
	popts := tiers.Options{WarnAt: tiers.DefaultWarnAt}
	if w := fc.Escalation.WarnAt; w != nil {
		popts.WarnAt = *w
	}
	if c := fc.Calendar; c != nil {
		week := map[time.Weekday]string{
			time.Monday: c.Monday, time.Tuesday: c.Tuesday, time.Wednesday: c.Wednesday, time.Thursday: c.Thursday,
			time.Friday: c.Friday, time.Saturday: c.Saturday, time.Sunday: c.Sunday,
		}
		var err error
		if popts.Calendar, err = tiers.NewCalendar(loc, week, c.Holidays); err != nil {
			for _, e := range unjoin(err) {
				bad("calendar", "%v", e)
			}
		}
	}
	if len(fc.Priority) > 0 {
		popts.Keywords = map[tiers.Priority][]string{}
		for p, words := range fc.Priority {
			popts.Keywords[tiers.Priority(p)] = words
		}
	}
	return popts
}

// loadTiers validates one ladder of tiers (the top-level [[tiers]], or a
// queue's: section names its key) into a policy with popts; calendar says
// whether a [calendar] is set (tiers then default to business hours). Nil
// when it is invalid.
func loadTiers(bad badFunc, section string, list []tierKeys, calendar bool, popts tiers.Options) *tiers.Policy {
	var ts []tiers.Tier
	for i, t := range list {
		key := fmt.Sprintf("%s[%d]", section, i)
		tier := tiers.Tier{
			Level: t.Level, Name: t.Name, Agents: t.Agents, Vendor: t.Vendor,
			FirstResponse: parseDuration(bad, key+".first_response", t.FirstResponse),
			Resolution:    parseDuration(bad, key+".resolution", t.Resolution),
		}
		switch t.Hours {
		case "":
			tier.BusinessHours = calendar
		case "business":
			tier.BusinessHours = true
		case "24x7", "24/7":
		default:
			bad(key+".hours", "%q is not one of business, 24x7", t.Hours)
		}
		if t.VendorRef != "" {
			re, err := regexp.Compile(t.VendorRef)
			if err != nil {
				bad(key+".vendor_ref", "%q is not a regular expression: %v", t.VendorRef, err)
			}
			tier.VendorRef = re
		}
		for p, tg := range t.Priority {
			if tier.ByPriority == nil {
				tier.ByPriority = map[tiers.Priority]tiers.Target{}
			}
			tier.ByPriority[tiers.Priority(p)] = loadTargets(bad, key+".priority."+p, tg)
		}
		tier.ByType = loadTypeTargets(bad, key, map[tiers.Type]*typeTargetsKeys{tiers.TypeIncident: t.Incident, tiers.TypeRequest: t.Request})
		ts = append(ts, tier)
	}
	policy, err := tiers.NewPolicy(ts, popts)
	if err != nil {
		for _, e := range unjoin(err) {
			bad(section, "%v", e)
		}
	}
	return policy
}
