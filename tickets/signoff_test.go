package tickets

import (
	"strings"
	"testing"
)

// Real-looking answers with a sign-off and no "-- " line (es and en), and
// answers whose "Saludos" or "Regards" is content: only the block after a
// recognised valediction at the end goes.
var signOffs = []struct {
	name, in, want string
}{
	{"es full block",
		"Hola Pedro, ya reiniciamos la impresora. ¿Puede probar de nuevo?\n\nSaludos,\nAna Gómez\nAnalista Nivel 1 - Mesa de ayuda\nTel. +57 601 555 0101 ext. 12\nhttps://intranet.corp.local/mesa",
		"Hola Pedro, ya reiniciamos la impresora. ¿Puede probar de nuevo?\n\nSaludos,"},
	{"es un saludo",
		"Le asigné la licencia.\n\nUn saludo,\n\nLuis Pérez\nSoporte técnico | Dirección de Tecnología\nCel: 300 555 0102",
		"Le asigné la licencia.\n\nUn saludo,"},
	{"es atentamente with address",
		"Su equipo queda listo el jueves.\nAtentamente,\nIng. Marta Ruiz\nCoordinadora de Infraestructura\nCalle 26 # 59-51, Piso 4\nBogotá",
		"Su equipo queda listo el jueves.\nAtentamente,"},
	{"es saludos cordiales, email",
		"Listo.\nSaludos cordiales.\nAna\nana.gomez@corp.example",
		"Listo.\nSaludos cordiales."},
	{"en regards",
		"Hi Pedro,\n\nThe VPN profile is fixed; please reconnect.\n\nRegards,\nAna Gomez\nService Desk Analyst, Tier 1\n+1 (555) 010-0101\nwww.intranet.example.com/servicedesk",
		"Hi Pedro,\n\nThe VPN profile is fixed; please reconnect.\n\nRegards,"},
	{"en best",
		"Done, the mailbox quota is now 50 GB.\n\nBest,\nLuis\nIT Operations",
		"Done, the mailbox quota is now 50 GB.\n\nBest,"},
	{"en kind regards with name only",
		"Your laptop is ready for pickup.\nKind regards,\nMarta R.",
		"Your laptop is ready for pickup.\nKind regards,"},
	{"es name on the valediction line",
		"Ya le habilitamos el acceso.\n\nSaludos, Ana Gómez\nExt. 1234",
		"Ya le habilitamos el acceso.\n\nSaludos,"},
	{"en name on the valediction line, last",
		"The printer is back online.\nRegards, Luis",
		"The printer is back online.\nRegards,"},

	// Content that must stay whole.
	{"saludos mid-text",
		"Saludos, Pedro. Reinicie la impresora y me cuenta.\nSi sigue igual, la cambiamos.",
		""},
	{"saludos as the first line",
		"Saludos,\nReinicie la impresora por favor.\nLuego pruebe de nuevo.",
		""},
	{"sentence after the valediction",
		"La impresora está lista.\n\nGracias,\nPor favor confirme que ya imprime.",
		""},
	{"question after the valediction",
		"Listo.\nGracias\n¿Le funciona ahora?",
		""},
	{"instruction list after thanks",
		"Revisé su caso.\nThanks\nYou can now log in with your new password.",
		""},
	{"nothing after the valediction",
		"Ya quedó.\n\nSaludos,",
		""},
	{"too long a block",
		"Ok.\nSaludos,\nAna\nNivel 1\nTel 1234567\nPiso 3\nBogotá\nColombia\nSur América",
		""},
	{"saludos inside a line near the end",
		"Le mando saludos a todo el equipo de contabilidad.\nAna",
		""},
	{"thanks with a sentence after the comma",
		"Listo.\nGracias, ya puede usar la impresora",
		""},
	{"regards in a sentence",
		"With regards to your request, the new monitor arrives Monday.",
		""},
}

func TestCutSignOff(t *testing.T) {
	for _, tt := range signOffs {
		want := tt.want
		if want == "" {
			want = tt.in
		}
		if got := cutSignOff(tt.in); got != want {
			t.Errorf("%s:\n got: %q\nwant: %q", tt.name, got, want)
		}
	}
}

// The agent's sign-off (name, phone, intranet URL) is not relayed; the
// answer is.
func TestRelayDropsTheAgentsSignOff(t *testing.T) {
	f := newFixture(t)
	f.apply(msg("s1@c", "pedro@client.com", "VPN", "No conecta."))
	f.drain()
	f.apply(Inbound{MessageID: "a1@example.com", From: NewAddress("Ana Gómez", "ana@example.com"), Subject: "Re: [Soporte #1] VPN",
		Text: "Hola Pedro, ya corregimos su perfil de VPN. Pruebe de nuevo.\n\nSaludos,\nAna Gómez\nAnalista Nivel 1\nTel. +57 601 555 0101\nhttps://intranet.corp.local/mesa"})
	mails := f.drain()
	if len(mails) != 1 || mails[0].Kind != "reply" {
		t.Fatalf("relay: %+v", mails)
	}
	for _, leak := range []string{"Gómez", "555 0101", "intranet.corp.local", "Analista"} {
		if strings.Contains(mails[0].Text, leak) || strings.Contains(mails[0].HTML, leak) {
			t.Errorf("the sign-off's %q reaches the requester:\n%s", leak, mails[0].Text)
		}
	}
	if !strings.Contains(mails[0].Text, "ya corregimos su perfil de VPN. Pruebe de nuevo.") {
		t.Errorf("the answer was cut:\n%s", mails[0].Text)
	}
	// The ticket keeps what the agent wrote, for the agents.
	if !strings.Contains(evsText(f.events(1)), "+57 601 555 0101") {
		t.Errorf("the agent's whole mail is not on the ticket")
	}
}

func evsText(evs []Event) string {
	var b strings.Builder
	for _, e := range evs {
		b.WriteString(e.Text)
	}
	return b.String()
}

func FuzzCutSignOff(f *testing.F) {
	for _, tt := range signOffs {
		f.Add(tt.in)
	}
	f.Fuzz(func(t *testing.T, s string) {
		out := cutSignOff(s)
		// Only a tail is ever cut: what is kept is how the text began.
		if !strings.HasPrefix(s, out) {
			t.Fatalf("cutSignOff(%q) = %q is not a prefix", s, out)
		}
	})
}
