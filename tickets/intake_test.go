package tickets

import (
	"fmt"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/ticketd/ticketd/templates"
	"github.com/ticketd/ticketd/tiers"
)

// deskIntake is a desk's rules as config.example.toml shows them.
func deskIntake() Intake {
	return Intake{
		DefaultType: tiers.TypeIncident,
		TypeRules: []TypeRule{
			{Type: tiers.TypeRequest, Addresses: []string{"Solicitudes@Example.com"}},
			{Type: tiers.TypeRequest, Keywords: []string{"solicitud", "alta", "acceso", "request", "please install", "instalar"}},
		},
		Categories: []Category{
			{Name: "Impresoras", Keywords: []string{"impresora", "printer", "tóner"}, Tier: 2},
			{Name: "VPN", Keywords: []string{"vpn"}, Agents: []string{"Luis@Example.com"}},
			{Name: "Accesos", Keywords: []string{"contraseña", "password", "acceso"}},
		},
	}
}

func TestIntakeClassify(t *testing.T) {
	in := deskIntake()
	if err := in.Validate(nil); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name, to, subject, text string
		typ                     tiers.Type
		category                string
	}{
		{"no rule: the default", "soporte@example.com", "No puedo imprimir", "La impresora no responde", tiers.TypeIncident, "Impresoras"},
		{"es keyword, accents and case", "soporte@example.com", "SOLICITÚD de alta", "Nuevo empleado", tiers.TypeRequest, ""},
		{"keyword in the body", "soporte@example.com", "Nuevo empleado", "Necesito ACCESO a la carpeta", tiers.TypeRequest, "Accesos"},
		{"en phrase, whole words", "soporte@example.com", "Laptop", "Could you please   install Office?", tiers.TypeRequest, ""},
		{"part of a word is no keyword", "soporte@example.com", "Altavoz roto", "El altavoz no suena; solicitudes anteriores", tiers.TypeIncident, ""},
		{"phrase split is no match", "soporte@example.com", "please", "install", tiers.TypeIncident, ""},
		{"address rule", "solicitudes@example.com", "Algo", "se rompió", tiers.TypeRequest, ""},
		{"address in Cc, any case", "", "Algo", "vpn caída", tiers.TypeRequest, "VPN"},
		{"first category wins", "soporte@example.com", "Tóner", "la impresora pide password", tiers.TypeIncident, "Impresoras"},
	} {
		m := msg("x@c", "p@client.com", c.subject, c.text)
		if c.to == "" {
			m.Cc = []Address{{Email: "SOLICITUDES@example.com"}}
		} else {
			m.To = []Address{{Email: c.to}}
		}
		got := in.Classify(&m)
		if got.Type != c.typ || got.Category != c.category {
			t.Errorf("%s: got %s/%q (%s), want %s/%q", c.name, got.Type, got.Category, got.Why, c.typ, c.category)
		}
	}
	// A desk that sets nothing: every ticket an incident, no category.
	var none Intake
	m := msg("y@c", "p@client.com", "Solicitud de acceso", "please install")
	if got := none.Classify(&m); got.Type != tiers.TypeIncident || got.Category != "" {
		t.Errorf("empty intake: %+v", got)
	}
	// The default is configurable.
	req := Intake{DefaultType: tiers.TypeRequest}
	if got := req.Classify(&m); got.Type != tiers.TypeRequest {
		t.Errorf("default request: %+v", got)
	}
}

func TestIntakeValidate(t *testing.T) {
	policy, err := tiers.NewPolicy([]tiers.Tier{
		{Level: 1, Name: "N1", Agents: []string{"ana@example.com"}, FirstResponse: time.Hour, Resolution: 8 * time.Hour},
		{Level: 2, Name: "Proveedor", Agents: []string{"acme@vendor.test"}, Vendor: true, FirstResponse: time.Hour, Resolution: 8 * time.Hour},
	}, tiers.Options{})
	if err != nil {
		t.Fatal(err)
	}
	in := Intake{
		DefaultType: "problem",
		TypeRules:   []TypeRule{{Type: "wish"}, {Type: tiers.TypeRequest, Addresses: []string{"nodomain"}}},
		Categories:  []Category{{Name: "VPN", Tier: 2}, {Name: "vpn"}, {Name: "none"}, {Name: "Red", Tier: 5, Agents: []string{"eve@attacker.test"}}, {Name: "#x"}},
	}
	err = in.Validate(policy)
	if err == nil {
		t.Fatal("want errors")
	}
	for _, want := range []string{`default type "problem"`, `type rule 1: type "wish"`, "type rule 1: needs keywords or addresses",
		`"nodomain" is not an address`, "tier 2 is not a tier of the desk's agents", "the name is used twice", `"none" means no category`,
		"tier 5 is not", "eve@attacker.test is not an agent", "name must be one line without #"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("errors lack %q:\n%v", want, err)
		}
	}
}

// typedDesk is a desk whose requests have their own, longer targets
// (and per priority), with the intake rules above.
func typedDesk(t *testing.T) *fixture {
	t.Helper()
	return newFixtureWith(t, []tiers.Tier{
		{Level: 1, Name: "Nivel 1", Agents: []string{"ana@example.com", "luis@example.com"}, FirstResponse: time.Hour, Resolution: 8 * time.Hour,
			ByType: map[tiers.Type]tiers.TypeTargets{tiers.TypeRequest: {Target: tiers.Target{FirstResponse: 8 * time.Hour, Resolution: 40 * time.Hour},
				ByPriority: map[tiers.Priority]tiers.Target{tiers.PriorityUrgent: {FirstResponse: 2 * time.Hour}}}}},
		{Level: 2, Name: "Nivel 2", Agents: []string{"marta@example.com"}, FirstResponse: 2 * time.Hour, Resolution: 24 * time.Hour},
	}, tiers.Options{WarnAt: 0.75, Keywords: map[tiers.Priority][]string{tiers.PriorityUrgent: {"urgente"}}}, func(o *Options) {
		o.Intake = deskIntake()
	})
}

func TestTypeSetsTargetsAndAck(t *testing.T) {
	f := typedDesk(t)
	f.apply(msg("i1@c", "pedro@client.com", "No funciona el correo", "Desde esta mañana."))
	f.apply(msg("r1@c", "eva@client.com", "Solicitud de alta", "Para el nuevo empleado."))
	f.apply(msg("r2@c", "rosa@client.com", "URGENTE solicitud", "Acceso ya."))
	inc, req, urgent := f.ticket(1), f.ticket(2), f.ticket(3)
	if inc.Type != tiers.TypeIncident || inc.SLA.FirstResponse.Target != time.Hour || inc.SLA.Resolution.Target != 8*time.Hour {
		t.Fatalf("incident: %s %v/%v", inc.Type, inc.SLA.FirstResponse.Target, inc.SLA.Resolution.Target)
	}
	if req.Type != tiers.TypeRequest || req.SLA.FirstResponse.Target != 8*time.Hour || req.SLA.Resolution.Target != 40*time.Hour {
		t.Fatalf("request: %s %v/%v", req.Type, req.SLA.FirstResponse.Target, req.SLA.Resolution.Target)
	}
	if urgent.Priority != tiers.PriorityUrgent || urgent.SLA.FirstResponse.Target != 2*time.Hour || urgent.SLA.Resolution.Target != 40*time.Hour {
		t.Fatalf("urgent request: %s %v/%v", urgent.Priority, urgent.SLA.FirstResponse.Target, urgent.SLA.Resolution.Target)
	}
	mails := f.drain()
	ack := func(rcpt string) string {
		m := mailsTo(mails, templates.Ack, rcpt)
		if len(m) != 1 {
			t.Fatalf("acks to %s: %d", rcpt, len(m))
		}
		return m[0].Text + m[0].HTML
	}
	if a := ack("pedro@client.com"); !strings.Contains(a, "Hemos registrado su incidencia con el número 1") || strings.Contains(a, "su solicitud con") {
		t.Errorf("incident ack:\n%s", a)
	}
	if a := ack("eva@client.com"); !strings.Contains(a, "Hemos registrado su solicitud con el número 2") || strings.Contains(a, "incidencia") {
		t.Errorf("request ack:\n%s", a)
	}
	notice := mailsTo(mails, templates.AgentNew, "ana@example.com")
	if len(notice) != 3 || !strings.Contains(notice[0].Text, "Tipo:   incidencia") || !strings.Contains(notice[0].Text, "primera respuesta 1 h, resolución 8 h") ||
		!strings.Contains(notice[1].Text, "Tipo:   solicitud") || !strings.Contains(notice[1].Text, "primera respuesta 8 h, resolución 1 d 16 h") {
		t.Fatalf("agent notices:\n%s\n---\n%s", notice[0].Text, notice[1].Text)
	}
	events, _ := f.store.Events(2)
	if events[0].Kind != EventCreated || !strings.Contains(events[0].Detail, `type request (keyword "solicitud")`) {
		t.Errorf("created event %+v", events[0])
	}
}

func TestAckWordingInEnglish(t *testing.T) {
	f := newFixtureWith(t, []tiers.Tier{{Level: 1, Name: "Tier 1", Agents: []string{"ana@example.com"}, FirstResponse: time.Hour, Resolution: 8 * time.Hour}},
		tiers.Options{}, func(o *Options) { o.Language = "en"; o.Intake = Intake{TypeRules: deskIntake().TypeRules} })
	f.apply(msg("i1@c", "pedro@client.com", "Mail is down", "Since this morning."))
	f.apply(msg("r1@c", "eva@client.com", "New laptop", "Please install Office."))
	mails := f.drain()
	inc, req := mailsTo(mails, templates.Ack, "pedro@client.com"), mailsTo(mails, templates.Ack, "eva@client.com")
	if len(inc) != 1 || !strings.Contains(inc[0].Text, "We have registered your incident as number 1") || !strings.Contains(inc[0].HTML, "We have registered your incident as number") {
		t.Errorf("incident ack: %+v", inc)
	}
	if len(req) != 1 || !strings.Contains(req[0].Text, "We have registered your request as number 2") || !strings.Contains(req[0].HTML, "We have registered your request as number") {
		t.Errorf("request ack: %+v", req)
	}
	if n := mailsTo(mails, templates.AgentNew, "ana@example.com"); len(n) != 2 || !strings.Contains(n[1].Text, "Type:    request") {
		t.Errorf("agent notice: %+v", n)
	}
}

// TestTypeChangeMovesDeadlines: #tipo retargets the running clocks like
// #prioridad does, keeping the time used; the timeline says so.
func TestTypeChangeMovesDeadlines(t *testing.T) {
	f := typedDesk(t)
	start := f.now
	f.apply(msg("i1@c", "pedro@client.com", "Nuevo portátil", "Para Marta."))
	if tk := f.ticket(1); tk.Type != tiers.TypeIncident || !tk.SLA.Resolution.Due.Equal(start.Add(8*time.Hour)) {
		t.Fatalf("before: %s due %s", tk.Type, tk.SLA.Resolution.Due)
	}
	f.now = start.Add(30 * time.Minute)
	f.apply(msg("a1@e", "ana@example.com", "Re: [Soporte #1] x", "#tipo solicitud"))
	tk := f.ticket(1)
	if tk.Type != tiers.TypeRequest || !tk.SLA.FirstResponse.Due.Equal(start.Add(8*time.Hour)) || !tk.SLA.Resolution.Due.Equal(start.Add(40*time.Hour)) {
		t.Fatalf("after #tipo solicitud: %s first response due %s, resolution due %s", tk.Type, tk.SLA.FirstResponse.Due, tk.SLA.Resolution.Due)
	}
	// The SLA check now looks at the request's deadlines: nothing is due
	// where the incident's warning (45 min) was.
	f.now = start.Add(2 * time.Hour)
	if rep := f.check(); rep.Warnings != 0 || rep.Breaches() != 0 {
		t.Fatalf("check after the change: %+v", rep)
	}
	f.drain()
	// And back: the shorter target applies to the time already used, so
	// the first response breaches at once and the ticket escalates.
	f.apply(msg("a2@e", "ana@example.com", "Re: [Soporte #1] x", "#type incident"))
	tk = f.ticket(1)
	if tk.Type != tiers.TypeIncident || tk.SLA.FirstResponse.Target != time.Hour || !tk.SLA.FirstResponse.Due.Equal(start.Add(time.Hour)) {
		t.Fatalf("after #type incident: %s %+v", tk.Type, tk.SLA.FirstResponse)
	}
	if rep := f.check(); len(rep.EscalatedTo) != 1 {
		t.Fatalf("the overdue incident did not escalate: %+v", rep)
	}
	var changes []string
	events, _ := f.store.Events(1)
	for _, e := range events {
		if e.Kind == EventType {
			changes = append(changes, e.Actor+" "+e.Detail)
		}
	}
	if strings.Join(changes, "; ") != "ana@example.com incident → request; ana@example.com request → incident" {
		t.Fatalf("type events: %q", changes)
	}
}

func TestTypeAndCategoryCommands(t *testing.T) {
	f := typedDesk(t)
	f.apply(msg("i1@c", "pedro@client.com", "Algo raro", "No sé qué pasa."))
	f.drain()
	before := f.ticket(1)
	// A bad value anywhere: nothing applied, the agent told why.
	f.apply(msg("a1@e", "ana@example.com", "Re: [Soporte #1] x", "#tipo solicitud\n#categoria Cafetera\nHola"))
	if tk := f.ticket(1); tk.Type != before.Type || tk.Category != "" {
		t.Fatalf("a bad #categoria changed the ticket: %s %q", tk.Type, tk.Category)
	}
	mails := f.drain()
	if len(mails) != 1 || mails[0].Kind != templates.CommandError ||
		!strings.Contains(mails[0].Text, "#categoria Cafetera: necesita una categoría: Impresoras, VPN, Accesos, o «ninguna»") {
		t.Fatalf("command error: %v\n%s", kinds(mails), mails[0].Text)
	}
	f.apply(msg("a2@e", "ana@example.com", "Re: [Soporte #1] x", "#type problem"))
	if mails := f.drain(); len(mails) != 1 || !strings.Contains(mails[0].Text, "#type problem: necesita un tipo: incidente o solicitud") {
		t.Fatalf("bad #type: %v", kinds(mails))
	}
	if tk := f.ticket(1); tk.Type != tiers.TypeIncident {
		t.Fatalf("bad #type changed the type to %s", tk.Type)
	}
	// Both good, any case and accents.
	f.apply(msg("a3@e", "ana@example.com", "Re: [Soporte #1] x", "#Tipo Petición\n#categoría vpn"))
	if tk := f.ticket(1); tk.Type != tiers.TypeRequest || tk.Category != "VPN" {
		t.Fatalf("after the commands: %s %q", tk.Type, tk.Category)
	}
	f.apply(msg("a4@e", "ana@example.com", "Re: [Soporte #1] x", "#category none"))
	if tk := f.ticket(1); tk.Category != "" {
		t.Fatalf("#category none left %q", tk.Category)
	}
	events, _ := f.store.Events(1)
	var got []string
	for _, e := range events {
		if e.Kind == EventCategory {
			got = append(got, e.Detail)
		}
	}
	if strings.Join(got, "; ") != "none → VPN; VPN → none" {
		t.Fatalf("category events %q", got)
	}
}

// TestRequesterCannotCommandType: the support address is public; a
// requester (or anyone forging nothing) writing commands changes nothing.
func TestRequesterCannotCommandType(t *testing.T) {
	f := typedDesk(t)
	f.apply(msg("i1@c", "pedro@client.com", "Caída del correo", "Nada funciona."))
	f.drain()
	f.apply(msg("p2@c", "pedro@client.com", "Re: [Soporte #1] Caída", "#tipo solicitud\n#categoria VPN\n#prioridad baja"))
	tk := f.ticket(1)
	if tk.Type != tiers.TypeIncident || tk.Category != "" || tk.SLA.Resolution.Target != 8*time.Hour {
		t.Fatalf("a requester's commands changed the ticket: %s %q %v", tk.Type, tk.Category, tk.SLA.Resolution.Target)
	}
	// With verified agents, a forged From claiming an agent changes nothing either.
	f.svc.opts.RequireVerifiedAgents = true
	f.apply(msg("forged@c", "ana@example.com", "Re: [Soporte #1] Caída", "#tipo solicitud"))
	if tk := f.ticket(1); tk.Type != tiers.TypeIncident {
		t.Fatalf("forged agent mail changed the type to %s", tk.Type)
	}
}

// TestCategoryRouting: a category's new tickets start at its tier, or
// reach only its agents; others reach tier 1.
func TestCategoryRouting(t *testing.T) {
	f := typedDesk(t)
	f.apply(msg("p1@c", "pedro@client.com", "La impresora no imprime", "Atasco."))
	f.apply(msg("v1@c", "eva@client.com", "VPN caída", "No conecta."))
	f.apply(msg("o1@c", "rosa@client.com", "Pantalla negra", "Nada."))
	printer, vpn, other := f.ticket(1), f.ticket(2), f.ticket(3)
	if printer.Category != "Impresoras" || printer.Tier != 2 || printer.SLA.Resolution.Target != 24*time.Hour {
		t.Fatalf("printer ticket: %q tier %d target %v", printer.Category, printer.Tier, printer.SLA.Resolution.Target)
	}
	if vpn.Category != "VPN" || vpn.Tier != 1 || other.Category != "" || other.Tier != 1 {
		t.Fatalf("vpn %q/%d, other %q/%d", vpn.Category, vpn.Tier, other.Category, other.Tier)
	}
	mails := f.drain()
	to := func(id uint64) string {
		for _, m := range mails {
			if m.Kind == templates.AgentNew && m.Ticket == id {
				return strings.Join(m.Recipients(), ",")
			}
		}
		return ""
	}
	if to(1) != "marta@example.com" || to(2) != "luis@example.com" || to(3) != "ana@example.com,luis@example.com" {
		t.Fatalf("new-ticket notices: printer %q, vpn %q, other %q", to(1), to(2), to(3))
	}
	// The requester's next mail on the VPN ticket reaches the category's
	// agent too, while nobody has it.
	f.apply(msg("v2@c", "eva@client.com", "Re: [Soporte #2] VPN caída", "Sigue igual."))
	if m := f.drain(); len(m) != 1 || strings.Join(m[0].Recipients(), ",") != "luis@example.com" {
		t.Fatalf("update on the vpn ticket: %v", m)
	}
}

// TestOldTicketsReadAsDefaultType: a ticket stored before types existed
// has none and counts as the desk's default type.
func TestOldTicketsReadAsDefaultType(t *testing.T) {
	f := typedDesk(t)
	f.svc.defaultQueue().Intake.DefaultType = tiers.TypeRequest
	f.apply(msg("i1@c", "pedro@client.com", "x", "y"))
	tk := f.ticket(1)
	tk.Type = ""
	if got := f.svc.typeOf(&tk); got != tiers.TypeRequest {
		t.Fatalf("typeOf an untyped ticket = %s", got)
	}
}

// TestStatsAndListByTypeAndCategory: counts and median times per type,
// counts per category, old untyped tickets as the default type, and the
// list filters.
func TestStatsAndListByTypeAndCategory(t *testing.T) {
	f := typedDesk(t)
	f.apply(msg("i1@c", "pedro@client.com", "Impresora rota", "x"))   // 1 incident, Impresoras
	f.apply(msg("r1@c", "eva@client.com", "Solicitud de VPN", "x"))   // 2 request, VPN
	f.apply(msg("r2@c", "rosa@client.com", "Solicitud de alta", "x")) // 3 request
	f.apply(msg("i2@c", "juan@client.com", "Pantalla negra", "x"))    // 4 incident
	f.now = f.now.Add(2 * time.Hour)
	f.apply(msg("a1@e", "luis@example.com", "Re: [Soporte #2] x", "Hecho.\n"))
	f.now = f.now.Add(time.Hour)
	f.apply(msg("a2@e", "luis@example.com", "Re: [Soporte #2] x", "#resolve"))
	f.apply(msg("a3@e", "marta@example.com", "Re: [Soporte #1] x", "Mirando."))
	// Ticket 4 as a database from before types has it.
	if err := f.store.db.Update(func(tx *bolt.Tx) error {
		tk, err := getTicket(tx, 4)
		if err != nil {
			return err
		}
		tk.Type = ""
		return putTicket(tx, &tk)
	}); err != nil {
		t.Fatal(err)
	}
	st, err := f.store.Stats()
	if err != nil {
		t.Fatal(err)
	}
	st.DefaultType(tiers.TypeIncident)
	if len(st.ByType) != 2 {
		t.Fatalf("by type %+v", st.ByType)
	}
	inc, req := st.ByType[0], st.ByType[1]
	if inc.Type != tiers.TypeIncident || inc.Tickets != 2 || inc.Open != 2 || inc.Resolved != 0 || inc.FirstResponse != 3*time.Hour || inc.Resolution != 0 {
		t.Errorf("incidents %+v", inc)
	}
	if req.Type != tiers.TypeRequest || req.Tickets != 2 || req.Open != 1 || req.Resolved != 1 || req.FirstResponse != 2*time.Hour || req.Resolution != 3*time.Hour {
		t.Errorf("requests %+v", req)
	}
	if fmt.Sprint(st.ByCategory) != "[{Impresoras 1 1} {VPN 1 0} { 2 2}]" {
		t.Errorf("by category %v", st.ByCategory)
	}
	for _, c := range st.Counts {
		if c.Type == "" {
			t.Errorf("an untyped count is left: %+v", st.Counts)
		}
	}
	ids := func(fl Filter) string {
		ts, err := f.store.Summaries(fl)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, s := range ts {
			out = append(out, fmt.Sprint(s.ID))
		}
		return strings.Join(out, ",")
	}
	for _, c := range []struct {
		f    Filter
		want string
	}{
		{Filter{Type: tiers.TypeIncident, DefaultType: tiers.TypeIncident}, "1,4"},
		{Filter{Type: tiers.TypeRequest, DefaultType: tiers.TypeIncident}, "2,3"},
		{Filter{Type: tiers.TypeRequest, DefaultType: tiers.TypeRequest}, "2,3,4"},
		{Filter{Category: "vpn"}, "2"},
		{Filter{Category: "none"}, "3,4"},
		{Filter{Category: "none", Type: tiers.TypeRequest}, "3"},
	} {
		if got := ids(c.f); got != c.want {
			t.Errorf("list %+v = %s, want %s", c.f, got, c.want)
		}
	}
}

// TestDigestByTypeAndCategory: the managers' digest counts and times
// incidents and requests apart, and breaks the period down by category.
func TestDigestByTypeAndCategory(t *testing.T) {
	f := typedDesk(t)
	f.svc.opts.Managers = []string{"jefa@example.com"}
	f.apply(msg("i1@c", "pedro@client.com", "Impresora rota", "x"))
	f.apply(msg("r1@c", "eva@client.com", "Solicitud de VPN", "x"))
	f.apply(msg("r2@c", "rosa@client.com", "Solicitud de alta", "x"))
	f.now = f.now.Add(90 * time.Minute)
	f.apply(msg("a1@e", "luis@example.com", "Re: [Soporte #2] x", "#resolve\nHecho."))
	f.now = f.now.Add(24 * time.Hour) // the next morning's digest covers the day
	res, err := f.svc.Digest(true)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"Por tipo (nuevos / resueltos / abiertos; medianas de primera respuesta y resolución):",
		"  incidencia   1 / 0 / 1; -, -",
		"  solicitud    2 / 1 / 1; 1 h 30 min, 1 h 30 min",
		"Por categoría (nuevos / abiertos):",
		"  Impresoras       1 / 1",
		"  VPN              1 / 0",
		"  (sin categoría)  1 / 1",
	} {
		if !strings.Contains(res.Mail.Text, want) {
			t.Errorf("digest lacks %q:\n%s", want, res.Mail.Text)
		}
	}
	if !strings.Contains(res.Mail.HTML, "solicitud: 2 / 1 / 1; 1 h 30 min, 1 h 30 min") {
		t.Errorf("HTML digest lacks the requests:\n%s", res.Mail.HTML)
	}
}

// TestIntakePerQueue: each queue classifies its own new tickets by its own
// rules and categories, and its categories name only its agents.
func TestIntakePerQueue(t *testing.T) {
	f := newQueuesFixture(t, func(o *Options) {
		o.Intake = Intake{Categories: []Category{{Name: "Impresoras", Keywords: []string{"impresora"}}}}
		o.Queues[0].Intake = Intake{DefaultType: tiers.TypeRequest,
			TypeRules:  []TypeRule{{Type: tiers.TypeIncident, Keywords: []string{"broken"}}},
			Categories: []Category{{Name: "Quotes", Keywords: []string{"quote"}, Agents: []string{"victor@ventas.example"}}}}
	})
	sales := func(id, subject string) Inbound {
		m := msg(id, "pedro@client.com", subject, "x")
		m.To = []Address{{Email: "ventas@ventas.example"}}
		return m
	}
	f.apply(msg("d1@c", "pedro@client.com", "La impresora está rota, broken quote", "x"), sales("s1@c", "Need a quote"), sales("s2@c", "Printer broken"))
	def, q1, q2 := f.ticket(1), f.ticket(2), f.ticket(3)
	if def.Type != tiers.TypeIncident || def.Category != "Impresoras" {
		t.Errorf("default queue: %s %q", def.Type, def.Category)
	}
	if q1.Type != tiers.TypeRequest || q1.Category != "Quotes" || q2.Type != tiers.TypeIncident || q2.Category != "" {
		t.Errorf("ventas: %s %q, %s %q", q1.Type, q1.Category, q2.Type, q2.Category)
	}
	if n := mailsOf(f, 2, templates.AgentNew); len(n) != 1 || strings.Join(n[0].Recipients(), ",") != "victor@ventas.example" {
		t.Errorf("quote notice: %+v", n)
	}
	if ack := mailsOf(f, 2, templates.Ack); len(ack) != 1 || !strings.Contains(ack[0].Text, "We have registered your request") {
		t.Errorf("ventas ack: %+v", ack)
	}
	// A category of another queue is unknown here.
	f.apply(Inbound{MessageID: "a1@v", From: NewAddress("", "vera@ventas.example"), Subject: "Re: [Ventas #2] x", Text: "#category Impresoras", ContentHash: "a1"})
	if f.ticket(2).Category != "Quotes" {
		t.Fatal("a category of the default queue was set on a ventas ticket")
	}
	// A queue's category agents must be that queue's agents.
	_, err := NewService(f.store, Options{Desk: NewAddress("", "soporte@example.com"), Policy: f.svc.opts.Policy, Templates: f.svc.opts.Templates,
		Intake: Intake{Categories: []Category{{Name: "X", Agents: []string{"victor@ventas.example"}}}}})
	if err == nil || !strings.Contains(err.Error(), "victor@ventas.example is not an agent") {
		t.Errorf("category agent of another queue: %v", err)
	}
}
