package tickets

// TEMPORARY: the aggregates API of contracts.md, until agg lands in main.
// Deleted at the merge (report branch).

import (
	"errors"
	"time"
)

type Dim string

const (
	DimTier     Dim = "tier"
	DimAgent    Dim = "agent"
	DimQueue    Dim = "queue"
	DimType     Dim = "type"
	DimCategory Dim = "category"
	DimPriority Dim = "priority"
	DimDay      Dim = "day"
	DimWeek     Dim = "week"
	DimMonth    Dim = "month"
)

type ReportQuery struct {
	From, To time.Time
	By       []Dim
	Loc      *time.Location
}
type DurationFigures struct {
	N                 int
	Median, P90, Mean time.Duration
}
type SLAFigures struct {
	Target        string
	Met, Breached int
	Percent       float64
}
type CSATFigures struct {
	Responses    int
	Mean         float64
	SatisfiedPct float64
}
type Figures struct {
	Opened, Resolved, Reopened, Escalated, OpenAtEnd int
	Answers                                          int
	FirstResponse                                    DurationFigures
	Resolution                                       DurationFigures
	SLA                                              []SLAFigures
	CSAT                                             CSATFigures
}
type ReportRow struct {
	Group   []string
	Figures Figures
}
type Report struct {
	Query ReportQuery
	Rows  []ReportRow
	Total Figures
}

func (s *Store) Report(q ReportQuery) (Report, error) { return Report{}, errors.New("report: not yet") }
