package loadtest

// The history of a desk that has run for two years, built through the real
// workflow (tickets.Service.Apply and CheckSLA with an injected clock) for
// TestLargeDatabase: new tickets through the day, agents' answers of three
// tiers, requesters' replies, resolutions, reopens, escalations by hand and
// by the SLA check, ratings, types, categories and priorities. Every
// queued mail is marked delivered as a running desk's outbox would be.
//
// The mix is deterministic for n: about 2.7 applied mails per ticket (most
// tickets get one answer that also resolves them).

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ticketd/ticketd/templates"
	"github.com/ticketd/ticketd/tickets"
	"github.com/ticketd/ticketd/tiers"
)

// The big desk's people: three tiers, six agents, one manager.
var (
	tier1Agents = []string{AgentA, AgentB, "sara@ticketd.test"}
	tier2Agents = []string{"marta@ticketd.test", "pablo@ticketd.test"}
	tier3Agents = []string{"jorge@ticketd.test"}
	bigManager  = "jefatura@ticketd.test"
)

// bigTiers are the tiers of the big desk; bigConfig writes the same.
func bigTiers() []tiers.Tier {
	return []tiers.Tier{
		{Level: 1, Name: "Nivel 1", Agents: tier1Agents, FirstResponse: 4 * time.Hour, Resolution: 72 * time.Hour},
		{Level: 2, Name: "Nivel 2", Agents: tier2Agents, FirstResponse: 8 * time.Hour, Resolution: 120 * time.Hour},
		{Level: 3, Name: "Nivel 3", Agents: tier3Agents, FirstResponse: 24 * time.Hour, Resolution: 240 * time.Hour},
	}
}

// bigIntake classifies by the words of the corpus's subjects.
func bigIntake() tickets.Intake {
	return tickets.Intake{
		TypeRules: []tickets.TypeRule{{Type: tiers.TypeRequest, Keywords: []string{"solicitud", "acceso", "instalación", "cambio"}}},
		Categories: []tickets.Category{
			{Name: "Impresoras", Keywords: []string{"imprimir", "impresora", "proyector"}},
			{Name: "Correo", Keywords: []string{"correo", "factura"}},
			{Name: "VPN", Keywords: []string{"vpn"}},
			{Name: "Accesos", Keywords: []string{"acceso", "contraseña"}},
			{Name: "Software", Keywords: []string{"software", "informe", "pantalla"}},
		},
	}
}

// bigConfig writes the configuration of the big desk (the same tiers,
// types and categories the history was built with) and returns its path.
// metrics is the admin listen address ("" for none).
func bigConfig(t *testing.T, dir, metrics string) string {
	t.Helper()
	pw := filepath.Join(dir, "imap-password")
	if err := os.WriteFile(pw, []byte(deskPassword+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	q := func(v []string) string {
		quoted := make([]string, len(v))
		for i, a := range v {
			quoted[i] = strconv.Quote(a)
		}
		return "[" + strings.Join(quoted, ", ") + "]"
	}
	admin := ""
	if metrics != "" {
		admin = fmt.Sprintf("[admin]\nlisten = %q\n", metrics)
	}
	cfg := fmt.Sprintf(`data_dir = %q
language = "es"
timezone = "UTC"
log_level = "info"
[support]
address = %q
tag = "Soporte"
[imap]
address = "127.0.0.1:9"
security = "none"
password_file = %q
[smtp]
address = "127.0.0.1:9"
security = "none"
[[tiers]]
level = 1
name = "Nivel 1"
agents = %s
first_response = "4h"
resolution = "72h"
[[tiers]]
level = 2
name = "Nivel 2"
agents = %s
first_response = "8h"
resolution = "120h"
[[tiers]]
level = 3
name = "Nivel 3"
agents = %s
first_response = "24h"
resolution = "240h"
[types]
default = "incident"
[[types.rules]]
type = "request"
keywords = ["solicitud", "acceso", "instalación", "cambio"]
[[categories]]
name = "Impresoras"
keywords = ["imprimir", "impresora", "proyector"]
[[categories]]
name = "Correo"
keywords = ["correo", "factura"]
[[categories]]
name = "VPN"
keywords = ["vpn"]
[[categories]]
name = "Accesos"
keywords = ["acceso", "contraseña"]
[[categories]]
name = "Software"
keywords = ["software", "informe", "pantalla"]
[workflow]
auto_close = "off"
[digest]
managers = [%q]
%s`, filepath.Join(dir, "data"), Desk, pw, q(tier1Agents), q(tier2Agents), q(tier3Agents), bigManager, admin)
	path := filepath.Join(dir, "ticketd.toml")
	if err := os.WriteFile(path, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// The history goes by in slots of slotHours: one transaction of the mail
// that arrives in it, at one instant within it (few commits: each one is
// an fsync).
const slotHours = 3

// What a scheduled step of a ticket's life is.
const (
	stepAnswer        = iota // an answer that asks the requester something
	stepAnswerResolve        // an answer that resolves the ticket
	stepEscalate             // "#escalate" by an agent of its tier
	stepRequesterBack        // the requester answers the question
	stepResolve              // an agent resolves it
	stepRate                 // the requester rates the help
	stepReopen               // the requester says it is still broken
)

type step struct {
	ticket uint64
	kind   uint8
	tier   uint8 // the tier whose agent acts
	req    int32 // requester number
	subj   uint8
}

// historyMix counts what the history applied.
type historyMix struct {
	Tickets, Answers, Escalations, Resolutions, Ratings, Reopens, Mails, Imported, Delivered int
	SLAChecks                                                                                int
	Start, End                                                                               time.Time
}

// buildHistory fills dataDir with a desk of n tickets opened over the two
// years before end, and returns what it applied.
func buildHistory(t *testing.T, dataDir string, n int, end time.Time) historyMix {
	t.Helper()
	store, err := tickets.Open(dataDir, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	policy, err := tiers.NewPolicy(bigTiers(), tiers.Options{Keywords: map[tiers.Priority][]string{
		tiers.PriorityUrgent: {"urgente"}, tiers.PriorityHigh: {"importante"}}})
	if err != nil {
		t.Fatal(err)
	}
	tmpl, err := templates.New("")
	if err != nil {
		t.Fatal(err)
	}
	const days = 730
	// Mail dated before the last mailedDays is applied as "ticketd once
	// --import" applies a desk's history (everything recorded, no mail
	// queued): rendering and delivering two mails per message would
	// triple the cost of building a million tickets. The last days run
	// as a live desk: every mail queued, then marked delivered.
	const mailedDays = 45
	const slots = days * 24 / slotHours
	start := end.Add(-days * 24 * time.Hour).Truncate(24 * time.Hour)
	now := start
	svc, err := tickets.NewService(store, tickets.Options{Desk: tickets.NewAddress("Mesa de ayuda", Desk), Tag: "Soporte",
		Language: "es", Policy: policy, Templates: tmpl, Intake: bigIntake(), CSAT: true, LowRating: 2,
		ReopenWindow: 168 * time.Hour, Managers: []string{bigManager},
		ImportBefore: end.Add(-mailedDays * 24 * time.Hour),
		AckLimit:     tickets.AckLimit{Max: 1000, Window: time.Hour}, Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	r := rand.New(rand.NewPCG(uint64(n), 15))
	mix := historyMix{Start: start, End: end}
	// Steps wait in their slot, keyed by slots since start.
	waiting := map[int][]step{}
	at := func(h int, s step) { waiting[h] = append(waiting[h], s) }
	// expHours draws a delay with the given mean in hours, in slots.
	expHours := func(mean float64) int { return int(math.Round(r.ExpFloat64() * mean / slotHours)) }
	requesters := max(n/20, 50)
	// Hourly arrival weights: office hours on weekdays, a trickle else.
	weight := func(t time.Time) float64 {
		h, wd := t.Hour(), t.Weekday()
		w := 0.05
		if h >= 8 && h < 18 {
			w = 1
		}
		if wd == time.Saturday || wd == time.Sunday {
			w *= 0.15
		}
		return w
	}
	var total float64
	for h := range slots {
		total += weight(start.Add(time.Duration(h*slotHours) * time.Hour))
	}
	perWeight := float64(n) / total
	opened, carry := 0, 0.0
	ctx := context.Background()
	began := time.Now()
	tier := func(s step) []string {
		return [][]string{tier1Agents, tier2Agents, tier3Agents}[max(0, min(2, int(s.tier)-1))]
	}
	for h := range slots {
		slot := start.Add(time.Duration(h*slotHours) * time.Hour)
		now = slot.Add(time.Duration(r.IntN(3600*slotHours)) * time.Second)
		carry += weight(slot) * perWeight // as total counted it: arrivals last to the end
		k := int(carry)
		carry -= float64(k)
		if h == slots-1 {
			k = n - opened // the rest, so the database holds exactly n
		}
		k = min(k, n-opened)
		var msgs []tickets.Inbound
		var news []step
		for range k {
			s := step{req: int32(r.IntN(requesters)), subj: uint8(r.IntN(len(asuntos)))}
			subject := asuntos[s.subj]
			switch x := r.IntN(100); {
			case x < 3:
				subject = "URGENTE: " + subject
			case x < 8:
				subject = "Importante - " + subject
			}
			name := nombres[int(s.req)%len(nombres)]
			msgs = append(msgs, tickets.Inbound{MessageID: fmt.Sprintf("n%d@cliente.test", opened), From: requester(s.req, name),
				To: []tickets.Address{tickets.NewAddress("", Desk)}, Subject: subject, Date: now,
				Text: fmt.Sprintf(cuerpos[r.IntN(len(cuerpos))], problemas[s.subj], name)})
			news = append(news, s)
			opened++
		}
		steps := waiting[h]
		delete(waiting, h)
		for _, s := range steps {
			m := stepMail(r, s, tier(s)[r.IntN(len(tier(s)))], h)
			m.Date = now
			msgs = append(msgs, m)
		}
		if len(msgs) == 0 {
			continue
		}
		res, err := svc.Apply(ctx, msgs)
		if err != nil {
			t.Fatalf("apply at %s: %v", now, err)
		}
		mix.Mails += len(msgs)
		if now.Before(end.Add(-mailedDays * 24 * time.Hour)) {
			mix.Imported += len(msgs)
		}
		for i, s := range news {
			s.ticket, s.tier = res[i].Ticket, 1
			mix.Tickets++
			switch x := r.IntN(1000); {
			case x < 5: // never answered: it climbs by the SLA check alone
			case x < 105:
				at(h+1+expHours(2), step{ticket: s.ticket, kind: stepEscalate, tier: 1, req: s.req, subj: s.subj})
			default:
				at(h+1+expHours(0.8), step{ticket: s.ticket, kind: answerKind(r), tier: 1, req: s.req, subj: s.subj})
			}
		}
		for _, s := range steps {
			next := s
			switch s.kind {
			case stepAnswerResolve:
				mix.Answers++
				mix.Resolutions++
				afterResolution(r, h, s, at, expHours)
			case stepAnswer:
				mix.Answers++
				next.kind = stepRequesterBack
				at(h+1+expHours(8), next)
			case stepEscalate:
				mix.Escalations++
				next.tier++
				if next.tier < 3 && r.IntN(100) < 15 {
					next.kind = stepEscalate
				} else {
					next.kind = answerKind(r)
				}
				at(h+1+expHours(4), next)
			case stepRequesterBack:
				next.kind = stepResolve
				at(h+1+expHours(18), next)
			case stepResolve:
				mix.Resolutions++
				afterResolution(r, h, s, at, expHours)
			case stepRate:
				mix.Ratings++
			case stepReopen:
				mix.Reopens++
				next.kind = stepResolve
				at(h+1+expHours(6), next)
			}
		}
		// The SLA check runs four times a day once the desk is live; an
		// import runs none (the clocks of what is still open are checked
		// at the first check after it).
		for h%(6/slotHours) == 6/slotHours-1 && !now.Before(end.Add(-mailedDays*24*time.Hour)) {
			rep, err := svc.CheckSLA(ctx)
			if err != nil {
				t.Fatal(err)
			}
			mix.SLAChecks++
			if !rep.More {
				break
			}
		}
		mix.Delivered += deliverAll(t, store, now)
		if h%(24*30/slotHours) == 0 && h > 0 {
			t.Logf("history: %s, %d tickets, %d mails applied, %s", now.Format("2006-01-02"), opened, mix.Mails, time.Since(began).Round(time.Second))
		}
	}
	return mix
}

// answerKind: most answers resolve the ticket at once (65 %).
func answerKind(r *rand.Rand) uint8 {
	if r.IntN(100) < 65 {
		return stepAnswerResolve
	}
	return stepAnswer
}

// afterResolution schedules what follows a resolution: a rating (40 %),
// a reopen (5 %), or nothing.
func afterResolution(r *rand.Rand, h int, s step, at func(int, step), expHours func(float64) int) {
	next := s
	switch x := r.IntN(100); {
	case x < 40:
		next.kind = stepRate
		at(h+1+min(expHours(10), 48/slotHours), next)
	case x < 45:
		next.kind = stepReopen
		at(h+1+min(expHours(12), 60/slotHours), next)
	}
}

// requester is requester number i.
func requester(i int32, name string) tickets.Address {
	return tickets.NewAddress(name, fmt.Sprintf("usuario%d@cliente%d.test", i, i%40))
}

// stepMail is the mail that does s at hour h.
func stepMail(r *rand.Rand, s step, agent string, h int) tickets.Inbound {
	token := fmt.Sprintf("Re: [Soporte #%d] %s", s.ticket, asuntos[s.subj])
	id := fmt.Sprintf("s%d.%d.%d@ticketd.test", s.ticket, s.kind, h)
	from := tickets.NewAddress("Agente", agent)
	var text string
	switch s.kind {
	case stepAnswer, stepAnswerResolve:
		text = agentes[r.IntN(len(agentes))]
		if s.kind == stepAnswerResolve {
			text = "#resolve\n" + text
		}
		switch x := r.IntN(100); {
		case x < 4:
			text = "#prioridad alta\n" + text
		case x < 7:
			text = "#tipo solicitud\n" + text
		}
	case stepEscalate:
		text = "#escalate necesita revisión de nivel superior\nLo pasamos al equipo siguiente."
	case stepResolve:
		text = "#resolve\nQuedó resuelto; cualquier cosa nos escribes."
	case stepRequesterBack, stepReopen, stepRate:
		from = requester(s.req, nombres[int(s.req)%len(nombres)])
		switch s.kind {
		case stepRequesterBack:
			text = respuestas[r.IntN(2)]
		case stepReopen:
			text = "Sigue sin funcionar, lo siento. Vuelve a fallar igual que antes."
		default:
			text = fmt.Sprint([]int{5, 5, 5, 5, 5, 4, 4, 4, 3, 2, 1}[r.IntN(11)])
			token = fmt.Sprintf("Re: [Soporte #%d] Valoración: %s", s.ticket, text)
		}
	}
	return tickets.Inbound{MessageID: id, From: from, To: []tickets.Address{tickets.NewAddress("", Desk)}, Subject: token, Text: text}
}

// deliverAll marks every mail due by now delivered, in batches.
func deliverAll(t *testing.T, store *tickets.Store, now time.Time) int {
	t.Helper()
	n := 0
	for {
		due, err := store.DueMail(now.Add(time.Hour), 2000)
		if err != nil {
			t.Fatal(err)
		}
		if len(due) == 0 {
			return n
		}
		ds := make([]tickets.Delivery, len(due))
		for i, m := range due {
			ds[i] = tickets.Delivery{ID: m.ID, Time: now}
		}
		if err := store.MarkDeliveredBatch(ds); err != nil {
			t.Fatal(err)
		}
		n += len(ds)
	}
}
