package tiers

import (
	"strings"
	"testing"
	"time"
)

func mustLoc(t *testing.T, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

// officeWeek is Monday to Friday 08:00-12:00 and 13:00-18:00 (9 h a day).
var officeWeek = map[time.Weekday]string{
	time.Monday: "08:00-12:00, 13:00-18:00", time.Tuesday: "08:00-12:00, 13:00-18:00",
	time.Wednesday: "08:00-12:00, 13:00-18:00", time.Thursday: "08:00-12:00,13:00-18:00",
	time.Friday: "08:00-12:00, 13:00-18:00",
}

func TestCalendarAdd(t *testing.T) {
	bogota := mustLoc(t, "America/Bogota")
	cal, err := NewCalendar(bogota, officeWeek, []string{"2026-12-08", "2026-12-25"})
	if err != nil {
		t.Fatal(err)
	}
	at := func(s string) time.Time {
		t.Helper()
		v, err := time.ParseInLocation("2006-01-02 15:04", s, bogota)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	cases := []struct {
		name, from string
		d          time.Duration
		want       string
	}{
		{"inside a morning", "2026-12-01 09:00", 30 * time.Minute, "2026-12-01 09:30"},
		{"over lunch", "2026-12-01 11:30", time.Hour, "2026-12-01 13:30"},
		{"exactly to the close", "2026-12-01 17:00", time.Hour, "2026-12-01 18:00"},
		{"after hours starts next morning", "2026-12-01 20:00", 30 * time.Minute, "2026-12-02 08:30"},
		{"before opening", "2026-12-01 06:00", time.Hour, "2026-12-01 09:00"},
		{"over the weekend", "2026-12-04 17:00", 2 * time.Hour, "2026-12-07 09:00"},
		{"over a holiday (Tue 8 Dec)", "2026-12-07 17:30", time.Hour, "2026-12-09 08:30"},
		{"a whole working week", "2026-12-14 08:00", 45 * time.Hour, "2026-12-18 18:00"},
		{"saturday mail", "2026-12-05 10:00", 15 * time.Minute, "2026-12-07 08:15"},
		{"zero", "2026-12-05 10:00", 0, "2026-12-05 10:00"},
	}
	for _, c := range cases {
		got := cal.Add(at(c.from), c.d)
		if !got.Equal(at(c.want)) {
			t.Errorf("%s: Add(%s, %s) = %s, want %s", c.name, c.from, c.d, got.In(bogota).Format("Mon 2006-01-02 15:04"), c.want)
		}
		if c.d > 0 {
			if back := cal.Elapsed(at(c.from), got); back != c.d {
				t.Errorf("%s: Elapsed back = %s, want %s", c.name, back, c.d)
			}
		}
	}
	if !cal.Open(at("2026-12-01 10:00")) || cal.Open(at("2026-12-01 12:30")) || cal.Open(at("2026-12-25 10:00")) || cal.Open(at("2026-12-06 10:00")) {
		t.Error("Open: wrong at lunch, on a holiday or on Sunday")
	}
}

func TestCalendarSummerTime(t *testing.T) {
	madrid := mustLoc(t, "Europe/Madrid")
	// Madrid moves its clocks from 02:00 to 03:00 on Sunday 29 March 2026
	// and from 03:00 back to 02:00 on Sunday 25 October 2026.
	allSunday := map[time.Weekday]string{time.Sunday: "00:00-24:00", time.Monday: "08:00-18:00"}
	cal, err := NewCalendar(madrid, allSunday, nil)
	if err != nil {
		t.Fatal(err)
	}
	day := func(y int, m time.Month, d, h int) time.Time { return time.Date(y, m, d, h, 0, 0, 0, madrid) }
	if got := cal.Elapsed(day(2026, 3, 29, 0), day(2026, 3, 30, 0)); got != 23*time.Hour {
		t.Errorf("spring-forward Sunday counts %s, want 23h", got)
	}
	if got := cal.Elapsed(day(2026, 10, 25, 0), day(2026, 10, 26, 0)); got != 25*time.Hour {
		t.Errorf("fall-back Sunday counts %s, want 25h", got)
	}
	// Monday opens at 08:00 wall-clock time on both sides of the change.
	if got := cal.Add(day(2026, 3, 28, 12), 23*time.Hour+time.Hour); !got.Equal(day(2026, 3, 30, 9)) {
		t.Errorf("Add over spring-forward = %s, want Monday 09:00", got)
	}
	business := map[time.Weekday]string{time.Friday: "09:00-17:00", time.Monday: "09:00-17:00"}
	cal2, _ := NewCalendar(madrid, business, nil)
	if got := cal2.Add(day(2026, 10, 23, 16), 2*time.Hour); !got.Equal(day(2026, 10, 26, 10)) {
		t.Errorf("Add over fall-back weekend = %s, want Monday 10:00", got)
	}
}

func TestCalendarErrors(t *testing.T) {
	_, err := NewCalendar(time.UTC, map[time.Weekday]string{
		time.Monday: "18:00-08:00", time.Tuesday: "8-12", time.Wednesday: "08:00-12:00, 11:00-13:00", time.Thursday: "25:00-26:00",
	}, []string{"2026-13-01", "tomorrow"})
	if err == nil {
		t.Fatal("no error")
	}
	for _, w := range []string{"monday", "cross midnight", "tuesday", "wednesday", "overlaps", "thursday", `"2026-13-01" is not a date`, `"tomorrow"`} {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("error %q does not mention %q", err, w)
		}
	}
	if _, err := NewCalendar(time.UTC, nil, nil); err == nil || !strings.Contains(err.Error(), "no opening hours") {
		t.Errorf("closed week: %v", err)
	}
}

func TestCountdown(t *testing.T) {
	bogota := mustLoc(t, "America/Bogota")
	cal, _ := NewCalendar(bogota, officeWeek, nil)
	t0 := time.Date(2026, 12, 1, 9, 0, 0, 0, bogota) // Tuesday
	var c Countdown
	c.Start(t0, 4*time.Hour, cal, 0.75)
	if want := time.Date(2026, 12, 1, 14, 0, 0, 0, bogota); !c.Due.Equal(want) {
		t.Fatalf("due %s, want %s (an hour of lunch)", c.Due, want)
	}
	if want := time.Date(2026, 12, 1, 12, 0, 0, 0, bogota); !c.WarnAt.Equal(want) {
		t.Fatalf("warn at %s, want %s (75%% of 4h)", c.WarnAt, want)
	}
	if next, _ := c.Next(); !next.Equal(c.WarnAt) {
		t.Fatalf("next = %s, want the warning", next)
	}
	// Waiting on the requester for the afternoon and the night: paused.
	c.Pause(t0.Add(2*time.Hour), cal) // 11:00, 2h used
	if c.Running() || c.BreachDue(t0.Add(48*time.Hour)) {
		t.Fatal("a paused countdown breached")
	}
	if _, ok := c.Next(); ok {
		t.Fatal("a paused countdown has a next event")
	}
	wed := time.Date(2026, 12, 2, 8, 0, 0, 0, bogota)
	c.Resume(wed, cal, 0.75)
	if want := time.Date(2026, 12, 2, 10, 0, 0, 0, bogota); !c.Due.Equal(want) {
		t.Fatalf("after resume due %s, want %s", c.Due, want)
	}
	if !c.WarnDue(wed.Add(61*time.Minute)) || c.WarnDue(wed.Add(59*time.Minute)) {
		t.Fatal("warning not due at 3h used, or due before")
	}
	c.Warned = true
	if next, _ := c.Next(); !next.Equal(c.Due) {
		t.Fatal("after the warning the next event is not the breach")
	}
	if !c.BreachDue(c.Due) || c.BreachDue(c.Due.Add(-time.Second)) {
		t.Fatal("breach not due exactly at Due")
	}
	c.Breached = true
	if _, ok := c.Next(); ok || c.BreachDue(c.Due.Add(time.Hour)) {
		t.Fatal("a breach acted on comes again")
	}
	// A higher priority with a longer target earns a new breach; met stops it.
	c.Retarget(wed.Add(time.Hour), 8*time.Hour, cal, 0.75)
	if c.Breached || c.Warned {
		t.Fatal("a longer target kept the old breach or warning")
	}
	c.Stop(wed.Add(90*time.Minute), cal)
	// A stopped countdown keeps the time it used, however late one looks.
	if c.Running() || c.Met.IsZero() || c.Used != 3*time.Hour+30*time.Minute {
		t.Fatalf("stop: running %v met %v used %s", c.Running(), c.Met, c.Used)
	}
	c.Resume(wed.Add(2*time.Hour), cal, 0.75)
	if c.Running() {
		t.Fatal("a met countdown resumed")
	}
}

func TestDetectPriority(t *testing.T) {
	p, err := NewPolicy([]Tier{{Level: 1, Name: "N1", Agents: []string{"a@x.com"}, FirstResponse: time.Hour, Resolution: time.Hour}},
		Options{Keywords: map[Priority][]string{PriorityUrgent: {"urgente", "urgent", "caído"}, PriorityHigh: {"lo antes posible"}, PriorityLow: {"consulta"}}})
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		subject  string
		declared Priority
		want     Priority
	}{
		{"No puedo imprimir", "", PriorityNormal},
		{"URGENTE: servidor caido", "", PriorityUrgent},
		{"Urgent!! VPN down", "", PriorityUrgent},
		{"insurgente", "", PriorityNormal}, // whole words only
		{"Ayuda, lo antes posible por favor", "", PriorityHigh},
		{"Consulta sobre licencias", "", PriorityLow},
		{"Consulta sobre licencias", PriorityHigh, PriorityHigh},
		{"nada", PriorityHigh, PriorityHigh},
		{"urgente", PriorityLow, PriorityUrgent},
	}
	for _, c := range cases {
		if got := p.DetectPriority(c.subject, c.declared); got != c.want {
			t.Errorf("DetectPriority(%q, %q) = %s, want %s", c.subject, c.declared, got, c.want)
		}
	}
	for in, want := range map[string]Priority{"Alta": PriorityHigh, "URGENT": PriorityUrgent, "baja": PriorityLow, "normal": PriorityNormal} {
		if got, ok := ParsePriority(in); !ok || got != want {
			t.Errorf("ParsePriority(%q) = %s %v", in, got, ok)
		}
	}
	if _, ok := ParsePriority("whenever"); ok {
		t.Error("ParsePriority accepted nonsense")
	}
}

func TestTargetsAndVendor(t *testing.T) {
	tiers := []Tier{
		{Level: 1, Name: "N1", Agents: []string{"ana@example.com"}, FirstResponse: time.Hour, Resolution: 8 * time.Hour,
			ByPriority: map[Priority]Target{PriorityUrgent: {FirstResponse: 10 * time.Minute}}},
		{Level: 2, Name: "ACME", Agents: []string{"soporte@acme.com"}, FirstResponse: time.Hour, Resolution: time.Hour, Vendor: true},
	}
	p, err := NewPolicy(tiers, Options{})
	if err != nil {
		t.Fatal(err)
	}
	t1, _ := p.Tier(1)
	if got := t1.Target("", PriorityUrgent); got.FirstResponse != 10*time.Minute || got.Resolution != 8*time.Hour {
		t.Errorf("urgent target %+v: want 10m and the default 8h", got)
	}
	if got := t1.Target("", PriorityLow); got.FirstResponse != time.Hour {
		t.Errorf("low target %+v: want the default", got)
	}
	if p.IsAgent("soporte@acme.com") {
		t.Error("a vendor address counts as an agent (its mail would be relayed to requesters)")
	}
	if l, ok := p.VendorTier("Soporte@ACME.com"); !ok || l != 2 {
		t.Errorf("VendorTier = %d %v", l, ok)
	}
	bad := []Tier{tiers[1], {Level: 2, Name: "N2", Agents: []string{"b@x.com"}, FirstResponse: 1, Resolution: 1, BusinessHours: true}}
	bad[0].Level = 1
	_, err = NewPolicy(bad, Options{WarnAt: 1.5})
	for _, w := range []string{"only the last tier may be a vendor", "first tier cannot be a vendor", "business hours need a [calendar]", "warn_at"} {
		if err == nil || !strings.Contains(err.Error(), w) {
			t.Errorf("error %v does not mention %q", err, w)
		}
	}
}
