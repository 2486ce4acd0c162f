package tickets

import (
	"slices"
	"strings"
	"time"

	"github.com/ticketd/ticketd/templates"
	"github.com/ticketd/ticketd/tiers"
)

// digestKind gathers one row of a digest's breakdown by type or category.
type digestKind struct {
	templates.KindRow
	firstResp, resolution []time.Duration
}

// digestKinds are the rows of a digest by type and by category.
type digestKinds struct {
	types map[tiers.Type]*digestKind
	cats  map[string]*digestKind
}

func newDigestKinds() *digestKinds {
	return &digestKinds{types: map[tiers.Type]*digestKind{}, cats: map[string]*digestKind{}}
}

// of returns the rows of type typ and category cat, made on first use.
func (k *digestKinds) of(typ tiers.Type, cat string) (*digestKind, *digestKind) {
	t := k.types[typ]
	if t == nil {
		t = &digestKind{KindRow: templates.KindRow{Kind: string(typ)}}
		k.types[typ] = t
	}
	c := k.cats[cat]
	if c == nil {
		c = &digestKind{KindRow: templates.KindRow{Kind: cat}}
		k.cats[cat] = c
	}
	return t, c
}

// rows returns the rows with something to say: types in tiers.Types
// order; categories by name, none last, and none at all when no ticket
// has a category.
func (k *digestKinds) rows() (types, cats []templates.KindRow) {
	for _, typ := range tiers.Types {
		if r := k.types[typ]; r != nil && r.New+r.Resolved+r.Open > 0 {
			r.MedianFirstResponse, r.MedianResolution = humanDuration(median(r.firstResp)), humanDuration(median(r.resolution))
			types = append(types, r.KindRow)
		}
	}
	for name, r := range k.cats {
		if name != "" && r.New+r.Open > 0 {
			cats = append(cats, r.KindRow)
		}
	}
	if len(cats) == 0 {
		return types, nil
	}
	slices.SortFunc(cats, func(a, b templates.KindRow) int { return strings.Compare(a.Kind, b.Kind) })
	if r := k.cats[""]; r != nil && r.New+r.Open > 0 {
		cats = append(cats, r.KindRow)
	}
	return types, cats
}
