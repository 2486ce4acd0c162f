package tickets

import (
	"slices"
	"strings"

	"github.com/ticketd/ticketd/templates"
	"github.com/ticketd/ticketd/tiers"
)

// kindRows are the digest's rows by ticket type, from a report by type:
// tickets stored before types existed ("") count as the desk's default
// type; types in tiers.Types order, those with something to say.
func (s *Service) kindRows(r Report) []templates.KindRow {
	byType := map[tiers.Type]Figures{}
	for _, row := range r.Rows {
		typ := tiers.Type(row.Group[0])
		if typ == "" {
			typ = s.typeOf(&Ticket{})
		}
		byType[typ] = addFigures(byType[typ], row.Figures)
	}
	var out []templates.KindRow
	for _, typ := range tiers.Types {
		f, ok := byType[typ]
		if !ok || f.Opened+f.Resolved+f.OpenAtEnd == 0 {
			continue
		}
		out = append(out, templates.KindRow{Kind: string(typ), New: f.Opened, Resolved: f.Resolved, Open: f.OpenAtEnd,
			MedianFirstResponse: medianText(f.FirstResponse), MedianResolution: medianText(f.Resolution)})
	}
	return out
}

// addFigures adds the counts of b to a. Medians cannot be added: the
// larger group's stand (only the rare "" type is ever merged).
func addFigures(a, b Figures) Figures {
	if b.FirstResponse.N > a.FirstResponse.N {
		a.FirstResponse = b.FirstResponse
	}
	if b.Resolution.N > a.Resolution.N {
		a.Resolution = b.Resolution
	}
	a.Opened += b.Opened
	a.Resolved += b.Resolved
	a.OpenAtEnd += b.OpenAtEnd
	return a
}

// categoryRows are the digest's rows by category, by name with "none"
// last; none at all when no ticket of the period has a category.
func categoryRows(r Report) []templates.KindRow {
	var out []templates.KindRow
	var none *templates.KindRow
	for _, row := range r.Rows {
		f := row.Figures
		if f.Opened+f.OpenAtEnd == 0 {
			continue
		}
		k := templates.KindRow{Kind: row.Group[0], New: f.Opened, Open: f.OpenAtEnd}
		if k.Kind == "" {
			none = &k
			continue
		}
		out = append(out, k)
	}
	if len(out) == 0 {
		return nil
	}
	slices.SortFunc(out, func(a, b templates.KindRow) int { return strings.Compare(a.Kind, b.Kind) })
	if none != nil {
		out = append(out, *none)
	}
	return out
}
