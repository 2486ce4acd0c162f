package tiers

import "slices"

// Type is what kind of work a ticket is, in the service-desk model: an
// incident (something that worked is broken: restore service fast) or a
// request (someone wants something: fulfil it on a plan). Targets may
// differ per type (Tier.ByType).
type Type string

const (
	TypeIncident Type = "incident"
	TypeRequest  Type = "request"
)

// Types lists the ticket types.
var Types = []Type{TypeIncident, TypeRequest}

// Valid reports whether t is one of Types.
func (t Type) Valid() bool { return slices.Contains(Types, t) }

// typeWords are what agents and admins may write for a type, in both
// languages, folded (Fold).
var typeWords = map[string]Type{
	"incident": TypeIncident, "incidente": TypeIncident, "incidencia": TypeIncident,
	"request": TypeRequest, "solicitud": TypeRequest, "peticion": TypeRequest, "requerimiento": TypeRequest,
	"solicitacao": TypeRequest, // pt
}

// ParseType reads a type word in English or Spanish (any case, accents
// ignored: "Petición" is a request).
func ParseType(s string) (Type, bool) {
	t, ok := typeWords[Fold(s)]
	return t, ok
}

// TypeTargets are a tier's targets for one ticket type: its own pair (a
// zero field falls back) and, per priority, pairs that override it.
type TypeTargets struct {
	Target
	ByPriority map[Priority]Target
}

// Target returns the tier's targets for a ticket of type typ and priority
// p. Each of the two targets is taken from the most specific setting that
// has it: the type's per-priority target, the type's own, the tier's
// per-priority target, the tier's own.
func (t Tier) Target(typ Type, p Priority) Target {
	tt := t.ByType[typ]
	candidates := []Target{tt.ByPriority[p], tt.Target, t.ByPriority[p], {FirstResponse: t.FirstResponse, Resolution: t.Resolution}}
	var out Target
	for _, c := range candidates {
		if out.FirstResponse == 0 && c.FirstResponse > 0 {
			out.FirstResponse = c.FirstResponse
		}
		if out.Resolution == 0 && c.Resolution > 0 {
			out.Resolution = c.Resolution
		}
	}
	return out
}

// ContainsWords reports whether seq appears in words as consecutive words
// (both as Words returns them): how keywords match, whole words only.
func ContainsWords(words, seq []string) bool { return containsWords(words, seq) }
