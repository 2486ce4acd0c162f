package main

import (
	"strings"
	"testing"
	"time"

	"github.com/ticketd/ticketd/tickets"
)

// TestDigestPrintsItsPeriodInTheDesksZone: "ticketd digest" says the
// period in the desk's time zone, as the mail does, whatever zone the
// times came in (UTC over the admin socket).
func TestDigestPrintsItsPeriodInTheDesksZone(t *testing.T) {
	bogota, err := time.LoadLocation("America/Bogota")
	if err != nil {
		t.Fatal(err)
	}
	res := tickets.DigestResult{Since: time.Date(2026, 3, 2, 13, 0, 0, 0, time.UTC), Until: time.Date(2026, 3, 3, 13, 0, 0, 0, time.UTC)}
	var b strings.Builder
	printDigest(&b, res, false, bogota)
	if want := "digest for 2026-03-02 08:00 – 2026-03-03 08:00 -05 queued"; !strings.Contains(b.String(), want) {
		t.Errorf("printed %q, want %q", b.String(), want)
	}
}
