package charts

import (
	"fmt"
	"time"
)

// words are the charts' texts in one of the desk's languages.
type words struct {
	volume, opened, resolved, tickets string
	sla, firstResponse, resolution    string
	backlog, noData                   string
	months                            [12]string
	dayFirst                          bool // "30/11" rather than "Nov 30"
}

var languages = map[string]words{
	"es": {volume: "Tickets abiertos y resueltos por día", opened: "Abiertos", resolved: "Resueltos", tickets: "tickets",
		sla: "Cumplimiento de SLA por nivel", firstResponse: "Primera respuesta", resolution: "Resolución",
		backlog: "Pendientes por antigüedad", noData: "Sin datos en el período", dayFirst: true},
	"en": {volume: "Tickets opened and resolved per day", opened: "Opened", resolved: "Resolved", tickets: "tickets",
		sla: "SLA compliance per tier", firstResponse: "First response", resolution: "Resolution",
		backlog: "Open tickets by age", noData: "No data in the period",
		months: [12]string{"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"}},
	"pt": {volume: "Tickets abertos e resolvidos por dia", opened: "Abertos", resolved: "Resolvidos", tickets: "tickets",
		sla: "Cumprimento de SLA por nível", firstResponse: "Primeira resposta", resolution: "Resolução",
		backlog: "Pendentes por idade", noData: "Sem dados no período", dayFirst: true},
}

// wordsFor returns lang's words; English for a language without them.
func wordsFor(lang string) words {
	if w, ok := languages[lang]; ok {
		return w
	}
	return languages["en"]
}

// Day is one day's volume: tickets opened and resolved that day (in the
// desk's time zone; Date's clock is ignored).
type Day struct {
	Date             time.Time
	Opened, Resolved int
}

// maxDayLabels keeps day labels from overlapping at mail width: a month
// labels every third day.
const maxDayLabels = 12

// Volume charts tickets opened against resolved per day, in lang.
func Volume(lang string, days []Day, sz Size) ([]byte, error) {
	w := wordsFor(lang)
	c := Chart{Title: w.volume, YLabel: w.tickets, NoData: w.noData}
	if len(days) > 0 {
		opened, resolved := make([]float64, len(days)), make([]float64, len(days))
		every := (len(days) + maxDayLabels - 1) / maxDayLabels
		for i, d := range days {
			label := ""
			if i%every == 0 {
				label = w.day(d.Date)
			}
			c.Categories = append(c.Categories, label)
			opened[i], resolved[i] = float64(d.Opened), float64(d.Resolved)
		}
		c.Series = []Series{{Name: w.opened, Values: opened}, {Name: w.resolved, Values: resolved}}
	}
	return PNG(c, sz)
}

func (w words) day(t time.Time) string {
	if w.dayFirst {
		return fmt.Sprintf("%02d/%02d", t.Day(), int(t.Month()))
	}
	return fmt.Sprintf("%s %d", w.months[t.Month()-1], t.Day())
}

// TierSLA is one tier's SLA compliance, in percent of the tickets
// measured against each target.
type TierSLA struct {
	Tier                      string
	FirstResponse, Resolution float64
}

// SLA charts the compliance of each tier with each target, in lang.
func SLA(lang string, tiers []TierSLA, sz Size) ([]byte, error) {
	w := wordsFor(lang)
	c := Chart{Title: w.sla, YLabel: "%", Percent: true, NoData: w.noData}
	if len(tiers) > 0 {
		fr, res := make([]float64, len(tiers)), make([]float64, len(tiers))
		for i, t := range tiers {
			c.Categories = append(c.Categories, t.Tier)
			fr[i], res[i] = t.FirstResponse, t.Resolution
		}
		c.Series = []Series{{Name: w.firstResponse, Values: fr}, {Name: w.resolution, Values: res}}
	}
	return PNG(c, sz)
}

// Bucket is a count with a label: open tickets of an age.
type Bucket struct {
	Label string
	N     int
}

// Backlog charts the open tickets by age, in lang.
func Backlog(lang string, buckets []Bucket, sz Size) ([]byte, error) {
	w := wordsFor(lang)
	c := Chart{Title: w.backlog, YLabel: w.tickets, NoData: w.noData}
	if len(buckets) > 0 {
		ns := make([]float64, len(buckets))
		for i, b := range buckets {
			c.Categories = append(c.Categories, b.Label)
			ns[i] = float64(b.N)
		}
		c.Series = []Series{{Values: ns}}
	}
	return PNG(c, sz)
}

// ageUnits are the short units of age labels.
var ageUnits = map[string][3]string{"es": {"h", "d", "sem"}, "en": {"h", "d", "wk"}, "pt": {"h", "d", "sem"}}

// AgeLabel names the ages [from, to) in lang: "< 1 d", "1–3 d", "3–7 d",
// "1–4 sem", "> 4 sem"; to 0 has no upper bound.
func AgeLabel(lang string, from, to time.Duration) string {
	u, ok := ageUnits[lang]
	if !ok {
		u = ageUnits["en"]
	}
	const day, week = 24 * time.Hour, 7 * 24 * time.Hour
	unit, name := time.Hour, u[0]
	switch {
	case from%week == 0 && to%week == 0 && (from >= week || from == 0 && to >= week):
		unit, name = week, u[2]
	case from%day == 0 && to%day == 0:
		unit, name = day, u[1]
	}
	n := func(d time.Duration) int64 { return int64(d / unit) }
	switch {
	case from <= 0 && to > 0:
		return fmt.Sprintf("< %d %s", n(to), name)
	case to <= 0:
		return fmt.Sprintf("> %d %s", n(from), name)
	}
	return fmt.Sprintf("%d–%d %s", n(from), n(to), name)
}
