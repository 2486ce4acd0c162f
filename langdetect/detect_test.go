package langdetect_test

import (
	"strings"
	"testing"

	"github.com/ticketd/ticketd/langdetect"
	"github.com/ticketd/ticketd/templates"
)

// detector is built as the desk builds it: from the stop-word lists of
// the embedded templates.
func detector(t testing.TB) *langdetect.Detector {
	t.Helper()
	set, err := templates.New("")
	if err != nil {
		t.Fatal(err)
	}
	lists := map[string][]string{}
	for _, l := range set.Languages() {
		lists[string(l)] = set.StopWords(l)
	}
	return langdetect.New(lists, langdetect.DefaultRule)
}

// request is a short mail as requesters write them: a subject and the new
// text (quotes already cut, signatures not). want "" means the text says
// too little: the detector must stay undecided (the desk keeps what it
// remembered).
type request struct {
	subject, text string
	want          string
}

var requests = []request{
	// Spanish.
	{"No puedo imprimir", "Hola, desde ayer la impresora del tercer piso no imprime nada. ¿Me pueden ayudar?", "es"},
	{"Contraseña", "Buenos días, olvidé mi contraseña del correo y no puedo entrar. Gracias", "es"},
	{"Acceso VPN", "Necesito acceso a la VPN para trabajar desde casa la próxima semana.", "es"},
	{"urgente", "el computador no enciende y tengo una reunion en una hora, por favor ayuda", "es"},
	{"Re: problema con outlook", "Sigue sin funcionar, ya reinicié el equipo dos veces.\n\nSaludos,\nMaría Fernández\nContabilidad - Ext. 2231", "es"},
	{"Solicitud de software", "Buenas tardes:\nQuisiera que me instalen el programa de diseño en mi portátil.\nAtentamente,\nJorge Ramírez", "es"},
	{"pantalla", "La pantalla se pone negra cada cinco minutos y pierdo lo que estoy haciendo", "es"},
	{"Usuario bloqueado", "Mi usuario quedó bloqueado después de intentar la clave varias veces", "es"},
	{"", "No me llegan los correos desde esta mañana, ¿pasa algo con el servidor?", "es"},
	{"Teléfono", "El teléfono de mi escritorio no tiene tono. Estoy en la oficina 402.", "es"},
	{"Carpeta compartida", "No puedo abrir la carpeta compartida de recursos humanos, me dice acceso denegado", "es"},
	{"Alta de usuario", "Hola, mañana empieza una persona nueva en el equipo y necesita cuenta de correo y acceso a la red", "es"},
	{"wifi", "el wifi de la sala de juntas no funciona, ya probamos con varios equipos", "es"},
	{"Re: [Soporte #12] impresora", "Gracias, ya funciona.", "es"},
	{"Consulta", "Hola, queria saber si es posible cambiar la contrasena sin llamar a nadie", "es"},
	{"Error al abrir archivo", "Cuando abro el archivo de Excel sale un error y se cierra el programa. Adjunto captura.\n\nEnviado desde mi iPhone", "es"},
	{"Hola", "Hola, buenas, tengo un problema con el portatil, no carga la bateria", "es"},
	{"Nuevo monitor", "Buenas, el monitor que me dieron tiene una raya en la mitad. ¿Me lo pueden cambiar?", "es"},
	{"Licencia", "Se venció la licencia del antivirus en mi equipo y me sale un aviso todo el tiempo", "es"},
	{"Ayuda", "No sé cómo configurar la firma en el correo nuevo", "es"},

	// English.
	{"Printer not working", "Hi, the printer on the 3rd floor has stopped printing since yesterday. Can you help?", "en"},
	{"Password reset", "Good morning, I forgot my email password and I can't log in. Thanks", "en"},
	{"VPN access", "I need VPN access to work from home next week.", "en"},
	{"urgent", "my laptop won't turn on and I have a meeting in an hour, please help", "en"},
	{"Re: outlook issue", "Still not working, I already restarted the computer twice.\n\nBest regards,\nJohn Miller\nAccounting - Ext. 2231", "en"},
	{"Software request", "Hello,\nCould you please install the design software on my laptop?\nKind regards,\nSarah Jones", "en"},
	{"screen", "The screen goes black every five minutes and I lose what I was doing", "en"},
	{"Account locked", "My account got locked after I tried the password a few times", "en"},
	{"", "I haven't received any emails since this morning, is something wrong with the server?", "en"},
	{"Phone", "The phone on my desk has no dial tone. I'm in office 402.", "en"},
	{"Shared folder", "I can't open the HR shared folder, it says access denied", "en"},
	{"New starter", "Hi, a new person joins the team tomorrow and needs an email account and network access", "en"},
	{"wifi", "the wifi in the meeting room is not working, we tried with several laptops", "en"},
	{"Hola, I need help", "Hola, I need help with my printer, it doesn't print anything since the update", "en"},
	{"Question", "Hi there, is it possible to change my password without calling anyone?", "en"},
	{"Error opening file", "When I open the Excel file an error shows up and the program closes. Screenshot attached.\n\nSent from my iPhone", "en"},
	{"Monitor", "Hello, the monitor I was given has a line across the middle. Could you replace it?", "en"},
	{"License", "The antivirus license expired on my computer and a warning keeps popping up", "en"},
	{"Help", "I don't know how to set up my signature in the new mail app", "en"},
	{"Re: [Soporte #40] laptop", "Thanks, that worked!\n\nCheers,\nTom", "en"},

	// Portuguese.
	{"Não consigo imprimir", "Olá, desde ontem a impressora do terceiro andar não imprime nada. Vocês podem ajudar?", "pt"},
	{"Senha", "Bom dia, esqueci minha senha do e-mail e não consigo entrar. Obrigado", "pt"},
	{"Acesso VPN", "Preciso de acesso à VPN para trabalhar de casa na próxima semana.", "pt"},
	{"urgente", "o notebook não liga e tenho uma reunião em uma hora, por favor ajudem", "pt"},
	{"Re: problema com o outlook", "Continua sem funcionar, já reiniciei o computador duas vezes.\n\nAbraços,\nJoão Silva\nContabilidade - Ramal 2231", "pt"},
	{"Pedido de software", "Boa tarde,\nGostaria que instalassem o programa de design no meu notebook.\nAtenciosamente,\nAna Costa", "pt"},
	{"tela", "A tela fica preta a cada cinco minutos e eu perco o que estava fazendo", "pt"},
	{"Usuário bloqueado", "Meu usuário foi bloqueado depois de tentar a senha várias vezes", "pt"},
	{"", "Não estou recebendo e-mails desde hoje de manhã, tem algum problema com o servidor?", "pt"},
	{"Telefone", "O telefone da minha mesa está sem linha. Estou na sala 402.", "pt"},
	{"Pasta compartilhada", "Não consigo abrir a pasta compartilhada do RH, aparece acesso negado", "pt"},
	{"wifi", "o wifi da sala de reuniões não funciona, já testamos com vários notebooks", "pt"},
	{"Duvida", "Ola, gostaria de saber se da para trocar a senha sem ligar para ninguem", "pt"},
	{"Erro ao abrir arquivo", "Quando abro o arquivo do Excel aparece um erro e o programa fecha. Segue o print em anexo.\n\nEnviado do meu iPhone", "pt"},
	{"Monitor novo", "Oi, o monitor que recebi tem uma linha no meio. Vocês podem trocar?", "pt"},
	{"Licença", "A licença do antivírus venceu no meu computador e aparece um aviso o tempo todo", "pt"},
	{"Ajuda", "Não sei como configurar a assinatura no e-mail novo", "pt"},
	{"Re: [Soporte #77] impressora", "Obrigada, já está funcionando!", "pt"},

	// Harder: two or three words, tech words in another language, a
	// signature in the other language.
	{"printer broken", "printer is broken again", "en"},
	{"", "no imprime", ""},
	{"sem internet", "estou sem internet", "pt"},
	{"VPN down", "VPN down for everyone here?", "en"},
	{"", "ayuda porfa con el outlook", "es"},
	{"", "el laptop no bootea despues del update de Windows", "es"},
	{"Monitor", "My second monitor is flickering.\n\nAtentamente,\nJuan Pérez\nGerente de Ventas", "en"},
	{"Bom dia", "Bom dia, a VPN caiu de novo", "pt"},
	{"Re: [Soporte #5]", "ya lo probé y nada", "es"},
	{"Re: [Soporte #6]", "tried that, no luck", "en"},
	{"Re: [Soporte #7]", "já tentei isso e nada", "pt"},
	{"Teclado", "el teclado no escribe la ñ", "es"},
	{"Hola", "Hola! Can you reset my password please? Thanks", "en"},

	// Too short or mixed to tell: the desk keeps what it knew.
	{"", "Hola", ""},
	{"", "Thanks!", ""},
	{"", "Obrigado", ""},
	{"Re: [Soporte #3]", "ok", ""},
	{"", "Gracias", ""},
	{"", "+1", ""},
	{"Re: [Soporte #9]", "Sí", ""},
	{"", "👍", ""},
	{"Teams", "Teams", ""},
}

// TestAccuracyOnShortRequests runs the detector on the table and prints
// its accuracy: a request is right when the detector names its language
// with confidence, or (for greetings and one-word replies) stays
// undecided. A confident wrong guess is the costly error: the requester
// would get mail in a language they did not write.
func TestAccuracyOnShortRequests(t *testing.T) {
	d := detector(t)
	if len(requests) < 60 {
		t.Fatalf("the table has %d requests; at least 60 are promised", len(requests))
	}
	right, wrong, undecided := 0, 0, 0
	perLang := map[string][2]int{}
	for _, r := range requests {
		g := d.Detect(r.subject + "\n" + r.text)
		ok := (r.want == "" && !g.Confident) || (r.want != "" && g.Confident && g.Language == r.want)
		c := perLang[r.want]
		c[1]++
		switch {
		case ok:
			right++
			c[0]++
		case g.Confident:
			wrong++
			t.Logf("WRONG  want %-2q got %q %v: %q", r.want, g.Language, g.Scores, firstLine(r.text))
		default:
			undecided++
			t.Logf("UNSURE want %-2q got %q %v: %q", r.want, g.Language, g.Scores, firstLine(r.text))
		}
		perLang[r.want] = c
	}
	acc := float64(right) / float64(len(requests))
	t.Logf("language detection: %d/%d right (%.1f%%), %d undecided, %d confidently wrong", right, len(requests), 100*acc, undecided, wrong)
	for _, l := range []string{"es", "en", "pt", ""} {
		name := l
		if l == "" {
			name = "too short"
		}
		t.Logf("  %-9s %d/%d", name, perLang[l][0], perLang[l][1])
	}
	if acc < 0.9 {
		t.Errorf("accuracy %.1f%% below the 90%% floor", 100*acc)
	}
	if wrong > 1 {
		t.Errorf("%d confidently wrong guesses; at most 1 allowed", wrong)
	}
}

func firstLine(s string) string {
	l, _, _ := strings.Cut(s, "\n")
	return l
}

// TestAccentsMissing: words typed without their accents still count.
func TestAccentsMissing(t *testing.T) {
	d := detector(t)
	for text, want := range map[string]string{
		"nao consigo acessar minha conta, voce pode verificar":  "pt",
		"no se como cambiar la contrasena de mi cuenta tampoco": "es",
	} {
		if g := d.Detect(text); !g.Confident || g.Language != want {
			t.Errorf("%q: %+v, want %s", text, g, want)
		}
	}
}

// TestWords: letters and inner apostrophes; everything else splits.
func TestWords(t *testing.T) {
	got := strings.Join(langdetect.Words("Don't-stop: ¿QUÉ pasó? it’s 3pm 'quoted'"), "|")
	if want := "don't|stop|qué|pasó|it's|pm|quoted"; got != want {
		t.Errorf("Words = %q, want %q", got, want)
	}
}

// TestHugeTextIsBounded: a huge text is read up to maxWords words.
func TestHugeTextIsBounded(t *testing.T) {
	if n := len(langdetect.Words(strings.Repeat("the ", 100000))); n > 401 {
		t.Errorf("%d words read", n)
	}
	d := detector(t)
	if g := d.Detect(strings.Repeat("a", 1<<20)); g.Confident {
		t.Errorf("a megabyte of one letter: %+v", g)
	}
}

// TestNoListsNoGuess: an empty detector never guesses.
func TestNoListsNoGuess(t *testing.T) {
	d := langdetect.New(nil, langdetect.DefaultRule)
	if g := d.Detect("hello world"); g.Language != "" || g.Confident {
		t.Errorf("%+v", g)
	}
}
