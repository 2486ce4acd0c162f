package templates

import htmltemplate "html/template"

// DigestCharts are the parts of the managers' digest drawn from the
// report aggregates: the period's kind, its comparison with the period
// before, SLA compliance, the three charts with the same numbers as text,
// and per-agent figures. Managers only: nothing here goes to requesters.
type DigestCharts struct {
	// Period is "daily", "weekly" or "monthly".
	Period string
	// Previous is the period before, for comparison; nil for none.
	Previous *Previous
	// SLAFirstResponse and SLAResolution are the period's compliance,
	// "92% (12/13)"; "" when no ticket was measured against the target.
	SLAFirstResponse, SLAResolution string

	// The charts (nil when none was drawn: no attachment store) and the
	// numbers each shows, for clients that hide images.
	VolumeChart, SLAChart, AgeChart *Chart
	Days                            []DayRow
	TierSLA                         []TierSLARow
	Ages                            []Count

	// Agents are the per-agent figures of the period.
	Agents []AgentRow

	// MoreEscalated and MoreBreached count the tickets the lists of
	// escalated and breached tickets leave out.
	MoreEscalated, MoreBreached int
}

// Chart is an image of the mail's HTML part: Src is its "cid:" URL.
type Chart struct {
	Src           htmltemplate.URL
	Width, Height int
}

// Previous is the period before the digest's, with how each figure
// changed: Arrows hold "↑", "↓" or "=" (up, down, same).
type Previous struct {
	From, To                                            string
	New, Resolved, Escalated, Breaches                  int
	MedianFirstResponse, MedianResolution, Satisfaction string
	SLAFirstResponse, SLAResolution                     string
	Arrows                                              Arrows
}

// Arrows say how each figure of a digest moved from the previous period.
type Arrows struct {
	New, Resolved, Escalated, Breaches, FirstResponse, Resolution, Satisfaction, SLAFirstResponse, SLAResolution string
}

// DayRow is one day of the volume chart.
type DayRow struct {
	Day              string
	Opened, Resolved int
}

// TierSLARow is one tier's SLA compliance, "92% (12/13)" or "-".
type TierSLARow struct {
	Tier, FirstResponse, Resolution string
}

// AgentRow is one agent's figures of the period.
type AgentRow struct {
	Agent               string
	Answers, Resolved   int
	MedianFirstResponse string // "" when they answered no ticket first
	Satisfaction        string // "4.5 / 5 (2)"; "" when none rated
}

// sampleCharts exercises every DigestCharts field in New's trial render.
var sampleCharts = DigestCharts{
	Period: "weekly", SLAFirstResponse: "92% (12/13)", SLAResolution: "80% (8/10)",
	Previous: &Previous{From: "2025-12-22", To: "2025-12-28", New: 3, Resolved: 2, Escalated: 0, Breaches: 2,
		MedianFirstResponse: "2h", MedianResolution: "1d", Satisfaction: "4.0 / 5 (1)", SLAFirstResponse: "50% (1/2)", SLAResolution: "100% (2/2)",
		Arrows: Arrows{New: "↓", Resolved: "↓", Escalated: "↑", Breaches: "↓", FirstResponse: "↓", Resolution: "=", Satisfaction: "↑", SLAFirstResponse: "↑", SLAResolution: "↓"}},
	VolumeChart:   &Chart{Src: "cid:digest-volume.1@example.com", Width: 600, Height: 300},
	SLAChart:      &Chart{Src: "cid:digest-sla.1@example.com", Width: 600, Height: 300},
	AgeChart:      &Chart{Src: "cid:digest-backlog.1@example.com", Width: 600, Height: 300},
	Days:          []DayRow{{Day: "2026-01-01", Opened: 2, Resolved: 1}},
	TierSLA:       []TierSLARow{{Tier: "Tier 1", FirstResponse: "92% (12/13)", Resolution: "-"}},
	Ages:          []Count{{"< 1 d", 1}},
	Agents:        []AgentRow{{Agent: "ana@example.com", Answers: 3, Resolved: 1, MedianFirstResponse: "1h", Satisfaction: "4.5 / 5 (2)"}},
	MoreEscalated: 2, MoreBreached: 1,
}
