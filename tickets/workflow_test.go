package tickets

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/ticketd/ticketd/tiers"
)

// workflowDesk is a two-tier desk with every workflow option on.
func workflowDesk(t testing.TB, edit func(*Options)) *fixture {
	t.Helper()
	return newFixtureWith(t, []tiers.Tier{
		{Level: 1, Name: "Nivel 1", Agents: []string{"ana@example.com", "luis@example.com"}, FirstResponse: time.Hour, Resolution: 8 * time.Hour},
		{Level: 2, Name: "Nivel 2", Agents: []string{"marta@example.com"}, FirstResponse: time.Hour, Resolution: 8 * time.Hour},
	}, tiers.Options{}, func(o *Options) {
		o.CSAT, o.LowRating, o.CollisionCheck = true, 2, true
		o.ReopenWindow, o.AutoClose = 7*24*time.Hour, 72*time.Hour
		o.PendingReminder, o.PendingResolve = 48*time.Hour, 48*time.Hour
		o.KBSuggestions, o.KBMinScore = 3, 2 // the default
		if edit != nil {
			edit(o)
		}
	})
}

func TestParseCommands(t *testing.T) {
	cases := []struct {
		text  string
		names []string
		args  []string
		rest  string
	}{
		{"#resolve", []string{"resolve"}, []string{""}, ""},
		{"  #Resolver  \r\n\r\nListo, ya funciona.", []string{"resolve"}, []string{""}, "Listo, ya funciona."},
		{"#prioridad:  alta\n#asignar me\nTexto", []string{"priority", "assign"}, []string{"alta", "me"}, "Texto"},
		{"#NOTE revisar el cable\nhola", []string{"note"}, []string{"revisar el cable"}, "hola"},
		{"#escalar necesita técnico en sitio", []string{"escalate"}, []string{"necesita técnico en sitio"}, ""},
		{"Hola Pedro,\n#resolve\nsaludos", nil, nil, "Hola Pedro,\n#resolve\nsaludos"}, // below text: just text
		{"#1 reinicie el equipo", nil, nil, "#1 reinicie el equipo"},
		{"# Paso 1", nil, nil, "# Paso 1"},
		{"#whatever foo\ntext", []string{""}, []string{"foo"}, "text"},    // unknown: reported, not text
		{"#kb #resolve", []string{"kb", "resolve"}, []string{"", ""}, ""}, // a line of commands
		{"#escalar falla el #2 de la lista", []string{"escalate"}, []string{"falla el #2 de la lista"}, ""},
		{"#nota #urgente revisar hoy", []string{"note"}, []string{"#urgente revisar hoy"}, ""}, // words follow: an argument
	}
	for _, c := range cases {
		cmds, rest := parseCommands(c.text)
		if len(cmds) != len(c.names) {
			t.Errorf("%q: %d commands %+v, want %v", c.text, len(cmds), cmds, c.names)
			continue
		}
		for i, cmd := range cmds {
			if cmd.name != c.names[i] || cmd.arg != c.args[i] {
				t.Errorf("%q: command %d = %q %q, want %q %q", c.text, i, cmd.name, cmd.arg, c.names[i], c.args[i])
			}
		}
		if strings.TrimSpace(rest) != c.rest {
			t.Errorf("%q: rest %q, want %q", c.text, rest, c.rest)
		}
	}
}

func TestParseAgentText(t *testing.T) {
	cases := []struct {
		in, text, article string
		kb                bool
	}{
		{"Hola Pedro, reinicie.", "Hola Pedro, reinicie.", "", false},
		{"#kb", "", "", true},
		{"#kb #resolve", "", "", true},
		{"#kb\nApague y encienda.", "", "Apague y encienda.", true},
		{"#kb Apague y encienda.\nEspere 10 s.", "", "Apague y encienda.\nEspere 10 s.", true},
		{"Hola Pedro, reinicie.\n\n#kb\nReinicie el equipo.", "Hola Pedro, reinicie.", "Reinicie el equipo.", true},
		{"#resolve\nHola Pedro.\n#kb", "Hola Pedro.", "", true},
		{"Hola Pedro.\n#resolve\nsaludos", "Hola Pedro.\n#resolve\nsaludos", "", false}, // only #kb counts below text
		{"#nota el cable\nestá suelto", "el cable\nestá suelto", "", false},
	}
	for _, c := range cases {
		w := parseAgentText(c.in)
		if w.text != c.text || w.article != c.article || w.kb != c.kb {
			t.Errorf("%q: text %q article %q kb %v, want %q %q %v", c.in, w.text, w.article, w.kb, c.text, c.article, c.kb)
		}
	}
}

func TestNoteNeverReachesTheRequester(t *testing.T) {
	f := workflowDesk(t, nil)
	f.apply(msg("r1@c", "pedro@client.com", "VPN", "No conecta."))
	f.apply(msg("a1@e", "ana@example.com", "Re: [Soporte #1] VPN", "Hola Pedro, revisamos."))
	f.drain()
	f.apply(msg("a2@e", "luis@example.com", "Re: [Soporte #1] VPN", "#nota el usuario tiene la cuenta bloqueada en AD\nDesbloquear antes de las 18h."))
	mails := f.drain()
	for _, m := range mails {
		for _, r := range m.Recipients() {
			if r == "pedro@client.com" {
				t.Fatalf("the note reached the requester: %+v", m)
			}
		}
	}
	// Ana has the ticket: the note is for her, the words on the #nota
	// line included; its author gets nothing.
	notes := mailsTo(mails, "agent_note", "ana@example.com")
	if len(notes) != 1 || !strings.Contains(notes[0].Text, "cuenta bloqueada en AD") || !strings.Contains(notes[0].Text, "Desbloquear antes de las 18h.") ||
		len(mailsTo(mails, "agent_note", "luis@example.com")) != 0 {
		t.Fatalf("note mails %+v: want one to the assignee, none to its author", mails)
	}
	// The note stays internal when the ticket goes to a vendor: history.
	public, internal := f.history(1, true), f.history(1, false)
	if strings.Contains(public, "Desbloquear") || !strings.Contains(internal, "Desbloquear") {
		t.Errorf("public history %q / internal %q", public, internal)
	}
}

func TestBadCommandChangesNothing(t *testing.T) {
	f := workflowDesk(t, nil)
	f.apply(msg("r1@c", "pedro@client.com", "VPN", "No conecta."))
	f.drain()
	before := f.ticket(1)
	f.apply(msg("a1@e", "ana@example.com", "Re: [Soporte #1] VPN", "#resolve\n#asignar pedro@client.com\n#frobnicate\nYa está."))
	tk := f.ticket(1)
	if tk.Status != before.Status || tk.Assignee != "" {
		t.Fatalf("a mail with bad commands changed the ticket: status %s assignee %q", tk.Status, tk.Assignee)
	}
	mails := f.drain()
	if len(mails) != 1 || mails[0].Kind != "command_error" || mails[0].To[0].Email != "ana@example.com" {
		t.Fatalf("mails %+v: want only the error to the agent", mails)
	}
	for _, want := range []string{"#asignar pedro@client.com: necesita la dirección de un agente", "#frobnicate: orden desconocida", "Ya está."} {
		if !strings.Contains(mails[0].Text, want) {
			t.Errorf("error mail lacks %q:\n%s", want, mails[0].Text)
		}
	}
	// An internal note cannot be saved as a (public) article.
	f.apply(msg("a2@e", "ana@example.com", "Re: [Soporte #1] VPN", "#nota\n#kb\nla clave del router es 1234"))
	if arts, _ := f.store.Articles(); len(arts) != 0 {
		t.Fatalf("a note became an article: %+v", arts)
	}
	if m := f.drain(); len(m) != 1 || m[0].Kind != "command_error" {
		t.Fatalf("#nota #kb: %v", kinds(m))
	}
}

func TestAssignTakeTierClose(t *testing.T) {
	f := workflowDesk(t, nil)
	f.apply(msg("r1@c", "pedro@client.com", "VPN", "No conecta."))
	f.apply(msg("a1@e", "luis@example.com", "Re: [Soporte #1] VPN", "#take"))
	if a := f.ticket(1).Assignee; a != "luis@example.com" {
		t.Fatalf("after #take: %q", a)
	}
	f.apply(msg("a2@e", "luis@example.com", "Re: [Soporte #1] VPN", "#asignar Ana <ana@example.com>"))
	if a := f.ticket(1).Assignee; a != "ana@example.com" {
		t.Fatalf("after #asignar: %q", a)
	}
	f.apply(msg("a3@e", "ana@example.com", "Re: [Soporte #1] VPN", "#nivel 2"))
	if tk := f.ticket(1); tk.Tier != 2 {
		t.Fatalf("after #nivel 2: tier %d", tk.Tier)
	}
	f.drain()
	f.apply(msg("a4@e", "marta@example.com", "Re: [Soporte #1] VPN", "#cerrar"))
	if tk := f.ticket(1); tk.Status != StatusClosed {
		t.Fatalf("after #cerrar: %s", tk.Status)
	}
	if n := len(f.drain()); n != 0 {
		t.Fatalf("#cerrar sent %d mails (no rating for a closed ticket)", n)
	}
}

func TestStrangersAndLateMailOpenLinkedTickets(t *testing.T) {
	f := workflowDesk(t, nil)
	f.svc.opts.TrustedAuthResults = true
	m := msg("r1@c", "pedro@client.com", "VPN", "No conecta.")
	m.Cc = []Address{{Email: "jefa@client.com"}}
	m.SenderVerified = true
	f.apply(m)
	f.svc.opts.TrustedAuthResults = false // the rest is about threading
	// The copied colleague joins; a stranger naming the token does not.
	if r := f.apply(msg("p1@c", "jefa@client.com", "Re: [Soporte #1] VPN", "Es urgente."))[0]; r.Ticket != 1 {
		t.Fatalf("participant's mail went to %d", r.Ticket)
	}
	r := f.apply(msg("x1@c", "mallory@evil.com", "Re: [Soporte #1] VPN", "Envíenme la clave."))[0]
	if r.Ticket == 1 || r.Outcome != OutcomeCreated {
		t.Fatalf("a stranger's mail joined ticket 1: %+v", r)
	}
	if tk := f.ticket(r.Ticket); len(tk.Links) != 1 || tk.Links[0] != 1 {
		t.Fatalf("new ticket links %v, want [1]", tk.Links)
	}
	if tk := f.ticket(1); len(tk.Links) != 1 || tk.Links[0] != r.Ticket {
		t.Fatalf("ticket 1 links %v", tk.Links)
	}

	// Resolved: a reply within the window reopens, a late one starts anew.
	f.apply(msg("a1@e", "ana@example.com", "Re: [Soporte #1] VPN", "#resolve\nReinicie el router."))
	f.now = f.now.Add(24 * time.Hour)
	f.apply(msg("r2@c", "pedro@client.com", "Re: [Soporte #1] VPN", "Sigue igual."))
	if tk := f.ticket(1); tk.Status != StatusOpen {
		t.Fatalf("reply within the window: %s, want open", tk.Status)
	}
	f.apply(msg("a2@e", "ana@example.com", "Re: [Soporte #1] VPN", "#resolve"))
	f.now = f.now.Add(8 * 24 * time.Hour)
	r = f.apply(msg("r3@c", "pedro@client.com", "Re: [Soporte #1] VPN", "Otra vez falla."))[0]
	if r.Ticket == 1 || r.Outcome != OutcomeCreated || f.ticket(1).Status != StatusResolved {
		t.Fatalf("late reply: %+v, ticket 1 %s", r, f.ticket(1).Status)
	}
}

func TestPendingReminderAutoResolveAndClose(t *testing.T) {
	f := workflowDesk(t, nil)
	start := f.now
	f.apply(msg("r1@c", "pedro@client.com", "VPN", "No conecta."))
	f.apply(msg("a1@e", "ana@example.com", "Re: [Soporte #1] VPN", "#pendiente\n¿Qué error ve?"))
	f.drain()
	f.now = start.Add(47 * time.Hour)
	if rep := f.check(); rep.Reminders != 0 {
		t.Fatal("reminded early")
	}
	f.now = start.Add(48 * time.Hour)
	if rep := f.check(); rep.Reminders != 1 {
		t.Fatalf("no reminder at 48h: %+v", rep)
	}
	if r := mailsTo(f.drain(), "reminder", "pedro@client.com"); len(r) != 1 {
		t.Fatalf("reminder mails %+v", r)
	}
	f.check()
	if n := len(f.drain()); n != 0 {
		t.Fatalf("a second check sent %d more mails", n)
	}
	f.now = start.Add(96 * time.Hour)
	if rep := f.check(); rep.AutoResolved != 1 || f.ticket(1).Status != StatusResolved {
		t.Fatalf("not auto-resolved at 96h: %+v, %s", rep, f.ticket(1).Status)
	}
	mails := f.drain()
	if len(mailsTo(mails, "auto_resolved", "pedro@client.com")) != 1 || len(mailsTo(mails, "csat", "pedro@client.com")) != 0 {
		t.Fatalf("auto-resolve mails %+v: want the notice and no rating question", mails)
	}
	f.now = start.Add(96*time.Hour + 72*time.Hour)
	if rep := f.check(); rep.AutoClosed != 1 || f.ticket(1).Status != StatusClosed {
		t.Fatalf("not auto-closed: %+v", rep)
	}
	if len(mailsTo(f.drain(), "closed", "pedro@client.com")) != 1 {
		t.Fatal("no closing notice")
	}
}

func TestSatisfaction(t *testing.T) {
	f := workflowDesk(t, nil)
	f.apply(msg("r1@c", "pedro@client.com", "VPN", "No conecta."))
	f.apply(msg("a1@e", "ana@example.com", "Re: [Soporte #1] VPN", "#resolver\nReinicie el router."))
	mails := f.drain()
	if len(mails) < 2 || mails[len(mails)-2].Kind != "reply" || mails[len(mails)-1].Kind != "csat" {
		t.Fatalf("queued %v: want the answer, then the rating question", kinds(mails))
	}
	csat := mailsTo(mails, "csat", "pedro@client.com")
	if len(csat) != 1 || !strings.Contains(csat[0].HTML, "mailto:soporte@example.com?") || !strings.Contains(csat[0].HTML, "Valoraci%C3%B3n%205") {
		t.Fatalf("rating question %+v", csat)
	}
	rating := msg("r2@c", "pedro@client.com", "Re: [Soporte #1] Valoración 2", "2 - tardaron mucho")
	rating.InReplyTo = []string{csat[0].MessageID}
	f.apply(rating)
	tk := f.ticket(1)
	if tk.Rating != 2 || tk.RatingComment != "tardaron mucho" || tk.Status != StatusResolved {
		t.Fatalf("after the rating: %d %q %s (a rating must not reopen)", tk.Rating, tk.RatingComment, tk.Status)
	}
	if low := mailsTo(f.drain(), "low_rating", "ana@example.com"); len(low) != 1 || !strings.Contains(low[0].Text, "tardaron mucho") {
		t.Fatalf("low rating not sent to the assignee: %+v", low)
	}
	// Asked once: a second number is an ordinary reply (it reopens).
	f.apply(msg("r3@c", "pedro@client.com", "Re: [Soporte #1] VPN", "5"))
	if tk := f.ticket(1); tk.Rating != 2 || tk.Status != StatusOpen {
		t.Fatalf("second number: rating %d status %s", tk.Rating, tk.Status)
	}
	// The mailto: link's subject alone also rates.
	f.apply(msg("a2@e", "ana@example.com", "Re: [Soporte #1] VPN", "#resolve"))
	f.drain()
	f.apply(msg("r4@c", "pedro@client.com", "Re: [Soporte #1] Valoración 5", ""))
	if tk := f.ticket(1); tk.Rating != 5 {
		t.Fatalf("rating by subject: %d", tk.Rating)
	}
	if n := len(f.drain()); n != 0 {
		t.Fatalf("a good rating sent %d mails", n)
	}
}

// kbCorpus is a small Spanish and English knowledge base.
var kbCorpus = []struct{ subject, answer string }{
	{"No puedo imprimir en la impresora del piso 3", "Apague la impresora, espere 10 segundos y enciéndala. Si sigue sin imprimir, borre la cola de impresión."},
	{"Olvidé mi contraseña del correo", "Puede restablecer la contraseña en https://clave.example.com con su cédula."},
	{"VPN does not connect from home", "Install the new VPN client from the portal and sign in with your network password."},
	{"Printer shows paper jam", "Open tray 2, remove the jammed paper and close it firmly."},
	{"La VPN no conecta desde casa", "Instale el cliente VPN nuevo desde el portal y entre con su contraseña de red."},
}

func (f *fixture) fillKB(t *testing.T) {
	t.Helper()
	for i, a := range kbCorpus {
		id := uint64(i + 1)
		f.apply(msg(strings.Repeat("k", i+1)+"@c", "kbuser@client.com", a.subject, "pregunta"))
		f.apply(msg(strings.Repeat("a", i+1)+"@e", "ana@example.com", "Re: [Soporte #"+fmt.Sprint(id)+"] x", "#kb\n"+a.answer))
	}
	f.drain()
}

func TestKnowledgeBaseRanking(t *testing.T) {
	f := workflowDesk(t, nil)
	f.fillKB(t)
	arts, err := f.store.Articles()
	if err != nil || len(arts) != len(kbCorpus) {
		t.Fatalf("%d articles (%v)", len(arts), err)
	}
	cases := []struct {
		query string
		best  uint64
	}{
		{"la impresora no imprime", 1},
		{"IMPRESORAS del piso", 1},          // case and plural folded
		{"contrasena correo olvidada", 2},   // accent folded
		{"vpn connect home", 3},             // English
		{"no conecta la vpn en mi casa", 5}, // Spanish twin of 3
		{"paper jam on the printer", 4},
	}
	for _, c := range cases {
		hits, err := f.store.SearchArticles(c.query, 3)
		if err != nil {
			t.Fatal(err)
		}
		if len(hits) == 0 || hits[0].Article.ID != c.best {
			t.Errorf("%q: best %+v, want article %d", c.query, hits, c.best)
		}
	}
	if hits, _ := f.store.SearchArticles("el de la que y", 3); len(hits) != 0 {
		t.Errorf("stop words matched %d articles", len(hits))
	}
	// #kb again on the same ticket edits the article.
	f.apply(msg("edit@e", "ana@example.com", "Re: [Soporte #2] x", "#kb\nRestablezca la contraseña en https://nueva.example.com"))
	a, _ := f.store.Article(2)
	if !strings.Contains(a.Body, "nueva.example.com") {
		t.Fatalf("article not updated: %q", a.Body)
	}
	if hits, _ := f.store.SearchArticles("cédula", 3); len(hits) != 0 {
		t.Errorf("the edited article is still found by its old words")
	}
	if arts, _ := f.store.Articles(); len(arts) != len(kbCorpus) {
		t.Errorf("editing created a new article: %d", len(arts))
	}
}

func TestSuggestionsAndSelfService(t *testing.T) {
	f := workflowDesk(t, nil)
	f.fillKB(t)
	res := f.apply(msg("n1@c", "eva@client.com", "La impresora no imprime", "Desde esta mañana la impresora del piso 3 no imprime nada."))[0]
	mails := f.drain()
	ack := mailsTo(mails, "ack", "eva@client.com")
	if len(ack) != 1 || !strings.Contains(ack[0].Text, "Apague la impresora") || !strings.Contains(ack[0].Text, "#resuelto") {
		t.Fatalf("acknowledgement without the printer article:\n%v", ack)
	}
	if strings.Contains(ack[0].Text, "VPN") {
		t.Errorf("an unrelated article was suggested:\n%s", ack[0].Text)
	}
	tk := f.ticket(res.Ticket)
	if len(tk.Suggested) == 0 || tk.Suggested[0] != 1 {
		t.Fatalf("suggested %v", tk.Suggested)
	}
	f.apply(msg("n2@c", "eva@client.com", "Re: [Soporte #"+fmt.Sprint(res.Ticket)+"] x", "#resuelto 1\n¡Funcionó, gracias!"))
	tk = f.ticket(res.Ticket)
	if tk.Status != StatusClosed || tk.SolvedBy != 1 {
		t.Fatalf("after #resuelto: %s solved by %d", tk.Status, tk.SolvedBy)
	}
	if a, _ := f.store.Article(1); a.Helped != 1 || a.Suggested < 1 {
		t.Fatalf("article counts %+v", a)
	}
	mails = f.drain()
	if len(mailsTo(mails, "csat", "eva@client.com")) != 0 || len(mailsTo(mails, "agent_update", "ana@example.com")) != 1 {
		t.Fatalf("self-service mails %+v: agents told, no rating question", mails)
	}
	// Nothing relevant: no suggestions.
	f.apply(msg("n3@c", "eva@client.com", "Pedido de silla ergonómica", "Quisiera una silla nueva."))
	if ack := mailsTo(f.drain(), "ack", "eva@client.com"); len(ack) != 1 || strings.Contains(ack[0].Text, "#resuelto") {
		t.Fatalf("suggestions for an unrelated request:\n%v", ack)
	}
}

func TestCollisionHoldsStaleAnswers(t *testing.T) {
	f := workflowDesk(t, nil)
	f.apply(msg("r1@c", "pedro@client.com", "VPN", "No conecta."))
	note := mailsTo(f.drain(), "agent_new", "ana@example.com")[0]
	f.now = f.now.Add(time.Minute)
	f.apply(msg("r2@c", "pedro@client.com", "Re: [Soporte #1] VPN", "Ya funciona, olvídenlo."))
	f.drain()
	// Ana answers the first notification, not having seen Pedro's news.
	f.now = f.now.Add(time.Minute)
	stale := msg("a1@e", "ana@example.com", "Re: [Soporte #1] VPN", "Reinstale el cliente VPN.")
	stale.InReplyTo = []string{note.MessageID}
	f.apply(stale)
	mails := f.drain()
	if len(mailsTo(mails, "reply", "pedro@client.com")) != 0 {
		t.Fatal("a stale answer was relayed")
	}
	held := mailsTo(mails, "collision", "ana@example.com")
	if len(held) != 1 || !strings.Contains(held[0].Text, "Ya funciona, olvídenlo.") || f.ticket(1).Held == nil {
		t.Fatalf("collision mail %+v", held)
	}
	confirm := msg("a2@e", "ana@example.com", "Re: [Soporte #1] VPN", "#enviar")
	confirm.InReplyTo = []string{held[0].MessageID}
	f.apply(confirm)
	relayed := mailsTo(f.drain(), "reply", "pedro@client.com")
	if len(relayed) != 1 || !strings.Contains(relayed[0].Text, "Reinstale el cliente VPN.") || f.ticket(1).Held != nil {
		t.Fatalf("#enviar relayed %+v", relayed)
	}
	// Answering the newest notification is not a collision.
	f.apply(msg("r3@c", "pedro@client.com", "Re: [Soporte #1] VPN", "Gracias."))
	upd := mailsTo(f.drain(), "agent_update", "ana@example.com")[0]
	fresh := msg("a3@e", "ana@example.com", "Re: [Soporte #1] VPN", "De nada.")
	fresh.InReplyTo = []string{upd.MessageID}
	f.apply(fresh)
	if len(mailsTo(f.drain(), "reply", "pedro@client.com")) != 1 {
		t.Fatal("an answer to the newest notification was held")
	}
}

func TestStatusRequest(t *testing.T) {
	f := workflowDesk(t, nil)
	f.apply(msg("r1@c", "pedro@client.com", "VPN", "No conecta."))
	f.apply(msg("r2@c", "pedro@client.com", "Impresora", "No imprime."))
	f.apply(msg("r3@c", "eva@client.com", "Silla", "Nueva."))
	f.drain()
	r := f.apply(msg("s1@c", "Pedro@Client.com", "Estado", ""))[0]
	if r.Outcome != OutcomeIgnored || r.Ticket != 0 {
		t.Fatalf("status request opened a ticket: %+v", r)
	}
	mails := f.drain()
	if len(mails) != 1 || mails[0].Kind != "status_reply" || mails[0].InReplyTo != "s1@c" {
		t.Fatalf("status reply %+v", mails)
	}
	text := mails[0].Text
	if !strings.Contains(text, "[Soporte #1] VPN") || !strings.Contains(text, "[Soporte #2] Impresora") || strings.Contains(text, "Silla") {
		t.Fatalf("status reply lists the wrong tickets:\n%s", text)
	}
	if n, _ := f.store.Tickets(); len(n) != 3 {
		t.Fatalf("%d tickets", len(n))
	}
}

// Without a reminder, a silent requester's pending ticket still resolves.
func TestPendingResolveWithoutReminder(t *testing.T) {
	f := workflowDesk(t, func(o *Options) { o.PendingReminder = 0 })
	start := f.now
	f.apply(msg("r1@c", "pedro@client.com", "VPN", "No conecta."))
	f.apply(msg("a1@e", "ana@example.com", "Re: [Soporte #1] VPN", "#pendiente\n¿Qué error ve?"))
	f.now = start.Add(48 * time.Hour)
	if rep := f.check(); rep.AutoResolved != 1 || rep.Reminders != 0 {
		t.Fatalf("at 48h: %+v, want auto-resolved without a reminder", rep)
	}
}
