package main

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/ticketd/ticketd/tickets"
)

// The report and the agents' morning mail over the admin socket, so that
// "ticketd report" and "ticketd digest --agents" work while the daemon
// holds the database. The query travels as its instants (RFC 3339 with
// nanoseconds), its groupings and the name of its time zone.

func (l *localSource) Report(q tickets.ReportQuery) (tickets.Report, error) {
	return l.store.Report(q)
}

func (l *localSource) AgentDigest(dryRun bool) (tickets.AgentDigestResult, error) {
	if l.svc == nil {
		return tickets.AgentDigestResult{}, errNoService
	}
	return l.svc.AgentDigest(dryRun)
}

func (r *remoteSource) Report(q tickets.ReportQuery) (tickets.Report, error) {
	v := url.Values{"from": {q.From.Format(time.RFC3339Nano)}, "to": {q.To.Format(time.RFC3339Nano)}}
	for _, d := range q.By {
		v.Add("by", string(d))
	}
	if q.Loc != nil {
		v.Set("tz", q.Loc.String())
	}
	var rep tickets.Report
	if err := r.get("GET", "/v1/report?"+v.Encode(), &rep); err != nil {
		return tickets.Report{}, err
	}
	// A time.Location does not travel as JSON: the query is the one asked.
	rep.Query = q
	return rep, nil
}

func (r *remoteSource) AgentDigest(dryRun bool) (v tickets.AgentDigestResult, err error) {
	err = r.get("POST", "/v1/digest/agents?"+url.Values{"dry_run": {strconv.FormatBool(dryRun)}}.Encode(), &v)
	return v, err
}

// reportQuery reads a report query from the admin API's form values.
func reportQuery(r *http.Request) (tickets.ReportQuery, error) {
	var q tickets.ReportQuery
	var err error
	if q.From, err = time.Parse(time.RFC3339Nano, r.FormValue("from")); err != nil {
		return q, fmt.Errorf("from: %w", err)
	}
	if q.To, err = time.Parse(time.RFC3339Nano, r.FormValue("to")); err != nil {
		return q, fmt.Errorf("to: %w", err)
	}
	if q.Loc, err = time.LoadLocation(r.FormValue("tz")); err != nil {
		return q, fmt.Errorf("tz: %w", err)
	}
	for _, d := range r.Form["by"] {
		q.By = append(q.By, tickets.Dim(d))
	}
	if len(q.By) > 2 {
		return q, errors.New("by: at most two groupings")
	}
	q.From, q.To = q.From.In(q.Loc), q.To.In(q.Loc)
	return q, nil
}

// reportRoutes adds the report and agents' digest endpoints to the admin API.
func reportRoutes(mux *http.ServeMux, src adminSource, reply func(http.ResponseWriter, any, error)) {
	mux.HandleFunc("GET /v1/report", func(w http.ResponseWriter, r *http.Request) {
		q, err := reportQuery(r)
		if err != nil {
			reply(w, nil, fmt.Errorf("report query: %w", err))
			return
		}
		v, err := src.Report(q)
		reply(w, v, err)
	})
	mux.HandleFunc("POST /v1/digest/agents", func(w http.ResponseWriter, r *http.Request) {
		dry, _ := strconv.ParseBool(r.FormValue("dry_run"))
		v, err := src.AgentDigest(dry)
		reply(w, v, err)
	})
}
