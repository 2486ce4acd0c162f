package tickets

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/ticketd/ticketd/templates"
)

// languageDesk is the Spanish workflow desk with language detection on.
func languageDesk(t testing.TB, edit func(*Options)) *fixture {
	t.Helper()
	return workflowDesk(t, func(o *Options) {
		o.DetectLanguage = true
		if edit != nil {
			edit(o)
		}
	})
}

// only returns the single mail of kind to rcpt in mails.
func only(t *testing.T, mails []Mail, kind templates.Name, rcpt string) Mail {
	t.Helper()
	got := mailsTo(mails, kind, rcpt)
	if len(got) != 1 {
		var kinds []string
		for _, m := range mails {
			kinds = append(kinds, string(m.Kind)+"→"+strings.Join(m.Recipients(), ","))
		}
		t.Fatalf("want one %s to %s, have %v", kind, rcpt, kinds)
	}
	return got[0]
}

// inLanguage fails unless m starts with lang's reply line (mails to
// requesters and agents do) and has none of the words given.
func inLanguage(t *testing.T, m Mail, lang templates.Language, words ...string) {
	t.Helper()
	if line := templates.ReplyLine(lang); !strings.HasPrefix(m.Text, line) {
		t.Errorf("%s to %v is not in %s: %q", m.Kind, m.Recipients(), lang, firstLineOf(m.Text))
	}
	for _, w := range words {
		if !strings.Contains(m.Subject+"\n"+m.Text, w) {
			t.Errorf("%s to %v lacks %q:\n%s\n%s", m.Kind, m.Recipients(), w, m.Subject, m.Text)
		}
	}
}

func firstLineOf(s string) string { l, _, _ := strings.Cut(s, "\n"); return l }

// TestEnglishRequesterOnSpanishDesk: every mail to the requester and the
// person they copied is in English through the ticket's life; the agents
// read Spanish.
func TestEnglishRequesterOnSpanishDesk(t *testing.T) {
	f := languageDesk(t, nil)
	m := msg("en1@c", "peter@client.com", "Printer not working", "Hi, the printer on the third floor has stopped printing since yesterday. Can you help?")
	m.Cc = []Address{{Email: "boss@client.com"}}
	f.svc.opts.TrustedAuthResults, m.SenderVerified = true, true
	f.apply(m)
	if tk := f.ticket(1); tk.Language != "en" {
		t.Fatalf("ticket language %q", tk.Language)
	}
	if r, ok, _ := f.store.RequesterLanguage("Peter@Client.com"); !ok || r.Language != "en" || r.SetBy != "" {
		t.Errorf("remembered %+v %v", r, ok)
	}
	mails := f.drain()
	inLanguage(t, only(t, mails, templates.Ack, "peter@client.com"), "en", "We received your request")
	notice := only(t, mails, templates.AgentNew, "ana@example.com")
	inLanguage(t, notice, "es", "Nuevo ticket")

	// The agent answers in English; the relay's framing is English.
	f.now = f.now.Add(10 * time.Minute)
	f.apply(Inbound{MessageID: "a1@example.com", From: NewAddress("", "ana@example.com"), Subject: "RE: " + notice.Subject,
		InReplyTo: []string{notice.MessageID}, Text: "#pending\nPlease restart it and tell me."})
	mails = f.drain()
	relay := only(t, mails, templates.Reply, "peter@client.com")
	inLanguage(t, relay, "en", "Please restart it")
	if !strings.Contains(strings.Join(relay.Recipients(), ","), "boss@client.com") {
		t.Errorf("participant not on the relay: %v", relay.Recipients())
	}

	// The pending reminder, in English.
	f.now = f.now.Add(49 * time.Hour)
	if _, err := f.svc.CheckSLA(context.Background()); err != nil {
		t.Fatal(err)
	}
	mails = f.drain()
	inLanguage(t, only(t, mails, templates.Reminder, "peter@client.com"), "en", "Waiting for your answer")

	// A one-word follow-up keeps English; the agent's copy is Spanish.
	f.apply(Inbound{MessageID: "en2@c", From: NewAddress("", "peter@client.com"), Subject: "Re: [Soporte #1] Printer not working", Text: "Hola", SenderVerified: true})
	mails = f.drain()
	inLanguage(t, only(t, mails, templates.AgentUpdate, "ana@example.com"), "es", "escribió de nuevo")
	if tk := f.ticket(1); tk.Language != "en" {
		t.Errorf("a one-word follow-up changed the language to %q", tk.Language)
	}

	// Resolved: the satisfaction question in English, with English rating links.
	f.apply(Inbound{MessageID: "a2@example.com", From: NewAddress("", "ana@example.com"), Subject: "Re: [Soporte #1]", Text: "#resolve\nFixed: the driver was reinstalled."})
	mails = f.drain()
	csat := only(t, mails, templates.CSAT, "peter@client.com")
	inLanguage(t, csat, "en", "How did we do?")
	if !strings.Contains(csat.HTML, "Rating%205") {
		t.Errorf("rating links not in English: %s", csat.HTML)
	}
	// The rating comes back with the English word in the subject.
	f.apply(Inbound{MessageID: "en3@c", From: NewAddress("", "peter@client.com"), Subject: "Re: [Soporte #1] Rating 5", Text: "", SenderVerified: true})
	if tk := f.ticket(1); tk.Rating != 5 {
		t.Errorf("rating %d", tk.Rating)
	}

	// A status request is answered in the remembered language.
	f.apply(Inbound{MessageID: "en4@c", From: NewAddress("", "peter@client.com"), Subject: "status", Text: ""})
	mails = f.drain()
	if st := only(t, mails, templates.StatusReply, "peter@client.com"); !strings.Contains(st.Subject, "Status of your requests") || !strings.HasPrefix(st.Text, "Hello") {
		t.Errorf("status reply not in English: %s\n%s", st.Subject, st.Text)
	}
}

// TestContentLanguageWins: the header decides over the words.
func TestContentLanguageWins(t *testing.T) {
	f := languageDesk(t, nil)
	m := msg("cl1@c", "lucia@client.com", "No puedo imprimir", "Hola, la impresora del tercer piso no imprime nada desde ayer. ¿Me pueden ayudar?")
	m.ContentLanguage = "pt"
	f.apply(m)
	if tk := f.ticket(1); tk.Language != "pt" {
		t.Fatalf("ticket language %q, want the header's pt", tk.Language)
	}
	inLanguage(t, only(t, f.drain(), templates.Ack, "lucia@client.com"), "pt", "Recebemos sua solicitação")

	// A language the desk does not write in is no help: the words decide.
	m = msg("cl2@c", "kai@client.com", "No puedo imprimir", "Hola, la impresora del tercer piso no imprime nada desde ayer. ¿Me pueden ayudar?")
	m.ContentLanguage = "de"
	f.apply(m)
	if tk := f.ticket(2); tk.Language != "es" {
		t.Errorf("ticket language %q, want es from the words", tk.Language)
	}
}

// TestRememberedLanguageForShortMail: a requester known to write English
// opens a new ticket with one word and still gets English; someone
// unknown gets the desk's language.
func TestRememberedLanguageForShortMail(t *testing.T) {
	f := languageDesk(t, nil)
	f.apply(msg("r1@c", "peter@client.com", "VPN access", "I need VPN access to work from home next week, please."))
	f.apply(msg("r2@c", "peter@client.com", "", "Hola?"))
	f.apply(msg("r3@c", "nuevo@client.com", "", "Hola?"))
	if tk := f.ticket(2); tk.Language != "en" {
		t.Errorf("known requester, one word: %q", tk.Language)
	}
	if tk := f.ticket(3); tk.Language != "es" {
		t.Errorf("unknown requester, one word: %q", tk.Language)
	}
	mails := f.drain()
	inLanguage(t, mailsTo(mails, templates.Ack, "peter@client.com")[1], "en")
	inLanguage(t, only(t, mails, templates.Ack, "nuevo@client.com"), "es")

	// A long mail in another language switches the ticket and the memory.
	f.apply(Inbound{MessageID: "r4@c", From: NewAddress("", "peter@client.com"), Subject: "Re: [Soporte #2]",
		Text: "Buenos días, ahora les escribo en español porque mi jefe lo pide. La VPN sigue sin funcionar."})
	if tk := f.ticket(2); tk.Language != "es" {
		t.Errorf("after a Spanish mail: %q", tk.Language)
	}
	if r, _, _ := f.store.RequesterLanguage("peter@client.com"); r.Language != "es" {
		t.Errorf("remembered %q", r.Language)
	}
}

// TestLanguageCommand: an agent's #idioma / #language sets the ticket's
// and the requester's language; detection keeps the agent's choice; a
// bad value is a command error that changes nothing.
func TestLanguageCommand(t *testing.T) {
	f := languageDesk(t, nil)
	f.apply(msg("l1@c", "joao@client.com", "Printer", "Hi, the printer on the third floor is broken. Can you help me, please?"))
	notice := only(t, f.drain(), templates.AgentNew, "ana@example.com")

	f.apply(Inbound{MessageID: "a1@example.com", From: NewAddress("", "ana@example.com"), Subject: "RE: " + notice.Subject,
		InReplyTo: []string{notice.MessageID}, Text: "#idioma xx\nOlá João"})
	mails := f.drain()
	errMail := only(t, mails, templates.CommandError, "ana@example.com")
	if !strings.Contains(errMail.Text, "necesita un idioma: en, es, pt") {
		t.Errorf("command error:\n%s", errMail.Text)
	}
	if len(mailsTo(mails, templates.Reply, "joao@client.com")) != 0 || f.ticket(1).Language != "en" {
		t.Fatalf("a bad #idioma changed something")
	}

	f.apply(Inbound{MessageID: "a2@example.com", From: NewAddress("", "ana@example.com"), Subject: "RE: " + notice.Subject,
		InReplyTo: []string{notice.MessageID}, Text: "#idioma PT\nOlá João, pode reiniciar a impressora?"})
	if tk := f.ticket(1); tk.Language != "pt" {
		t.Fatalf("after #idioma pt: %q", tk.Language)
	}
	if r, _, _ := f.store.RequesterLanguage("joao@client.com"); r.Language != "pt" || r.SetBy != "ana@example.com" {
		t.Errorf("remembered %+v", r)
	}
	inLanguage(t, only(t, f.drain(), templates.Reply, "joao@client.com"), "pt", "pode reiniciar")

	// The requester writes English again: the agent's choice stands, on
	// this ticket and the next.
	f.apply(Inbound{MessageID: "l2@c", From: NewAddress("", "joao@client.com"), Subject: "Re: [Soporte #1] Printer",
		Text: "Hi, I restarted the printer but it is still not working, can you please check it again?"})
	f.apply(msg("l3@c", "joao@client.com", "Another problem", "Hello, my laptop screen is broken and I need a new one, please."))
	if a, b := f.ticket(1).Language, f.ticket(2).Language; a != "pt" || b != "pt" {
		t.Errorf("detection overrode the agent's choice: %q %q", a, b)
	}
	f.drain()

	// #language en (the English name) on the second ticket.
	f.apply(Inbound{MessageID: "a3@example.com", From: NewAddress("", "ana@example.com"), Subject: "Re: [Soporte #2]", Text: "#language en-GB"})
	if tk := f.ticket(2); tk.Language != "en" {
		t.Errorf("#language en-GB: %q", tk.Language)
	}
}

// TestRequesterCannotSetLanguage: "#language" in a requester's mail, or in
// a forged agent mail, is text: nothing changes.
func TestRequesterCannotSetLanguage(t *testing.T) {
	f := languageDesk(t, func(o *Options) { o.RequireVerifiedAgents = true })
	f.apply(msg("x1@c", "eve@client.com", "Printer", "Hi, the printer on the third floor is broken. Can you help me, please?"))
	f.drain()
	f.apply(Inbound{MessageID: "x2@c", From: NewAddress("", "eve@client.com"), Subject: "Re: [Soporte #1]", Text: "#idioma pt"})
	forged := Inbound{MessageID: "x3@evil", From: NewAddress("", "ana@example.com"), Subject: "Re: [Soporte #1]", Text: "#idioma pt\nOlá"}
	f.apply(forged)
	if tk := f.ticket(1); tk.Language != "en" {
		t.Errorf("ticket language %q after a requester's and a forged #idioma", tk.Language)
	}
	if r, _, _ := f.store.RequesterLanguage("eve@client.com"); r.Language != "en" || r.SetBy != "" {
		t.Errorf("remembered %+v", r)
	}
	for _, m := range f.drain() {
		if m.Kind == templates.Reply {
			t.Errorf("something was relayed to the requester: %s", m.Text)
		}
	}
}

// TestDetectionOffKeepsTheDeskLanguage: the old behaviour, and what a
// desk gets with detect_language = false.
func TestDetectionOffKeepsTheDeskLanguage(t *testing.T) {
	f := workflowDesk(t, nil)
	m := msg("o1@c", "peter@client.com", "Printer not working", "Hi, the printer on the third floor has stopped printing since yesterday. Can you help?")
	m.ContentLanguage = "en"
	f.apply(m)
	if tk := f.ticket(1); tk.Language != "" {
		t.Errorf("ticket language %q with detection off", tk.Language)
	}
	inLanguage(t, only(t, f.drain(), templates.Ack, "peter@client.com"), "es", "Recibimos su solicitud")
}

// TestAgentQuotingAnyReplyLineIsNotRelayed: an answer holding the reply
// line of any language (an English requester's mail quoted inline on a
// Spanish desk) is quote, not an answer.
func TestAgentQuotingAnyReplyLineIsNotRelayed(t *testing.T) {
	f := languageDesk(t, nil)
	f.apply(msg("q1@c", "peter@client.com", "Printer not working", "Hi, the printer on the third floor has stopped printing since yesterday. Can you help?"))
	f.drain()
	for i, line := range []string{templates.ReplyLine("en"), templates.ReplyLine("pt")} {
		f.apply(Inbound{MessageID: "qa" + string(rune('1'+i)) + "@example.com", From: NewAddress("", "ana@example.com"), Subject: "Re: [Soporte #1]",
			Text: line + "\nHello Peter, internal details here"})
		if n := len(mailsTo(f.drain(), templates.Reply, "peter@client.com")); n != 0 {
			t.Errorf("an answer holding %q was relayed", line)
		}
	}
}

// TestPortugueseDesk: language = "pt" works as the desk's language.
func TestPortugueseDesk(t *testing.T) {
	f := languageDesk(t, func(o *Options) { o.Language = "pt" })
	f.apply(msg("p1@c", "ana.maria@client.com", "", "oi"))
	mails := f.drain()
	inLanguage(t, only(t, mails, templates.Ack, "ana.maria@client.com"), "pt", "Recebemos sua solicitação", "(sem assunto)")
	inLanguage(t, only(t, mails, templates.AgentNew, "ana@example.com"), "pt", "Novo ticket")
}

// TestRatingSubjectInEveryLanguage: the rating word of any language of
// the templates (and a Portuguese synonym) is read back.
func TestRatingSubjectInEveryLanguage(t *testing.T) {
	set, err := templates.New("")
	if err != nil {
		t.Fatal(err)
	}
	re := ratingSubjectPattern(set)
	for subject, want := range map[string]int{
		"Re: [Soporte #1] Avaliação 4": 4, "Re: [Soporte #1] avaliacao: 2": 2, "Re: [Soporte #1] Valoración 5": 5,
		"Re: [Soporte #1] Rating 3": 3, "Re: [Soporte #1] Prorating 3": 0,
	} {
		n, _, ok := parseRating(re, subject, "")
		if (want == 0) == ok || n != want {
			t.Errorf("%q: %d %v, want %d", subject, n, ok, want)
		}
	}
}

// TestPortugueseRequesterWords: a Portuguese requester's status request
// ("situação") and self-service "#resolvido" are understood, and answered
// in Portuguese.
func TestPortugueseRequesterWords(t *testing.T) {
	f := languageDesk(t, nil)
	f.apply(msg("p1@c", "joao@client.com", "Senha", "Bom dia, esqueci minha senha do e-mail e não consigo entrar. Obrigado"))
	f.drain()
	f.apply(Inbound{MessageID: "p2@c", From: NewAddress("", "joao@client.com"), Subject: "Situação?"})
	st := only(t, f.drain(), templates.StatusReply, "joao@client.com")
	if !strings.Contains(st.Subject, "Situação das suas solicitações") {
		t.Errorf("status reply %q", st.Subject)
	}
	if n, ok := parseSolved("#resolvido 1"); !ok || n != 1 {
		t.Errorf("#resolvido 1: %d %v", n, ok)
	}
}

// TestRequesterLanguageOnAQueue: on the English queue Ventas, a Spanish
// requester is written to in Spanish while Ventas' agents read English;
// an unsure mail gets the queue's language, not the default queue's.
func TestRequesterLanguageOnAQueue(t *testing.T) {
	f := newQueuesFixture(t, func(o *Options) { o.DetectLanguage = true })
	m := msg("v1@c", "lucia@client.com", "Presupuesto", "Hola, necesito un presupuesto para veinte portátiles nuevos, ¿me lo pueden enviar esta semana?")
	m.To = []Address{{Email: "ventas@ventas.example"}}
	short := msg("v2@c", "nadie@client.com", "", "ok")
	short.To = []Address{{Email: "ventas@ventas.example"}}
	f.apply(m, short)
	mails := f.drain()
	inLanguage(t, only(t, mails, templates.Ack, "lucia@client.com"), "es", "Recibimos su solicitud")
	inLanguage(t, mailsTo(mails, templates.AgentNew, "vera@ventas.example")[0], "en", "New ticket")
	inLanguage(t, only(t, mails, templates.Ack, "nadie@client.com"), "en", "We received your request")
}

// TestOwnSubjectWordsDoNotCount: a reply to a Spanish acknowledgement
// keeps "Recibimos su solicitud:" in its subject; only the writer's words
// count, so their English text decides.
func TestOwnSubjectWordsDoNotCount(t *testing.T) {
	f := languageDesk(t, nil)
	f.apply(msg("s1@c", "kim@client.com", "", "ok"))
	if tk := f.ticket(1); tk.Language != "es" {
		t.Fatalf("an unsure first mail: %q", tk.Language)
	}
	f.apply(Inbound{MessageID: "s2@c", From: NewAddress("", "kim@client.com"),
		Subject: "Re: [Soporte #1] Recibimos su solicitud: (sin asunto)",
		Text:    "Sorry, my laptop does not start."})
	if tk := f.ticket(1); tk.Language != "en" {
		t.Errorf("language %q: the desk's own subject words counted", tk.Language)
	}
}

// TestForwardedCustomerInTheirLanguage: an agent forwards an English
// customer's mail from a Spanish mail client (Content-Language: es): the
// customer's words decide their language, not the agent's header.
func TestForwardedCustomerInTheirLanguage(t *testing.T) {
	f := languageDesk(t, func(o *Options) { o.RequireVerifiedAgents, o.TrustedAuthResults = true, true })
	m := forwardMsg("fw1@e", "ana@example.com")
	m.ContentLanguage = "es"
	m.Forwarded.Subject = "Printer not working"
	m.Forwarded.Text = "Hi, the printer on the third floor has stopped printing since yesterday. Can you help?"
	f.apply(m)
	if tk := f.ticket(1); tk.Requester.Email != "juan@cliente.com" || tk.Language != "en" {
		t.Fatalf("ticket %s in %q, want the customer's English", tk.Requester.Email, tk.Language)
	}
	mails := f.drain()
	inLanguage(t, only(t, mails, templates.Ack, "juan@cliente.com"), "en", "We received your request")
	inLanguage(t, mailsTo(mails, templates.AgentNew, "luis@example.com")[0], "es", "Nuevo ticket")
}
