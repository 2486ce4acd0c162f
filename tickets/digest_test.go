package tickets

import (
	"bytes"
	"fmt"
	"image/png"
	"io"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/ticketd/ticketd/tiers"
)

func mustZone(t *testing.T, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

// TestDigestPeriodBoundaries: weeks are ISO weeks and months calendar
// months in the desk's time zone (a week with a DST change is 167 hours
// long); a daily digest covers the whole days since the last one.
func TestDigestPeriodBoundaries(t *testing.T) {
	madrid, bogota := mustZone(t, "Europe/Madrid"), mustZone(t, "America/Bogota")
	at := func(loc *time.Location, y int, m time.Month, d, h, min int) time.Time {
		return time.Date(y, m, d, h, min, 0, 0, loc)
	}
	for _, c := range []struct {
		name     string
		p        DigestPeriod
		now      time.Time
		loc      *time.Location
		from, to time.Time
		prevFrom time.Time
	}{
		{"week with the spring DST change", DigestWeekly, at(madrid, 2026, 4, 1, 10, 0), madrid,
			at(madrid, 2026, 3, 23, 0, 0), at(madrid, 2026, 3, 30, 0, 0), at(madrid, 2026, 3, 16, 0, 0)},
		{"Monday midnight ends the week", DigestWeekly, at(bogota, 2026, 3, 16, 0, 0), bogota,
			at(bogota, 2026, 3, 9, 0, 0), at(bogota, 2026, 3, 16, 0, 0), at(bogota, 2026, 3, 2, 0, 0)},
		{"Sunday night is still in the week", DigestWeekly, at(bogota, 2026, 3, 15, 23, 59), bogota,
			at(bogota, 2026, 3, 2, 0, 0), at(bogota, 2026, 3, 9, 0, 0), at(bogota, 2026, 2, 23, 0, 0)},
		{"week across the new year", DigestWeekly, at(bogota, 2026, 1, 6, 8, 0), bogota,
			at(bogota, 2025, 12, 29, 0, 0), at(bogota, 2026, 1, 5, 0, 0), at(bogota, 2025, 12, 22, 0, 0)},
		{"month", DigestMonthly, at(bogota, 2026, 3, 1, 0, 30), bogota,
			at(bogota, 2026, 2, 1, 0, 0), at(bogota, 2026, 3, 1, 0, 0), at(bogota, 2026, 1, 1, 0, 0)},
		{"month across the new year", DigestMonthly, at(madrid, 2026, 1, 15, 8, 0), madrid,
			at(madrid, 2025, 12, 1, 0, 0), at(madrid, 2026, 1, 1, 0, 0), at(madrid, 2025, 11, 1, 0, 0)},
		// 00:30 in Madrid on the 1st is still the 31st in UTC: the desk's
		// zone decides.
		{"month in the desk's zone", DigestMonthly, at(madrid, 2026, 4, 1, 0, 30), madrid,
			at(madrid, 2026, 3, 1, 0, 0), at(madrid, 2026, 4, 1, 0, 0), at(madrid, 2026, 2, 1, 0, 0)},
	} {
		pr := digestPeriod(c.p, c.now, time.Time{}, c.loc)
		if !pr.From.Equal(c.from) || !pr.To.Equal(c.to) || !pr.PrevFrom.Equal(c.prevFrom) || !pr.PrevTo.Equal(c.from) {
			t.Errorf("%s: [%s, %s) prev [%s, %s), want [%s, %s) prev [%s, %s)", c.name, pr.From, pr.To, pr.PrevFrom, pr.PrevTo, c.from, c.to, c.prevFrom, c.from)
		}
	}
	if got := digestPeriod(DigestWeekly, at(madrid, 2026, 4, 1, 10, 0), time.Time{}, madrid); got.To.Sub(got.From) != 167*time.Hour {
		t.Errorf("the week of the DST change lasts %s, want 167h", got.To.Sub(got.From))
	}

	// Daily: whole days since the previous digest, up to today's midnight.
	now := at(bogota, 2026, 3, 16, 8, 0) // Monday
	first := digestPeriod(DigestDaily, now, time.Time{}, bogota)
	if !first.From.Equal(at(bogota, 2026, 3, 15, 0, 0)) || !first.To.Equal(at(bogota, 2026, 3, 16, 0, 0)) || !first.PrevFrom.Equal(at(bogota, 2026, 3, 14, 0, 0)) {
		t.Errorf("first daily digest: %+v", first)
	}
	friday := at(bogota, 2026, 3, 13, 8, 0) // a weekday schedule: Monday's covers Friday to Sunday
	pr := digestPeriod(DigestDaily, now, friday, bogota)
	if !pr.From.Equal(at(bogota, 2026, 3, 13, 0, 0)) || !pr.To.Equal(at(bogota, 2026, 3, 16, 0, 0)) || !pr.PrevFrom.Equal(at(bogota, 2026, 3, 10, 0, 0)) || !pr.PrevTo.Equal(pr.From) {
		t.Errorf("daily digest since Friday: %+v", pr)
	}
	if pr.sent(friday) || !pr.sent(now.Add(-time.Hour)) {
		t.Error("sent: a digest is sent when the last one went out after its period ended, only then")
	}
	if madridDay := digestPeriod(DigestDaily, at(madrid, 2026, 3, 30, 8, 0), time.Time{}, madrid); madridDay.To.Sub(madridDay.From) != 23*time.Hour {
		t.Errorf("the day of the DST change lasts %s, want 23h", madridDay.To.Sub(madridDay.From))
	}
	week := digestPeriod(DigestWeekly, now, time.Time{}, bogota)
	if !week.sent(now.Add(-time.Hour)) || week.sent(week.To.Add(-time.Minute)) || week.sent(time.Time{}) {
		t.Error("sent: a weekly digest is sent when the last one went out after its week ended, only then")
	}
	if _, err := ParseDigestPeriod("hourly"); err == nil {
		t.Error("ParseDigestPeriod accepted hourly")
	}
}

// weeklyDesk is a desk in Bogotá with a weekly digest and an attachment
// store; its clock starts on Monday 2026-03-02.
func weeklyDesk(t *testing.T) (*fixture, *Blobs) {
	t.Helper()
	blobs, err := OpenBlobs(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	f := newFixtureWith(t, []tiers.Tier{
		{Level: 1, Name: "Nivel 1", Agents: []string{"ana@example.com", "luis@example.com"}, FirstResponse: time.Hour, Resolution: 8 * time.Hour},
		{Level: 2, Name: "Nivel 2", Agents: []string{"marta@example.com"}, FirstResponse: 2 * time.Hour, Resolution: 24 * time.Hour},
	}, tiers.Options{}, func(o *Options) {
		o.Managers = []string{"jefa@example.com"}
		o.Location = mustZone(t, "America/Bogota")
		o.DigestPeriod = DigestWeekly
		o.Blobs = blobs
	})
	return f, blobs
}

// local sets f's clock to a time in the desk's zone.
func (f *fixture) local(m time.Month, d, h, min int) {
	f.now = time.Date(2026, m, d, h, min, 0, 0, f.svc.location())
}

func agentSays(agent string, ticket int, text string) Inbound {
	return msg(fmt.Sprintf("%s-%d-%d@example", agent, ticket, len(text)), agent+"@example.com", fmt.Sprintf("Re: [Soporte #%d] x", ticket), text)
}

// TestWeeklyDigestFigures checks a weekly digest against a hand-made
// fortnight: the week's figures beside the week before's with arrows,
// per-agent figures, the volume per day in the desk's zone, the charts
// stored and referenced, and one digest per week.
func TestWeeklyDigestFigures(t *testing.T) {
	f, blobs := weeklyDesk(t)
	// The week before (2–8 March): three tickets, one answered by Ana
	// after 20 minutes and resolved.
	f.local(3, 3, 10, 0)
	for i, s := range []string{"A", "B", "C"} {
		f.apply(msg(fmt.Sprintf("r%d@client", i+1), "pedro@client.com", s, "Ayuda."))
	}
	f.local(3, 3, 10, 20)
	f.apply(agentSays("ana", 1, "Hola, lo miro."))
	f.local(3, 3, 11, 0)
	f.apply(agentSays("ana", 1, "#resolve\nListo."))
	// The week (9–15 March).
	f.local(3, 10, 9, 0)
	f.apply(msg("r4@client", "eva@client.com", "D", "Ayuda."))
	f.local(3, 10, 9, 30)
	f.apply(agentSays("luis", 2, "Lo miro."))
	f.local(3, 10, 10, 0)
	f.apply(agentSays("luis", 2, "#resolve\nHecho."))
	f.local(3, 11, 10, 0)
	f.apply(agentSays("ana", 3, "#resolve\nYa está."))
	f.local(3, 15, 23, 30) // Sunday night in Bogotá, Monday in UTC: this week
	f.apply(msg("r5@client", "eva@client.com", "E", "Ayuda."))
	f.local(3, 16, 0, 30) // Monday in Bogotá: next week
	f.apply(msg("r6@client", "eva@client.com", "F", "Ayuda."))
	f.drain()

	f.local(3, 16, 8, 0)
	res, err := f.svc.Digest(false)
	if err != nil || !res.Queued {
		t.Fatalf("digest: %v, queued %v", err, res.Queued)
	}
	text := res.Mail.Text
	if res.Mail.Subject != "Mesa de ayuda: resumen semanal del 2026-03-09 al 2026-03-15" {
		t.Errorf("subject %q", res.Mail.Subject)
	}
	for _, want := range []string{
		"Resumen semanal de Mesa de ayuda del 2026-03-09 al 2026-03-15",
		"período anterior (2026-03-02 al 2026-03-08)",
		"Nuevos:              2 ↓ (anterior: 3)",
		"Resueltos:           2 ↑ (anterior: 1)",
		"Escalados:           0 = (anterior: 0)",
		"Abiertos ahora:      3", // D, E and F, at 08:00 on Monday
		"  2026-03-10  1 / 1\n", "  2026-03-11  0 / 1\n", "  2026-03-15  1 / 0\n", "  2026-03-09  0 / 0\n",
		"ana@example.com: 1 / 1 /", "luis@example.com: 2 / 1 /",
		"[Soporte #4] D — ",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("digest lacks %q:\n%s", want, text)
		}
	}
	if strings.Contains(text, "2026-03-16  ") || strings.Contains(text, "2026-03-08  ") {
		t.Errorf("the volume lists a day outside the week:\n%s", text)
	}
	if i, j := strings.Index(text, "[Soporte #4]"), strings.Index(text, "[Soporte #5]"); i < 0 || j < i {
		t.Errorf("oldest open tickets not oldest first:\n%s", text)
	}

	mails := mailsTo(f.drain(), "digest", "jefa@example.com")
	if len(mails) != 1 {
		t.Fatalf("%d digests to the manager", len(mails))
	}
	m := mails[0]
	if len(m.To) != 1 || len(m.Cc) != 0 {
		t.Errorf("the digest (with per-agent figures) goes to %v %v, want the manager only", m.To, m.Cc)
	}
	checkChartAttachments(t, &m, blobs)

	// Later runs of the schedule in the same week send nothing.
	f.local(3, 16, 9, 0)
	again, err := f.svc.Digest(false)
	if err != nil || again.Queued || !again.AlreadySent {
		t.Fatalf("second weekly digest in a week: %v, queued %v, already sent %v", err, again.Queued, again.AlreadySent)
	}
	if n := len(f.outbox()); n != 0 {
		t.Fatalf("%d mails queued by a digest already sent", n)
	}
	// The next week's: F, and this week as the previous.
	f.local(3, 23, 8, 0)
	next, err := f.svc.Digest(false)
	if err != nil || !next.Queued {
		t.Fatalf("next week's digest: %v", err)
	}
	if !strings.Contains(next.Mail.Text, "Nuevos:              1 ↓ (anterior: 2)") || !strings.Contains(next.Mail.Text, "Resueltos:           0 ↓ (anterior: 2)") {
		t.Errorf("next week's digest:\n%s", next.Mail.Text)
	}
	if strings.Contains(next.Mail.Text, "Por agente") {
		t.Errorf("a week without agents' work lists agents:\n%s", next.Mail.Text)
	}
}

// checkChartAttachments: the mail carries the three charts as inline
// PNGs in the store, each named by a Content-ID its HTML refers to and
// its text does not.
func checkChartAttachments(t *testing.T, m *Mail, blobs *Blobs) {
	t.Helper()
	if len(m.Attachments) != 3 {
		t.Fatalf("%d attachments, want the 3 charts", len(m.Attachments))
	}
	for _, a := range m.Attachments {
		if !a.Inline || a.ContentID == "" || a.Type != "image/png" || !a.Stored {
			t.Errorf("chart attachment %+v: want inline image/png, stored, with a Content-ID", a)
		}
		if !strings.Contains(m.HTML, `src="cid:`+a.ContentID+`"`) {
			t.Errorf("the HTML does not show %s", a.ContentID)
		}
		if strings.Contains(m.Text, a.ContentID) {
			t.Errorf("the text part names %s", a.ContentID)
		}
		r, err := blobs.Open(a.SHA256)
		if err != nil {
			t.Fatalf("%s not in the store: %v", a.Name, err)
		}
		b, _ := io.ReadAll(r)
		r.Close()
		img, err := png.Decode(bytes.NewReader(b))
		if err != nil || int64(len(b)) != a.Size {
			t.Fatalf("%s: %v (%d bytes, recorded %d)", a.Name, err, len(b), a.Size)
		}
		if s := img.Bounds().Size(); s.X != 600 || s.Y != 300 {
			t.Errorf("%s is %v, want 600x300", a.Name, s)
		}
	}
}

// TestMonthlyDigest covers the last calendar month in the desk's zone.
func TestMonthlyDigest(t *testing.T) {
	f, _ := weeklyDesk(t)
	f.svc.opts.DigestPeriod = DigestMonthly
	f.local(1, 31, 23, 0) // January in Bogotá, February in UTC
	f.apply(msg("r1@client", "pedro@client.com", "A", "Ayuda."))
	f.local(2, 10, 9, 0)
	f.apply(msg("r2@client", "pedro@client.com", "B", "Ayuda."))
	f.apply(msg("r3@client", "eva@client.com", "C", "Ayuda."))
	f.local(3, 1, 0, 30)
	f.apply(msg("r4@client", "eva@client.com", "D", "Ayuda."))
	f.local(3, 1, 8, 0)
	res, err := f.svc.Digest(true)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"Resumen mensual de Mesa de ayuda del 2026-02-01 al 2026-02-28", "Nuevos:              2 ↑ (anterior: 1)", "  2026-02-10  2 / 0\n"} {
		if !strings.Contains(res.Mail.Text, want) {
			t.Errorf("monthly digest lacks %q:\n%s", want, res.Mail.Text)
		}
	}
	if n := strings.Count(res.Mail.Text, "\n  2026-02-"); n != 28 {
		t.Errorf("the volume lists %d days of February, want 28", n)
	}
	if len(res.Images) != 3 || res.Queued {
		t.Errorf("dry run: %d images, queued %v", len(res.Images), res.Queued)
	}
}

// TestDigestListsWithoutTheLog: a store from before the digest log (no
// bucket) still lists the period's escalations, from the events, once.
func TestDigestListsWithoutTheLog(t *testing.T) {
	f := threeTiers(t, nil)
	f.apply(msg("r1@client", "pedro@client.com", "Impresora", "No imprime."))
	f.now = f.now.Add(time.Hour)
	f.check() // escalates to tier 2: logged
	f.now = f.now.Add(24 * time.Hour)
	withLog, err := f.svc.Digest(true)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.store.db.Update(func(tx *bolt.Tx) error { return tx.DeleteBucket(bucketDigestLog) }); err != nil {
		t.Fatal(err)
	}
	without, err := f.svc.Digest(true)
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range []DigestResult{withLog, without} {
		if !strings.Contains(d.Mail.Text, "Tickets escalados:\n  [Soporte #1] Impresora") || !strings.Contains(d.Mail.Text, "Incumplimientos de SLA:\n  [Soporte #1] Impresora") {
			t.Errorf("digest lists:\n%s", d.Mail.Text)
		}
	}
	if withLog.Mail.Text != without.Mail.Text {
		t.Errorf("the log and the events disagree:\n%s\n---\n%s", withLog.Mail.Text, without.Mail.Text)
	}
}

// TestDigestOldestOpen: the oldest open tickets, found through the
// hours the aggregates keep open tickets under, skip the closed ones
// around them and find a ticket opened again (#notspam); without the
// aggregates the tickets are read from the first, to the same list.
func TestDigestOldestOpen(t *testing.T) {
	f := verifiedDesk(t)
	f.svc.opts.Managers = []string{"jefa@example.com"}
	for i := 1; i <= 8; i++ {
		f.apply(domainPass(msg(fmt.Sprintf("r%d@client", i), fmt.Sprintf("p%d@client.com", i), fmt.Sprintf("T%d", i), "Ayuda.")))
		f.now = f.now.Add(20 * time.Minute) // three an hour
	}
	f.apply(agentMail("s1", "#spam")) // closes ticket 1
	for _, id := range []int{2, 4} {
		m := msg(fmt.Sprintf("c%d@example", id), "ana@example.com", fmt.Sprintf("Re: [Soporte #%d] x", id), "#close")
		m.AuthLogin = "ana@example.com"
		f.apply(m)
	}
	f.now = f.now.Add(24 * time.Hour)
	oldest := func() string {
		res, err := f.svc.Digest(true)
		if err != nil {
			t.Fatal(err)
		}
		_, list, _ := strings.Cut(res.Mail.Text, "Los tickets abiertos más antiguos:\n")
		var ids []string
		for _, l := range strings.Split(strings.TrimSpace(list), "\n") {
			ids = append(ids, strings.Fields(l)[1])
		}
		return strings.Join(ids, " ")
	}
	if got := oldest(); got != "#3] #5] #6] #7] #8]" {
		t.Fatalf("oldest open tickets %q, want 3 5 6 7 8", got)
	}
	f.apply(agentMail("s2", "#notspam"))
	if got := oldest(); got != "#1] #3] #5] #6] #7]" {
		t.Fatalf("after #notspam: %q, want 1 3 5 6 7", got)
	}
	var withAgg []Ticket
	f.reading(func(a *applier) (err error) { withAgg, err = oldestOpen(a.tx, 5); return err })
	if err := f.store.db.Update(func(tx *bolt.Tx) error { return tx.DeleteBucket(bucketAggBacklog) }); err != nil {
		t.Fatal(err)
	}
	var scanned []Ticket
	f.reading(func(a *applier) (err error) { scanned, err = oldestOpen(a.tx, 5); return err })
	if len(withAgg) != 5 || len(scanned) != 5 {
		t.Fatalf("%d and %d tickets", len(withAgg), len(scanned))
	}
	for i := range withAgg {
		if withAgg[i].ID != scanned[i].ID {
			t.Errorf("oldest %d: %d through the aggregates, %d read in order", i, withAgg[i].ID, scanned[i].ID)
		}
	}
}

// TestDigestListsAreCapped: a day with more escalations than a mail
// should list shows the first ones and says how many more; the figures
// count them all.
func TestDigestListsAreCapped(t *testing.T) {
	f := threeTiers(t, nil)
	for i := 1; i <= digestListed+5; i++ {
		f.apply(msg(fmt.Sprintf("r%d@client", i), fmt.Sprintf("p%d@client.com", i), fmt.Sprintf("T%d", i), "Ayuda."))
	}
	f.now = f.now.Add(time.Hour)
	if rep := f.check(); rep.Escalations() != digestListed+5 {
		t.Fatalf("%d escalations", rep.Escalations())
	}
	f.now = f.now.Add(24 * time.Hour)
	res, err := f.svc.Digest(true)
	if err != nil {
		t.Fatal(err)
	}
	text := res.Mail.Text
	_, list, _ := strings.Cut(text, "Tickets escalados:\n")
	list, _, _ = strings.Cut(list, "\n\n")
	if n := strings.Count(list, "[Soporte #"); n != digestListed || !strings.HasSuffix(list, "  … y 5 más") {
		t.Errorf("escalated list has %d tickets, want %d and \"… y 5 más\":\n%s", n, digestListed, list)
	}
	if !strings.Contains(text, fmt.Sprintf("Escalados:           %d", digestListed+5)) || !strings.Contains(res.Mail.HTML, "<li>… y 5 más</li>") {
		t.Errorf("digest:\n%s", text)
	}
}
