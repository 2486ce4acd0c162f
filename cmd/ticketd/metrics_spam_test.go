package main

import (
	"context"
	"io"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"github.com/ticketd/ticketd/metrics"
	"github.com/ticketd/ticketd/tickets"
)

// fixedApplier answers the same results every time.
type fixedApplier []tickets.Result

func (f fixedApplier) Apply(context.Context, []tickets.Inbound) ([]tickets.Result, error) {
	return f, nil
}

// TestSpamCounted: ticketd_spam_total counts each spam message once, by
// reason (a second delivery, Result.Spam "", is not counted again), and
// every reason tickets gives is a series from the start.
func TestSpamCounted(t *testing.T) {
	m := metrics.New(nil)
	a := countingApplier{Applier: fixedApplier{
		{Outcome: tickets.OutcomeSpam, Spam: tickets.SpamDMARC},
		{Outcome: tickets.OutcomeSpam}, // filed as spam before
		{Outcome: tickets.OutcomeCreated, Ticket: 1},
	}, m: m}
	if _, err := a.Apply(context.Background(), make([]tickets.Inbound, 3)); err != nil {
		t.Fatal(err)
	}
	rec := httptest.NewRecorder()
	m.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	body, _ := io.ReadAll(rec.Body)
	for _, want := range []string{`ticketd_spam_total{reason="dmarc"} 1`, `ticketd_spam_total{reason="flag"} 0`, `ticketd_messages_applied_total{outcome="spam"} 2`} {
		if !strings.Contains(string(body), want) {
			t.Errorf("scrape lacks %q", want)
		}
	}
	for _, r := range []tickets.SpamReason{tickets.SpamFlag, tickets.SpamScore, tickets.SpamDMARC, tickets.SpamBlocked} {
		if !slices.Contains(metrics.SpamReasons, string(r)) {
			t.Errorf("metrics.SpamReasons lacks %q", r)
		}
	}
}

// TestTicketCountsMerged: tickets of a queue the configuration lost count
// as the default queue's, in one series (a repeated label set fails the
// scrape).
func TestTicketCountsMerged(t *testing.T) {
	cfg := &Config{}
	cfg.QueueName = "support"
	cfg.Queues = []tickets.Queue{{Name: "billing"}}
	got := ticketCounts(cfg, []tickets.Count{
		{Queue: "", Status: tickets.StatusOpen, Tier: 1, Type: "incident", N: 2},
		{Queue: "billing", Status: tickets.StatusOpen, Tier: 1, Type: "incident", N: 4},
		{Queue: "gone", Status: tickets.StatusOpen, Tier: 1, Type: "incident", N: 3},
	})
	want := []metrics.TicketCount{
		{Queue: "support", Status: string(tickets.StatusOpen), Tier: 1, Type: "incident", N: 5},
		{Queue: "billing", Status: string(tickets.StatusOpen), Tier: 1, Type: "incident", N: 4},
	}
	if !slices.Equal(got, want) {
		t.Errorf("ticketCounts = %+v, want %+v", got, want)
	}
}
